import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { TOKEN_ID } from '../../domain/record-ids.js';
import type { TokenRecord } from '../../domain/types.js';
import { audienceOf, buildAnsweredBlocks, buildOrphanReminderMessage, buildReminderMessage } from '../../blocks/reminders.js';
import { tokenPeople } from '../../domain/team.js';
import { buildNotYoursMessage } from '../../blocks/messages.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../clock.js';
import type { TokenStore } from '../../store/tokens.js';
import type { DigestStore } from '../../store/digests.js';
import type { ReminderCopy } from '../../domain/reminders.js';
import { answerDigestLine } from '../../slack-api/digests.js';
import { createRecordButtonListener, type ButtonPress } from './record-button.js';

/** A press of one of a reminder's buttons, with the reminder as the bot last sent it. */
export interface ReminderPress extends ButtonPress<TokenRecord> {
  /** Rebuilt from the stored token, never copied from the payload (it may be tampered with). */
  blocks: KnownBlock[];
}

/** Who may press: the owner or a co-owner; anyone once the owner has left (`orphanedAt`), when `orphanOk`. */
export function mayAnswer(token: TokenRecord, userId: string, orphanOk: boolean): boolean {
  return tokenPeople(token).includes(userId) || (orphanOk && token.reminder?.orphanedAt !== undefined);
}

/**
 * The listener of a reminder button (Renew, Already rotated, No longer needed, Snooze, Adopt):
 * the token must exist, be the presser's (or orphaned, with `orphanOk`) and still be live.
 */
export function createReminderButtonListener(
  deps: { tokens: Pick<TokenStore, 'get'>; logger: Logger; clock: Clock; wallClock: Clock; modalClient: WebClient },
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

/** The reminder message as the bot last sent it for this token (to `to`), from the stored record. */
function rebuildReminderBlocks(token: TokenRecord, now: number, to?: string): KnownBlock[] {
  const sending = token.reminder?.sending;
  const model = { token, threshold: sending?.paused ? sending.threshold : (token.reminder?.last ?? 0), tz: 'UTC', now };
  const message =
    token.reminder?.orphanedAt !== undefined
      ? buildOrphanReminderMessage(model)
      : buildReminderMessage({ ...model, audience: to ? audienceOf(token, to) : 'owner' });
  return message.blocks ?? [];
}

/**
 * Shows the answer in every copy of the token's last reminder (the owner's DM, each co-owner's,
 * the team channel's) and in the pressed message: each is rewritten from the stored record.
 */
export async function showAnswerEverywhere(
  deps: { logger: Logger; clock: Clock; tokens: Pick<TokenStore, 'get'>; digests: DigestStore },
  client: WebClient,
  token: TokenRecord,
  at: { channel?: string; ts?: string },
  answer: string,
): Promise<void> {
  const copies = [...(token.reminder?.copies ?? []), ...(token.reminder?.sending?.sent ?? [])];
  const targets = new Map<string, { channel: string; ts: string; to?: string; copy?: ReminderCopy }>();
  if (at.channel && at.ts) targets.set(`${at.channel}/${at.ts}`, { channel: at.channel, ts: at.ts });
  for (const c of copies) targets.set(`${c.ch}/${c.ts}`, { channel: c.ch, ts: c.ts, to: c.to, copy: c });
  const now = deps.clock.now();
  const digestDeps = { digests: deps.digests, tokens: deps.tokens, client, logger: deps.logger };
  await Promise.all(
    [...targets.values()].map((t) =>
      // A digest line: only that token's buttons give way to the answer; the other lines keep theirs.
      t.copy?.d
        ? answerDigestLine(digestDeps, t.copy, token.id, answer, now).catch((err) =>
            deps.logger.warn({ err }, 'could not update the digest'),
          )
        : showAnswer(deps.logger, client, { ...t, blocks: rebuildReminderBlocks(token, now, t.to) }, answer),
    ),
  );
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
