import type { WebClient } from '@slack/web-api';
import type { HomeLink } from '../blocks/admin-summary.js';

const TEAM_ID = /^[TE][A-Z0-9]{1,20}$/;
const APP_ID = /^A[A-Z0-9]{1,20}$/;

/**
 * The workspace and app ids Slack's App Home deep link needs (`slack://app?team=…&id=…`):
 * auth.test gives the team and the bot id, bots.info (users:read) the bot's app id. Asked
 * once per process on first use; a failed look-up is asked again next time.
 */
export function createAppIdentity(client: WebClient): () => Promise<HomeLink | undefined> {
  let known: HomeLink | undefined;
  return async () => {
    if (known) return known;
    const auth = await client.auth.test();
    const bot = auth.bot_id ? await client.bots.info({ bot: auth.bot_id }) : undefined;
    const teamId = auth.team_id;
    const appId = bot?.bot?.app_id;
    if (!teamId || !appId || !TEAM_ID.test(teamId) || !APP_ID.test(appId)) return undefined;
    known = { teamId, appId };
    return known;
  };
}
