import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { TOKEN_ID } from '../../domain/record-ids.js';
import type { TokenRecord } from '../../domain/types.js';
import { buildAnsweredBlocks, buildOrphanReminderMessage, buildReminderMessage } from '../../blocks/reminders.js';
import { buildNotYoursMessage } from '../../blocks/messages.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../clock.js';
import type { TokenStore } from '../../store/tokens.js';
import { createRecordButtonListener, type ButtonPress } from './record-button.js';

/** A press of one of a reminder's buttons, with the reminder as the bot last sent it. */
export interface ReminderPress extends ButtonPress<TokenRecord> {
  /** Rebuilt from the stored token, never copied from the payload (it may be tampered with). */
  blocks: KnownBlock[];
}

/** Who may press: the owner; anyone once the owner has left (`orphanedAt`), when `orphanOk`. */
export function mayAnswer(token: TokenRecord, userId: string, orphanOk: boolean): boolean {
  return token.ownerId === userId || (orphanOk && token.reminder?.orphanedAt !== undefined);
}

/**
 * The listener of a reminder button (Renew, Already rotated, No longer needed, Snooze, Adopt):
 * the token must exist, be the presser's (or orphaned, with `orphanOk`) and still be live.
 */
export function createReminderButtonListener(
  deps: { tokens: Pick<TokenStore, 'get'>; logger: Logger; clock: Clock; wallClock: Clock },
  opts: { what: string; orphanOk?: boolean },
  act: (press: ReminderPress) => Promise<void>,
) {
  return createRecordButtonListener<TokenRecord>(deps, {
    idPattern: TOKEN_ID,
    load: (id) => deps.tokens.get(id),
    invalidText: 'That button is not valid any more.',
    missingText: 'I cannot find that token any more.',
    refuse(token, userId) {
      if (!mayAnswer(token, userId, opts.orphanOk ?? false)) return buildNotYoursMessage(token.ownerId, opts.what);
      if (token.status === 'rotated' || token.status === 'revoked') {
        return `That token is already ${token.status === 'rotated' ? 'replaced' : 'marked no longer needed'}; its reminders have stopped.`;
      }
      return undefined;
    },
    act: (press) => act({ ...press, blocks: rebuildReminderBlocks(press.record, deps.clock.now()) }),
  });
}

/** The reminder message as the bot last sent it for this token, from the stored record. */
function rebuildReminderBlocks(token: TokenRecord, now: number): KnownBlock[] {
  const model = { token, threshold: token.reminder?.last ?? 0, tz: 'UTC', now };
  const message = token.reminder?.orphanedAt !== undefined ? buildOrphanReminderMessage(model) : buildReminderMessage(model);
  return message.blocks ?? [];
}

/** Rewrites the reminder to show the answer instead of its buttons. A failure is only logged. */
export async function showAnswer(
  logger: Logger,
  client: WebClient,
  at: { channel?: string; ts?: string; blocks?: readonly KnownBlock[] },
  answer: string,
): Promise<void> {
  if (!at.channel || !at.ts) return;
  const blocks = buildAnsweredBlocks(at.blocks ?? [], answer);
  await client.chat
    .update({ channel: at.channel, ts: at.ts, text: answer, blocks })
    .catch((err) => logger.warn({ err }, 'could not update the reminder message'));
}
