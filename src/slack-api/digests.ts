import { ErrorCode, type WebClient } from '@slack/web-api';
import { buildAnsweredBlocks, buildDigestMessage, buildReminderMessage } from '../blocks/reminders.js';
import type { Message } from '../blocks/messages.js';
import type { ReminderCopy } from '../domain/reminders.js';
import type { TokenRecord } from '../domain/types.js';
import type { Logger } from '../logger.js';
import type { DigestStore } from '../store/digests.js';
import type { ReminderDigest } from '../store/schemas.js';
import type { TokenStore } from '../store/tokens.js';
import { findMarkedMessage, type MessageMark } from './message-marks.js';

/** How long a digest's first post may take before another delivery takes the posting over. */
const POSTER_STALE_MS = 20_000;
const WAIT_STEP_MS = 250;
const WAIT_STEPS = 12;
/** Rounds of "update, read again" before a later delivery is left to finish the message. */
const SYNC_ROUNDS = 6;

export interface DigestDeps {
  digests: DigestStore;
  tokens: Pick<TokenStore, 'get'>;
  client: WebClient;
  logger: Logger;
}

/** The mark a digest's DM carries: the claim of the delivery that posted it (see message-marks.ts). */
const markOfPoster = (poster: string): MessageMark => ({ event_type: 'btb_reminder', event_payload: { claim: poster } });

/** Thrown when another delivery is still posting the digest: BullMQ retries a little later. */
export class DigestBusyError extends Error {
  constructor() {
    super('another delivery is posting this digest');
  }
}

/** The digest's message from the stored lines; a single line reads as an ordinary reminder. */
async function buildFrom(deps: DigestDeps, userId: string, digest: ReminderDigest, now: number): Promise<Message | undefined> {
  const tokens = await Promise.all(digest.lines.map((l) => deps.tokens.get(l.t)));
  const lines = digest.lines.flatMap((l, i) => {
    const token = tokens[i];
    return token ? [{ token, threshold: l.th, ...(l.a ? { answer: l.a } : {}) }] : [];
  });
  if (lines.length === 0) return undefined;
  if (lines.length === 1) {
    const { token, threshold, answer } = lines[0]!;
    const single = buildReminderMessage({ token, threshold, tz: digest.tz, now, audience: token.ownerId === userId ? 'owner' : 'coOwner' });
    return answer ? { text: answer, blocks: buildAnsweredBlocks(single.blocks ?? [], answer) } : single;
  }
  return buildDigestMessage(lines, userId, digest.tz, now);
}

/** Brings the DM in line with the stored digest until a read after an update finds nothing new. */
async function syncMessage(deps: DigestDeps, userId: string, slot: string, now: number, shown?: string): Promise<void> {
  let last = shown;
  for (let round = 0; round < SYNC_ROUNDS; round++) {
    const digest = await deps.digests.get(userId, slot);
    if (!digest?.ch || !digest.ts) return;
    const state = JSON.stringify(digest.lines);
    if (state === last) return;
    const message = await buildFrom(deps, userId, digest, now);
    if (!message) return;
    await deps.client.chat.update({ channel: digest.ch, ts: digest.ts, text: message.text, blocks: message.blocks });
    last = state;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Puts (token, threshold) in `userId`'s digest of the local hour `slot` and makes the DM show
 * it: the first line posts the DM (carrying the poster's claim mark), later lines update it.
 * Idempotent: a retried delivery finds its line listed and only makes sure the DM shows it; a
 * poster that died after posting is found by its mark, one that died before is taken over.
 * Returns the copy to record, or undefined when the digest is full.
 */
export async function deliverDigestLine(
  deps: DigestDeps,
  args: { userId: string; slot: string; tz: string; token: TokenRecord; threshold: number; poster: string; now: number },
): Promise<ReminderCopy | undefined> {
  const { userId, slot, now, poster } = args;
  let digest = await deps.digests.addLine(userId, slot, { t: args.token.id, th: args.threshold }, { poster, at: now, tz: args.tz });
  if (!digest) return undefined;
  for (let step = 0; ; step++) {
    if (digest.ch && digest.ts) {
      await syncMessage(deps, userId, slot, now);
      return { to: userId, ch: digest.ch, ts: digest.ts, d: slot };
    }
    if (digest.poster === '') {
      // Nobody posts it (the last try was refused): this delivery does.
      await deps.digests.takeOver(userId, slot, '', poster, now);
      digest = (await deps.digests.get(userId, slot))!;
      continue;
    }
    if (digest.poster !== poster) {
      // Someone else posts it. Did they, and die before recording where?
      const found = await findMarkedMessage(deps.client, userId, markOfPoster(digest.poster), digest.at);
      if (found) {
        deps.logger.info({ userId, slot }, 'reminder was already in Slack; recorded it without sending again');
        digest =
          (await deps.digests.setMessage(userId, slot, digest.poster, found.channel, found.ts)) ?? (await deps.digests.get(userId, slot))!;
        continue;
      }
      // An earlier attempt of this same job (BullMQ runs one at a time) is over: no need to wait for it.
      const earlierAttempt = digest.poster.split('@')[0] === poster.split('@')[0];
      if (!earlierAttempt && now - digest.at < POSTER_STALE_MS && step < WAIT_STEPS) {
        await sleep(WAIT_STEP_MS);
        digest = (await deps.digests.get(userId, slot))!;
        continue;
      }
      if (!earlierAttempt && now - digest.at < POSTER_STALE_MS) throw new DigestBusyError();
      await deps.digests.takeOver(userId, slot, digest.poster, poster, now);
      digest = (await deps.digests.get(userId, slot))!;
      continue;
    }
    // This delivery posts it: first make sure an earlier attempt of the same claim did not.
    const message = await buildFrom(deps, userId, digest, now);
    if (!message) return undefined;
    const shown = JSON.stringify(digest.lines);
    let res: Awaited<ReturnType<WebClient['chat']['postMessage']>>;
    try {
      res = await deps.client.chat.postMessage({
        channel: userId,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        metadata: markOfPoster(poster),
      });
    } catch (err) {
      // Slack said no for sure (an ok:false answer, a 429): nothing was posted, so the next
      // delivery may post at once. A timeout or a 5xx may have posted: the mark will tell.
      const code = (err as { code?: string }).code;
      if (code === ErrorCode.PlatformError || code === ErrorCode.RateLimitedError) await deps.digests.takeOver(userId, slot, poster, '', 0);
      throw err;
    }
    const recorded = await deps.digests.setMessage(userId, slot, poster, res.channel ?? userId, res.ts ?? '');
    digest = recorded ?? (await deps.digests.get(userId, slot))!;
    if (digest.ch && digest.ts) {
      await syncMessage(deps, userId, slot, now, shown);
      return { to: userId, ch: digest.ch, ts: digest.ts, d: slot };
    }
  }
}

/** A button pressed in a digest: the answer replaces that token's buttons only. */
export async function answerDigestLine(deps: DigestDeps, copy: ReminderCopy, tokenId: string, answer: string, now: number): Promise<void> {
  if (!copy.d) return;
  await deps.digests.answer(copy.to, copy.d, tokenId, answer);
  await syncMessage(deps, copy.to, copy.d, now);
}
