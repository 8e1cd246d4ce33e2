import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Job } from 'bullmq';
import {
  EXPIRED,
  MAX_UNRESOLVED_CLAIMS,
  decideReminder,
  digestSlot,
  isWorkingTime,
  nextWorkingStart,
  type ReminderCopy,
  type ReminderClaim,
  type ReminderDecision,
  type ReminderSettings,
} from '../../domain/reminders.js';
import type { TokenEvent, TokenRecord } from '../../domain/types.js';
import { buildOrphanReminderMessage, buildPromotedMessage, buildReminderMessage, type ReminderAudience } from '../../blocks/reminders.js';
import { tokenPeople } from '../../domain/team.js';
import type { Message } from '../../blocks/messages.js';
import type { TokenStore } from '../../store/tokens.js';
import type { UserDirectory } from '../../slack-api/users.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { JOB, enqueueAdminSummaryChecks, enqueueReminderDeliveries, type JobQueue } from '../queue.js';
import type { JobProcessor } from '../worker.js';
import type { Metrics } from '../../metrics.js';
import { findMarkedMessage, type MessageMark } from '../../slack-api/message-marks.js';
import { deliverDigestLine } from '../../slack-api/digests.js';
import type { DigestStore } from '../../store/digests.js';

/**
 * Expiry reminders. The `<prefix>:reminders:due` sorted set holds one entry per token with
 * reminders pending, scored by when to look at it next. A BullMQ job scheduler runs the
 * `reminder-sweep` job every REMINDER_SWEEP_SECONDS (one schedule shared by all replicas); it
 * claims the due entries (cost proportional to what is due) and adds one `reminder-deliver`
 * job per token. Delivery decides in pure code (src/domain/reminders.ts), claims the
 * (token, threshold) in the token record by compare-and-set, sends, then confirms.
 */
/** How long a claimed entry stays with its delivery job before a sweep may claim it again. */
const LEASE_MS = 10 * 60_000;
/** A delivery claim older than this belongs to a process that died mid-send. */
const STALE_CLAIM_MS = 5 * 60_000;
const CLAIM_BATCH = 500;
const MAX_CLAIMS_PER_SWEEP = 20_000;
/** Retry later when there is nowhere to send an orphaned token's reminder. */
const NO_FALLBACK_RETRY_MS = 60 * 60_000;
/** Slack errors that mean the owner cannot be reached, ever: ask the fallback channel. */
const OWNER_GONE_ERRORS = new Set([
  'user_not_found',
  'account_inactive',
  'user_disabled',
  'cannot_dm_bot',
  'channel_not_found',
  'is_archived',
]);

export interface ReminderDeps {
  tokens: TokenStore;
  /** users.info through the jobs' client, which surfaces rate limits (src/slack-api/clients.ts). */
  users: Pick<UserDirectory, 'lookup'>;
  /** A Web API client with rejectRateLimitedCalls and no retries of its own. */
  client: WebClient;
  /** Where the sweep adds delivery jobs. */
  jobs: JobQueue;
  clock: Clock;
  settings: ReminderSettings;
  /** REMINDER_FALLBACK_CHANNEL_ID, else the approvals channel. */
  fallbackChannelId?: string;
  logger: Logger;
  /** Counts sent and failed reminders for /metrics. */
  metrics?: Pick<Metrics, 'remindersSent' | 'remindersFailed'>;
  /**
   * REMINDER_DIGEST: where each person's digest of a local hour is kept. When set, a person's
   * reminders due in the same local hour share one DM (src/slack-api/digests.ts).
   */
  digests?: DigestStore;
  /** ADMIN_USER_IDS: each sweep also adds their weekly summary checks (processors/admin-summary.ts). */
  adminUserIds?: readonly string[];
}

type SlackFailure = { kind: 'rate_limited'; retryAfterMs: number } | { kind: 'gone'; error: string } | { kind: 'transient' };

