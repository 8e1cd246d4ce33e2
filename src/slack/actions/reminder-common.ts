import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { TOKEN_ID } from '../../domain/record-ids.js';
import type { TokenRecord } from '../../domain/types.js';
import { buildAnsweredBlocks } from '../../blocks/reminders.js';
import { buildNotYoursMessage, buildPlainMessage } from '../../blocks/messages.js';
import type { Block } from '../../blocks/text.js';
import { blockActionSchema } from '../payloads.js';
import type { Deps } from '../deps.js';

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

const ephemeral = (respond: RespondFn, text: string) =>
  respond({ response_type: 'ephemeral', replace_original: false, ...buildPlainMessage(text) });

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
  const parsed = blockActionSchema.safeParse(body);
  const tokenId = parsed.success ? parsed.data.actions[0]?.value : undefined;
  if (!parsed.success || !tokenId || !TOKEN_ID.test(tokenId)) {
    await ephemeral(respond, 'That button is not valid any more.');
    return undefined;
  }
  const token = await deps.tokens.get(tokenId);
  if (!token) {
    await ephemeral(respond, 'I cannot find that token any more.');
    return undefined;
  }
  const userId = parsed.data.user.id;
  if (!mayAnswer(token, userId, opts.orphanOk ?? false)) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...buildNotYoursMessage(token.ownerId, opts.what) });
    return undefined;
  }
  if (token.status === 'rotated' || token.status === 'revoked') {
    await ephemeral(respond, `That token is already ${token.status === 'rotated' ? 'replaced' : 'marked no longer needed'}; its reminders have stopped.`);
    return undefined;
  }
  return {
    userId,
    token,
    triggerId: parsed.data.trigger_id,
    channel: parsed.data.channel?.id ?? parsed.data.container?.channel_id,
    ts: parsed.data.message?.ts ?? parsed.data.container?.message_ts,
    blocks: parsed.data.message?.blocks as Block[] | undefined,
  };
}

/** Rewrites the reminder to show the answer instead of its buttons. A failure is only logged. */
export async function showAnswer(deps: Deps, client: WebClient, at: { channel?: string; ts?: string; blocks?: Block[] }, answer: string): Promise<void> {
  if (!at.channel || !at.ts) return;
  const blocks = buildAnsweredBlocks(at.blocks ?? [], answer);
  await client.chat
    .update({ channel: at.channel, ts: at.ts, text: answer, blocks: blocks as never })
    .catch((err) => deps.logger.warn({ err }, 'could not update the reminder message'));
}
