import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { TOKEN_ID } from '../../domain/record-ids.js';
import type { TokenRecord } from '../../domain/types.js';
import { buildAnsweredBlocks, buildOrphanReminderMessage, buildReminderMessage } from '../../blocks/reminders.js';
import { buildNotYoursMessage, buildPlainMessage, type Message } from '../../blocks/messages.js';
import { respondEphemeral } from '../../slack-api/checklist.js';
import type { Block } from '../../blocks/text.js';
import { blockActionSchema } from './payloads.js';
import type { Deps } from './services.js';

/** A validated press of one of a reminder's buttons. */
export interface ReminderPress {
  userId: string;
  token: TokenRecord;
  triggerId?: string;
  channel?: string;
  ts?: string;
  blocks?: Block[];
}

/** Who may press: the owner; anyone once the owner has left (`orphanedAt`), when `orphanOk`. */
export function mayAnswer(token: TokenRecord, userId: string, orphanOk: boolean): boolean {
  return token.ownerId === userId || (orphanOk && token.reminder?.orphanedAt !== undefined);
}

/** A courtesy reply through response_url: a missing or unreachable one is logged, not a listener error. */
const ephemeralFor = (deps: Deps, respond: RespondFn) => (message: Message) => respondEphemeral(respond as never, message, deps.logger);

/**
 * Validates a reminder button press and loads its token; answers the presser ephemerally
 * (and returns undefined) when the payload is bad, the token is gone or it is not theirs.
 */
export async function readReminderPress(
  deps: Deps,
  body: unknown,
  respond: RespondFn,
  opts: { what: string; orphanOk?: boolean },
): Promise<ReminderPress | undefined> {
  const ephemeral = ephemeralFor(deps, respond);
  const parsed = blockActionSchema.safeParse(body);
  const tokenId = parsed.success ? parsed.data.actions[0]?.value : undefined;
  if (!parsed.success || !tokenId || !TOKEN_ID.test(tokenId)) {
    await ephemeral(buildPlainMessage('That button is not valid any more.'));
    return undefined;
  }
  const token = await deps.tokens.get(tokenId);
  if (!token) {
    await ephemeral(buildPlainMessage('I cannot find that token any more.'));
    return undefined;
  }
  const userId = parsed.data.user.id;
  if (!mayAnswer(token, userId, opts.orphanOk ?? false)) {
    await ephemeral(buildNotYoursMessage(token.ownerId, opts.what));
    return undefined;
  }
  if (token.status === 'rotated' || token.status === 'revoked') {
    await ephemeral(buildPlainMessage(`That token is already ${token.status === 'rotated' ? 'replaced' : 'marked no longer needed'}; its reminders have stopped.`));
    return undefined;
  }
  return {
    userId,
    token,
    triggerId: parsed.data.trigger_id,
    channel: parsed.data.channel?.id ?? parsed.data.container?.channel_id,
    ts: parsed.data.message?.ts ?? parsed.data.container?.message_ts,
    // Rebuilt from the stored token, never copied from the payload: a message's blocks come
    // from the client and may have been tampered with (the fuzz tests sent junk back to Slack).
    blocks: rebuildReminderBlocks(token),
  };
}

/** The reminder message as the bot last sent it for this token, from the stored record. */
function rebuildReminderBlocks(token: TokenRecord): Block[] {
  const model = { token, threshold: token.reminder?.last ?? 0, tz: 'UTC', now: Date.now() };
  const message = token.reminder?.orphanedAt !== undefined ? buildOrphanReminderMessage(model) : buildReminderMessage(model);
  return (message.blocks ?? []) as Block[];
}

/** Rewrites the reminder to show the answer instead of its buttons. A failure is only logged. */
export async function showAnswer(deps: Deps, client: WebClient, at: { channel?: string; ts?: string; blocks?: Block[] }, answer: string): Promise<void> {
  if (!at.channel || !at.ts) return;
  const blocks = buildAnsweredBlocks(at.blocks ?? [], answer);
  await client.chat
    .update({ channel: at.channel, ts: at.ts, text: answer, blocks: blocks as never })
    .catch((err) => deps.logger.warn({ err }, 'could not update the reminder message'));
}