/** Sorts a Slack error: rate limit (wait Retry-After), owner gone (fallback), or transient (retry). */
export function classifySlackError(err: unknown): SlackFailure {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e.code === ErrorCode.RateLimitedError) return { kind: 'rate_limited', retryAfterMs: Math.max(1, e.retryAfter ?? 60) * 1000 };
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? '';
    if (code === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 60_000 };
    if (OWNER_GONE_ERRORS.has(code)) return { kind: 'gone', error: code };
  }
  return { kind: 'transient' };
}

const thresholdLabel = (t: number) => (t === EXPIRED ? 'expired' : `d${t}`);

/** The reminder job processors, by job name. */
export function createReminderProcessors(deps: ReminderDeps): Record<string, JobProcessor> {
  return {
    [JOB.reminderSweep]: () => sweepDueReminders(deps, deps.clock.now()),
    [JOB.reminderDeliver]: (job: Job) => deliverReminder(deps, String(job.data['tokenId']), String(job.id)),
  };
}

/**
 * Claims every token due at `now` and adds a delivery job for each. The job id is derived
 * from the due entry, so a sweep retried after a crash adds nothing twice; an entry whose
 * job never ran is claimed again when its lease runs out.
 *
 * The job is added before the entry is leased, never after: Redis replicates asynchronously
 * and in order, so a replica promoted in a failover (or an AOF cut short) holds a prefix of
 * these writes. Lease first and that prefix can hold the lease without the job, and the
 * reminder waits out LEASE_MS; job first and the worst case is a job whose entry is still
 * due, which the next sweep finds and adds again under the same id (a no-op).
 */
export async function sweepDueReminders(
  deps: Pick<ReminderDeps, 'tokens' | 'jobs' | 'logger' | 'adminUserIds'>,
  now: number,
): Promise<{ claimed: number }> {
  let claimed = 0;
  let seen = 0;
  while (seen < MAX_CLAIMS_PER_SWEEP) {
    const batch = await deps.tokens.dueReminders(now, CLAIM_BATCH);
    if (batch.length === 0) break;
    await enqueueReminderDeliveries(deps.jobs, batch);
    claimed += await deps.tokens.leaseReminders(batch, now + LEASE_MS);
    seen += batch.length;
    if (batch.length < CLAIM_BATCH) break;
  }
  if (claimed > 0) deps.logger.debug({ claimed }, 'reminder sweep');
  await enqueueAdminSummaryChecks(deps.jobs, deps.adminUserIds ?? []);
  return { claimed };
}

/** Where to look next after `decision`: a time, or undefined when nothing is pending. */
const nextLook = (decision: ReminderDecision, now: number): number | undefined =>
  decision.kind === 'done' ? undefined : decision.kind === 'wait' ? decision.at : now;

/** One place a reminder goes: the owner's or a co-owner's DM (in their timezone), or the team channel. */
interface Recipient {
  to: string;
  audience: ReminderAudience;
  tz: string;
}

/** Slack errors that mean the team channel cannot take posts: the copy is skipped, the others go. */
const CHANNEL_CLOSED_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/** The co-owners still in Slack (people, not bots), in order, with their timezones. */
async function presentCoOwners(deps: ReminderDeps, token: TokenRecord): Promise<Recipient[]> {
  const out: Recipient[] = [];
  for (const id of token.coOwners ?? []) {
    if (id === token.ownerId) continue;
    const user = await deps.users.lookup(id);
    if (user && !user.deleted && !user.isBot) out.push({ to: id, audience: 'coOwner', tz: user.tz });
  }
  return out;
}

/**
 * Looks at one token: reschedules it, or sends the reminder that is due to the owner, each
 * co-owner and the team channel (or to the fallback channel when the owner has left and no
 * co-owner is left to take over). Exactly once per (token, threshold, recipient): the claim and
 * the confirmation are compare-and-set writes of the token record, each copy is recorded in the
 * claim right after it is posted, and a claim left unconfirmed (crash, timeout) is resolved by
 * finding its messages in Slack before anything is sent again.
 */
