import { buildLeakWarning } from '../../blocks/messages.js';
import { findBitbucketCredentials } from '../../domain/secrets.js';
import { messageEventSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';
import type { EventArgs } from '../kit/args.js';

/** Message subtypes a person posts text with; edits, joins, bot messages and the like are skipped. */
const USER_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/**
 * Secret-leak guard: when someone posts what looks like an Atlassian API token (ATATT3…), a
 * Bitbucket access token (ATCTT3…) or app password (ATBB…) in a conversation the bot can see,
 * tell them at once, privately, what it is and where to revoke it. Only the kinds are kept.
 * One warning per message however many tokens it holds, and none for a redelivered event.
 * The value is never logged, stored or echoed.
 */
export function createLeakGuardHandler(deps: Pick<Services, 'seenMessages' | 'logger'>) {
  return async ({ event, client, context }: EventArgs<'message'>): Promise<void> => {
    const parsed = messageEventSchema.safeParse(event);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.bot_id || !msg.user || msg.user === context.botUserId) return;
    if (msg.subtype && !USER_SUBTYPES.has(msg.subtype)) return;
    const kinds = findBitbucketCredentials(msg.text ?? '');
    const count = kinds.length;
    if (count === 0) return;
    // Keyed by the message, not the delivery: retries and other replicas see the same key.
    if (!(await deps.seenMessages.markFirst(msg.channel, msg.ts))) {
      deps.logger.debug({ channel: msg.channel, ts: msg.ts, retryNum: context.retryNum }, 'leak warning already sent');
      return;
    }
    const warning = buildLeakWarning(count, kinds);
    try {
      await client.chat.postEphemeral({
        channel: msg.channel,
        user: msg.user,
        text: warning.text,
        ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}),
      });
      deps.logger.warn(
        { channel: msg.channel, userId: msg.user, count, kinds: [...new Set(kinds)] },
        'token-shaped value posted in Slack; poster warned',
      );
    } catch (err) {
      deps.logger.error({ err, channel: msg.channel, userId: msg.user }, 'could not warn the poster of a leaked token');
    }
  };
}
