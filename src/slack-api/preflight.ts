import { ErrorCode } from '@slack/web-api';
import { createStartupClient } from './clients.js';
import { StartupError } from '../errors.js';

const REJECTED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

/**
 * Checks the bot token with auth.test before Bolt starts, with a short retry budget (see
 * clients.ts), so a wrong token or an unreachable Slack stops start-up within seconds.
 */
export async function verifySlackAuth(botToken: string, apiUrl: string): Promise<{ botUserId?: string; team?: string }> {
  const client = createStartupClient({ botToken, apiUrl });
  try {
    const res = await client.auth.test();
    return { botUserId: res.user_id, team: res.team };
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string }; original?: Error; message: string };
    if (e.code === ErrorCode.PlatformError && REJECTED_TOKEN.has(e.data?.error ?? '')) {
      throw new StartupError(
        `Slack rejected SLACK_BOT_TOKEN (${e.data?.error}). Copy the Bot User OAuth Token (xoxb-...) from your app's ` +
          '"OAuth & Permissions" page into SLACK_BOT_TOKEN; reinstall the app if the token was revoked.',
      );
    }
    if (e.code === ErrorCode.PlatformError) {
      throw new StartupError(`Slack refused auth.test (${e.data?.error}); check SLACK_BOT_TOKEN and SLACK_API_URL.`);
    }
    const cause = e.original?.message ?? e.message;
    throw new StartupError(`Cannot reach Slack at ${apiUrl} (${cause}). Check the network, proxy settings and SLACK_API_URL.`);
  }
}