export async function deliverReminder(deps: ReminderDeps, tokenId: string, jobId: string, afterPromotion = false): Promise<string> {
  const { tokens, settings, logger } = deps;
  const now = deps.clock.now();
  const token = await tokens.get(tokenId);
  if (token?.status !== 'active') {
    await tokens.unschedule(tokenId);
    return 'inactive';
  }
  let gone = false;
  let tz = 'UTC';
  let successor: Recipient | undefined;
  try {
    const owner = await deps.users.lookup(token.ownerId);
    gone = !owner || owner.deleted;
    tz = owner?.tz ?? 'UTC';
    if (gone && !afterPromotion) successor = (await presentCoOwners(deps, token))[0];
  } catch (err) {
    return handleFailure(deps, tokenId, undefined, err);
  }
  if (successor) {
    // The owner left Slack: the first co-owner still in it takes over, then the reminder goes on.
    await promoteCoOwner(deps, token, successor.to, now);
    return deliverReminder(deps, tokenId, jobId, true);
  }

  // Claim: decide and mark the (token, threshold) as being sent, in one compare-and-set.
  let decision: ReminderDecision = { kind: 'done' };
  let unresolved: ReminderClaim[] = [];
  const claim = await tokens.update(tokenId, (t) => {
    unresolved = [];
    if (t.status !== 'active') return { next: t, ops: [tokens.scheduleOp(tokenId, undefined)] };
    const sending = t.reminder?.sending;
    // A paused delivery (a co-owner was outside their working hours) goes on where it stopped.
    decision = sending?.paused
      ? { kind: 'send', threshold: sending.threshold, repeat: false, skipped: [] }
      : decideReminder(t, settings, gone ? 'UTC' : tz, now);
    if (decision.kind !== 'send') return { next: t, ops: [tokens.scheduleOp(tokenId, nextLook(decision, now))] };
    if (sending && !sending.paused && sending.by !== jobId && now - sending.at < STALE_CLAIM_MS) {
      decision = { kind: 'wait', at: sending.at + STALE_CLAIM_MS };
      return undefined; // another delivery holds it; its lease keeps the entry scheduled
    }
    // Every earlier claim whose message may have reached Slack stays listed until a look in
    // Slack settles it: a look that fails keeps them, so a later attempt looks for them again.
    // A paused claim has nothing in flight: its copies are all in `sent`.
    if (sending) {
      const earlier = sending.paused ? [] : [{ threshold: sending.threshold, at: sending.at, by: sending.by }];
      unresolved = [...(sending.unresolved ?? []), ...earlier].slice(-MAX_UNRESOLVED_CLAIMS);
    }
    const carried = sending && sending.threshold === decision.threshold ? sending.sent : undefined;
    const mine = {
      threshold: decision.threshold,
      at: now,
      by: jobId,
      ...(unresolved.length > 0 ? { unresolved } : {}),
      ...(carried?.length ? { sent: carried } : {}),
    };
    return {
      next: { ...t, reminder: { ...t.reminder, sending: mine } },
      ops: [tokens.scheduleOp(tokenId, now + LEASE_MS)],
    };
  });
  const sendDecision = decision as ReminderDecision;
  if (!claim?.changed || sendDecision.kind !== 'send') return sendDecision.kind;
  const claimed = claim.token;
  const mark = markOf({ by: jobId, at: now });
  const sent: ReminderCopy[] = [...(claimed.reminder?.sending?.sent ?? [])];
  const model = { token: claimed, threshold: sendDecision.threshold, tz, now };

  let recipients: Recipient[] = [];
  if (!gone) {
    try {
      recipients = [
        { to: claimed.ownerId, audience: 'owner', tz },
        ...(await presentCoOwners(deps, claimed)),
        ...(claimed.teamChannelId ? [{ to: claimed.teamChannelId, audience: 'channel' as const, tz }] : []),
      ];
    } catch (err) {
      return handleFailure(deps, tokenId, jobId, err, true);
    }
  }

  if (unresolved.length > 0) {
    // Claims left behind by deliveries that died or failed after their message may have reached
    // Slack (a crash, a timeout, a 5xx): look for their messages before sending, so none is sent twice.
    logger.warn(
      { tokenId, claims: unresolved.map((c) => `${thresholdLabel(c.threshold)} by ${c.by}`) },
      'taking over unfinished reminder claims; checking Slack for their messages',
    );
    let found: { gone: boolean; claim: ReminderClaim; copies: ReminderCopy[] } | undefined;
    try {
      // A person's digest line is found through the digest itself (deliverDigestLine is idempotent);
      // a DM of its own (their digest was full) by its own mark (see ownDmMark).
      found = await findPostedReminders(deps, recipients, sent, unresolved);
    } catch (err) {
      // Still unknown whether an earlier message went out: the claims must stay.
      return handleFailure(deps, tokenId, jobId, err, true);
    }
    if (
      found &&
      (found.gone ||
        found.claim.threshold !== sendDecision.threshold ||
        recipients.every((r) => hasCopy(found.copies, r.to) || hasCopy(sent, r.to)))
    ) {
      // Everyone got it already (or it was an earlier threshold, or the owner had left then): record it.
      const { threshold } = found.claim;
      const copies = found.claim.threshold === sendDecision.threshold ? mergeCopies(sent, found.copies) : found.copies;
      await confirm(deps, tokenId, jobId, { kind: 'send', threshold, repeat: false, skipped: [] }, found.gone, tz, now, copies);
      logger.info({ tokenId, threshold: thresholdLabel(threshold) }, 'reminder was already in Slack; recorded it without sending again');
      return 'already_sent';
    }
    if (found) sent.push(...found.copies.filter((c) => !hasCopy(sent, c.to)));
  }

  let ownerUnreachable = gone;
  const deferred: Recipient[] = [];
  let posted = 0;
  try {
    for (const r of recipients) {
      if (hasCopy(sent, r.to)) continue;
      // Each person hears in their own working hours; the owner's decided that the reminder is due.
      if (r.audience === 'coOwner' && !isWorkingTime(now, r.tz, settings)) {
        deferred.push(r);
        continue;
      }
      let copy: ReminderCopy;
      try {
        const line =
          deps.digests && r.audience !== 'channel'
            ? await deliverDigestLine(
                { digests: deps.digests, tokens, client: deps.client, logger },
                {
                  userId: r.to,
                  slot: await digestSlotFor(deps.digests, r, claimed.id, sendDecision.threshold, unresolved, now),
                  tz: r.tz,
                  token: claimed,
                  threshold: sendDecision.threshold,
                  poster: mark.event_payload['claim']!,
                  now,
                },
              )
            : undefined;
        const message = buildReminderMessage({ ...model, tz: r.tz, audience: r.audience });
        copy = line ?? (await postCopy(deps, r.to, message, ownDmMark(deps, r, mark)));
      } catch (err) {
        const failure = classifySlackError(err);
        const code = (err as { data?: { error?: string } }).data?.error ?? '';
        if (r.audience === 'channel' && CHANNEL_CLOSED_ERRORS.has(code)) {
          logger.warn({ tokenId, channel: r.to, error: code }, 'team channel does not take posts; its copy is skipped');
          continue;
        }
        if (failure.kind !== 'gone') throw err;
        if (r.audience === 'owner') ownerUnreachable = true;
        logger.info({ tokenId, to: r.to, error: failure.error }, 'recipient unreachable; copy skipped');
        continue;
      }
      sent.push(copy);
      posted += 1;
      await recordCopies(deps, tokenId, jobId, sent);
    }
    if (ownerUnreachable && sent.length === 0 && deferred.length === 0) {
      // Nobody of the token's people could be reached: the fallback channel is asked to adopt it.
      if (!gone) logger.info({ tokenId }, 'owner unreachable; asking the fallback channel');
      gone = true;
      if (!deps.fallbackChannelId) {
        logger.error(
          { tokenId, ownerId: claimed.ownerId },
          'owner has left and no REMINDER_FALLBACK_CHANNEL_ID or APPROVAL_CHANNEL_ID is set; will retry',
        );
        await release(deps, tokenId, jobId, now + NO_FALLBACK_RETRY_MS);
        return 'no_fallback';
      }
      sent.push(await postCopy(deps, deps.fallbackChannelId, buildOrphanReminderMessage({ ...model, tz: 'UTC' }), mark));
      posted += 1;
    }
  } catch (err) {
    return handleFailure(deps, tokenId, jobId, err);
  }
  if (deferred.length > 0) {
    const at = Math.min(...deferred.map((r) => nextWorkingStart(now, r.tz, settings)));
    await pause(deps, tokenId, jobId, sent, at);
    logger.info(
      { tokenId, threshold: thresholdLabel(sendDecision.threshold), waiting: deferred.length },
      'reminder sent; co-owners outside working hours wait',
    );
    if (posted > 0) deps.metrics?.remindersSent.inc();
    return 'partial';
  }
  await confirm(deps, tokenId, jobId, sendDecision, gone, tz, now, sent);
  logger.info({ tokenId, threshold: thresholdLabel(sendDecision.threshold), fallback: gone, copies: sent.length }, 'reminder sent');
  deps.metrics?.remindersSent.inc();
  return gone ? 'sent_fallback' : 'sent';
}

