import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { UserDirectory } from './users.js';

/** What Slack says is wrong with a token's co-owners or team channel; empty when nothing is. */
export interface TeamProblems {
  coOwners?: string;
  teamChannel?: string;
}

/** Asked when Slack cannot be reached before the ack: nothing is stored, the user tries again. */
const UNCHECKED = 'I could not check this with Slack just now. Nothing was saved: press the button again in a moment.';

/**
 * Checks with Slack what a form cannot: each co-owner is a person still in the workspace (not a
 * bot or app, not deactivated), and the bot may post in the team channel (conversations.info:
 * a member of it, not archived). Runs before the ack, through the quick client (users.info is
 * cached); every look-up runs at once.
 */
export async function checkTeamWithSlack(
  deps: { users: Pick<UserDirectory, 'lookup'>; client: WebClient; logger: Logger },
  team: { coOwners?: readonly string[]; teamChannelId?: string },
): Promise<TeamProblems> {
  const [coOwners, teamChannel] = await Promise.all([
    checkCoOwners(deps, team.coOwners ?? []),
    team.teamChannelId ? checkChannel(deps, team.teamChannelId) : undefined,
  ]);
  return { ...(coOwners ? { coOwners } : {}), ...(teamChannel ? { teamChannel } : {}) };
}

/**
 * The same checks for a request or record form, keyed by its fields (`coOwners`,
 * `teamChannelId`); empty when nothing is wrong or neither field is set (no Slack call then).
 */
export async function teamFieldErrors(
  deps: { users: Pick<UserDirectory, 'lookup'>; client: WebClient; logger: Logger },
  team: { coOwners?: readonly string[]; teamChannelId?: string },
): Promise<{ coOwners?: string; teamChannelId?: string }> {
  if (!team.coOwners && !team.teamChannelId) return {};
  const problems = await checkTeamWithSlack(deps, team);
  return {
    ...(problems.coOwners ? { coOwners: problems.coOwners } : {}),
    ...(problems.teamChannel ? { teamChannelId: problems.teamChannel } : {}),
  };
}

async function checkCoOwners(
  deps: { users: Pick<UserDirectory, 'lookup'>; logger: Logger },
  ids: readonly string[],
): Promise<string | undefined> {
  try {
    const found = await Promise.all(ids.map((id) => deps.users.lookup(id)));
    for (const [i, user] of found.entries()) {
      const id = ids[i]!;
      if (!user || user.deleted) return `One of them (${id}) is no longer in this workspace: pick people who are.`;
      if (user.isBot) return `One of them (${id}) is a bot or an app: co-owners must be people who can act on a reminder.`;
    }
    return undefined;
  } catch (err) {
    deps.logger.warn({ err }, 'users.info failed while checking co-owners');
    return UNCHECKED;
  }
}

async function checkChannel(deps: { client: WebClient; logger: Logger }, channel: string): Promise<string | undefined> {
  try {
    const res = await deps.client.conversations.info({ channel });
    const c = res.channel;
    if (!c) return 'I cannot see that channel: invite me to it (/invite in the channel), or pick another.';
    if (c.is_archived) return 'That channel is archived: I cannot post reminders there. Pick another channel.';
    if (c.is_im || c.is_mpim) return 'Pick a channel, not a direct message.';
    if (!c.is_member)
      return 'I am not a member of that channel, so I cannot post reminders there: invite me first (/invite in the channel), then submit again.';
    return undefined;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'channel_not_found') return 'I cannot see that channel: invite me to it (/invite in the channel), or pick another.';
    deps.logger.warn({ err }, 'conversations.info failed while checking a team channel');
    return UNCHECKED;
  }
}