const hasCopy = (copies: readonly ReminderCopy[], to: string) => copies.some((c) => c.to === to);
const mergeCopies = (a: readonly ReminderCopy[], b: readonly ReminderCopy[]) => [...a, ...b.filter((c) => !hasCopy(a, c.to))];

/** Posts one copy; where it landed (the DM's channel id for a user) is what chat.update needs later. */
async function postCopy(deps: ReminderDeps, to: string, message: Message, mark: MessageMark): Promise<ReminderCopy> {
  const res = await deps.client.chat.postMessage({
    channel: to,
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    metadata: mark,
  });
  return { to, ch: res.channel ?? to, ts: res.ts ?? '' };
}

/** Records the copies posted so far in the claim (only while this delivery still holds it). */
async function recordCopies(deps: ReminderDeps, tokenId: string, jobId: string, sent: readonly ReminderCopy[]): Promise<void> {
  await deps.tokens.update(tokenId, (t) => {
    const sending = t.reminder?.sending;
    if (sending?.by !== jobId) return undefined;
    return { next: { ...t, reminder: { ...t.reminder, sending: { ...sending, sent: [...sent] } } } };
  });
}

/** Stops a delivery on purpose with its copies recorded; the next look at `at` goes on. */
async function pause(deps: ReminderDeps, tokenId: string, jobId: string, sent: readonly ReminderCopy[], at: number): Promise<void> {
  await deps.tokens.update(tokenId, (t) => {
    const sending = t.reminder?.sending;
    if (sending?.by !== jobId) return undefined;
    const { unresolved: _settled, ...rest } = sending;
    return {
      next: { ...t, reminder: { ...t.reminder, sending: { ...rest, sent: [...sent], paused: true } } },
      ops: [deps.tokens.scheduleOp(tokenId, at)],
    };
  });
}

/**
 * The owner has left Slack: `successorId` (the first co-owner still in it) becomes the owner,
 * in one compare-and-set with its history entry; only the delivery that made the change tells
 * the token's people and its team channel.
 */
async function promoteCoOwner(deps: ReminderDeps, token: TokenRecord, successorId: string, now: number): Promise<void> {
  const formerId = token.ownerId;
  const result = await deps.tokens.update(token.id, (t) => {
    if (t.ownerId !== formerId || !t.coOwners?.includes(successorId)) return undefined;
    const coOwners = t.coOwners.filter((id) => id !== successorId && id !== formerId);
    const { coOwners: _old, ...rest } = t;
    const { orphanedAt: _orphan, ...reminder } = t.reminder ?? {};
    return {
      next: { ...rest, ownerId: successorId, ...(coOwners.length > 0 ? { coOwners } : {}), reminder },
      event: { at: now, type: 'promoted', by: successorId, detail: `from ${formerId}, who left Slack` },
    };
  });
  if (!result?.changed) return;
  deps.logger.info({ tokenId: token.id, from: formerId, to: successorId }, 'owner left Slack; first co-owner promoted');
  const message = buildPromotedMessage(result.token, formerId);
  const audience = [...tokenPeople(result.token), ...(result.token.teamChannelId ? [result.token.teamChannelId] : [])];
  for (const to of audience) {
    // Best effort: the promotion itself is recorded; a notice Slack does not take is only logged.
    await deps.client.chat
      .postMessage({ channel: to, text: message.text, blocks: message.blocks, unfurl_links: false })
      .catch((err) => deps.logger.warn({ err, tokenId: token.id, to }, 'could not tell about the new owner'));
  }
}

/** The claim that sent a reminder, carried in its message metadata (see message-marks.ts). */
const markOf = (claim: { by: string; at: number }): MessageMark => ({
  event_type: 'btb_reminder',
  event_payload: { claim: `${claim.by}@${claim.at}` },
});

/**
 * The digest (local hour) a person's line goes in: the hour of now, unless a delivery that died
 * (an unresolved claim) listed this (token, threshold) in the digest of its own hour, which
 * may be an earlier one: then that digest, so the line is never listed (and sent) twice.
 */
async function digestSlotFor(
  digests: NonNullable<ReminderDeps['digests']>,
  r: Pick<Recipient, 'to' | 'tz'>,
  tokenId: string,
  threshold: number,
  unresolved: readonly ReminderClaim[],
  now: number,
): Promise<string> {
  const current = digestSlot(now, r.tz);
  for (const claim of unresolved) {
    const slot = digestSlot(claim.at, r.tz);
    if (slot === current || claim.threshold !== threshold) continue;
    const digest = await digests.get(r.to, slot);
    if (digest?.lines.some((l) => l.t === tokenId && l.th === threshold)) return slot;
  }
  return current;
}

/**
 * The mark of a reminder copy to `r`. With digests on, a person's reminder DM of its own (their
 * digest of that hour was full) carries `own: '1'` so that looking for it never mistakes the
 * digest DM the same claim posted (marked with the claim only) for it, and the reverse.
 */
function ownDmMark(deps: Pick<ReminderDeps, 'digests'>, r: Pick<Recipient, 'audience'>, mark: MessageMark): MessageMark {
  return deps.digests && r.audience !== 'channel' ? { ...mark, event_payload: { ...mark.event_payload, own: '1' } } : mark;
}

/**
 * Looks in each recipient's conversation not yet recorded, and in the fallback channel, for
 * messages one of `claims` sent. Only called after a delivery died or failed mid-send, so the
 * cost is rare. Returns the first claim found with every copy of it found.
 */
async function findPostedReminders(
  deps: ReminderDeps,
  recipients: readonly Recipient[],
  sent: readonly ReminderCopy[],
  claims: readonly ReminderClaim[],
): Promise<{ gone: boolean; claim: ReminderClaim; copies: ReminderCopy[] } | undefined> {
  for (const claim of claims) {
    const copies: ReminderCopy[] = [];
    for (const r of recipients) {
      if (hasCopy(sent, r.to)) continue;
      const found = await findMarkedMessage(deps.client, r.to, ownDmMark(deps, r, markOf(claim)), claim.at);
      if (found) copies.push({ to: r.to, ch: found.channel, ts: found.ts });
    }
    if (copies.length > 0) return { gone: false, claim, copies };
    if (deps.fallbackChannelId) {
      const found = await findMarkedMessage(deps.client, deps.fallbackChannelId, markOf(claim), claim.at);
      if (found) return { gone: true, claim, copies: [{ to: deps.fallbackChannelId, ch: found.channel, ts: found.ts }] };
    }
  }
  return undefined;
}

/** Records the sent reminder (the idempotency marker) and schedules the next look. */
async function confirm(
  deps: ReminderDeps,
  tokenId: string,
  jobId: string,
  decision: Extract<ReminderDecision, { kind: 'send' }>,
  gone: boolean,
  tz: string,
  now: number,
  copies: readonly ReminderCopy[] = [],
): Promise<void> {
  const { tokens, settings } = deps;
  const label = thresholdLabel(decision.threshold);
  const detail = [
    decision.repeat ? `${label} again after snooze` : label,
    decision.skipped.length > 0 ? `skipped ${decision.skipped.map(thresholdLabel).join(',')}` : '',
    gone ? `owner gone: sent to ${deps.fallbackChannelId}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  await tokens.update(tokenId, (t) => {
    if (t.reminder?.sending?.by !== jobId) return undefined;
    const { sending: _sent, snoozedUntil: _snooze, ...rest } = t.reminder;
    const expired = decision.threshold === EXPIRED && t.status === 'active';
    const next: TokenRecord = {
      ...t,
      status: expired ? 'expired' : t.status,
      reminder: {
        ...rest,
        last: decision.threshold,
        ...(gone ? { orphanedAt: now } : {}),
        ...(copies.length > 0 ? { copies: [...copies] } : { copies: undefined }),
      },
    };
    const after = next.status === 'active' ? nextLook(decideReminder(next, settings, gone ? 'UTC' : tz, now), now) : undefined;
    const ops = [tokens.scheduleOp(tokenId, after === now ? now + 1 : after)];
    const reminded: TokenEvent = { at: now, type: 'reminded', detail };
    return { next, ops, event: expired ? [{ at: now, type: 'expired', detail: t.expiresOn }, reminded] : reminded };
  });
}

/**
 * Gives up a claim, and looks again at `at`. With `keepClaim` (the message may have reached
 * Slack: timeout, 5xx, network error) the claim stays, so the next attempt checks Slack first.
 */
async function release(deps: ReminderDeps, tokenId: string, jobId: string | undefined, at: number, keepClaim = false): Promise<void> {
  await deps.tokens.update(tokenId, (t) => {
    const sending = t.reminder?.sending;
    const mine = !keepClaim && jobId !== undefined && sending?.by === jobId;
    if (!mine || !sending) return { next: t, ops: [deps.tokens.scheduleOp(tokenId, at)] };
    const { sending: _s, ...rest } = t.reminder ?? {};
    // Copies already posted stay recorded: the next attempt sends only the missing ones.
    const { unresolved, sent } = sending;
    const keep = sent?.length || unresolved?.length ? { ...sending, paused: true } : undefined;
    return { next: { ...t, reminder: keep ? { ...rest, sending: keep } : rest }, ops: [deps.tokens.scheduleOp(tokenId, at)] };
  });
}

/** An `ok:false` answer: Slack read the request and did not post anything. */
const isDefiniteRefusal = (err: unknown) => (err as { code?: string }).code === ErrorCode.PlatformError;

/** 429: wait Retry-After without holding a worker; anything else: BullMQ retries with backoff. */
async function handleFailure(
  deps: ReminderDeps,
  tokenId: string,
  jobId: string | undefined,
  err: unknown,
  keepClaim = false,
): Promise<string> {
  const failure = classifySlackError(err);
  if (failure.kind === 'rate_limited') {
    deps.logger.info({ tokenId, retryAfterMs: failure.retryAfterMs }, 'Slack rate limit; reminder rescheduled');
    await release(deps, tokenId, jobId, deps.clock.now() + failure.retryAfterMs, keepClaim);
    return 'rate_limited';
  }
  deps.metrics?.remindersFailed.inc();
  // Keep the lease: if every retry fails, the sweep claims the entry again when it runs out.
  // Keep the claim too unless Slack said no for sure: a timed-out post may have been delivered.
  await release(deps, tokenId, jobId, deps.clock.now() + LEASE_MS, keepClaim || !isDefiniteRefusal(err));
  throw err;
}
