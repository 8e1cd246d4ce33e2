import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Job } from 'bullmq';
import {
  EXPIRED,
  MAX_UNRESOLVED_CLAIMS,
  decideReminder,
  type ReminderClaim,
  type ReminderDecision,
  type ReminderSettings,
} from '../../domain/reminders.js';
import type { TokenEvent, TokenRecord } from '../../domain/types.js';
import { buildOrphanReminderMessage, buildReminderMessage } from '../../blocks/reminders.js';
import type { Message } from '../../blocks/messages.js';
import type { TokenStore } from '../../store/tokens.js';
import type { UserDirectory } from '../../slack-api/users.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { JOB, enqueueAdminSummaryChecks, enqueueReminderDeliveries, type JobQueue } from '../queue.js';
import type { JobProcessor } from '../worker.js';
import type { Metrics } from '../../metrics.js';
import { hasMarkedMessage, type MessageMark } from '../../slack-api/message-marks.js';

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

/**
 * Looks at one token: reschedules it, or sends the reminder that is due (to the owner, or to
 * the fallback channel when the owner has left). Exactly once per (token, threshold): the
 * claim and the confirmation are compare-and-set writes of the token record, and a claim left
 * unconfirmed (crash, timeout) is resolved by finding its message in Slack before sending.
 */
export async function deliverReminder(deps: ReminderDeps, tokenId: string, jobId: string): Promise<string> {
  const { tokens, settings, logger } = deps;
  const now = deps.clock.now();
  const token = await tokens.get(tokenId);
  if (token?.status !== 'active') {
    await tokens.unschedule(tokenId);
    return 'inactive';
  }
  let gone = false;
  let tz = 'UTC';
  try {
    const owner = await deps.users.lookup(token.ownerId);
    gone = !owner || owner.deleted;
    tz = owner?.tz ?? 'UTC';
  } catch (err) {
    return handleFailure(deps, tokenId, undefined, err);
  }

  // Claim: decide and mark the (token, threshold) as being sent, in one compare-and-set.
  let decision: ReminderDecision = { kind: 'done' };
  let unresolved: ReminderClaim[] = [];
  const claim = await tokens.update(tokenId, (t) => {
    unresolved = [];
    if (t.status !== 'active') return { next: t, ops: [tokens.scheduleOp(tokenId, undefined)] };
    decision = decideReminder(t, settings, gone ? 'UTC' : tz, now);
    if (decision.kind !== 'send') return { next: t, ops: [tokens.scheduleOp(tokenId, nextLook(decision, now))] };
    const sending = t.reminder?.sending;
    if (sending && sending.by !== jobId && now - sending.at < STALE_CLAIM_MS) {
      decision = { kind: 'wait', at: sending.at + STALE_CLAIM_MS };
      return undefined; // another delivery holds it; its lease keeps the entry scheduled
    }
    // Every earlier claim whose message may have reached Slack stays listed until a look in
    // Slack settles it: a look that fails keeps them, so a later attempt looks for them again.
    if (sending)
      unresolved = [...(sending.unresolved ?? []), { threshold: sending.threshold, at: sending.at, by: sending.by }].slice(
        -MAX_UNRESOLVED_CLAIMS,
      );
    const mine = { threshold: decision.threshold, at: now, by: jobId };
    return {
      next: { ...t, reminder: { ...t.reminder, sending: unresolved.length > 0 ? { ...mine, unresolved } : mine } },
      ops: [tokens.scheduleOp(tokenId, now + LEASE_MS)],
    };
  });
  const sendDecision = decision as ReminderDecision;
  if (!claim?.changed || sendDecision.kind !== 'send') return sendDecision.kind;
  const claimed = claim.token;
  const mark = markOf({ by: jobId, at: now });

  if (unresolved.length > 0) {
    // Claims left behind by deliveries that died or failed after their message may have reached
    // Slack (a crash, a timeout, a 5xx): look for their messages before sending, so none is sent twice.
    logger.warn(
      { tokenId, claims: unresolved.map((c) => `${thresholdLabel(c.threshold)} by ${c.by}`) },
      'taking over unfinished reminder claims; checking Slack for their messages',
    );
    let found: { gone: boolean; claim: ReminderClaim } | undefined;
    try {
      found = await findPostedReminder(deps, claimed.ownerId, gone, unresolved);
    } catch (err) {
      // Still unknown whether an earlier message went out: the claims must stay.
      return handleFailure(deps, tokenId, jobId, err, true);
    }
    if (found) {
      const { threshold } = found.claim;
      await confirm(deps, tokenId, jobId, { kind: 'send', threshold, repeat: false, skipped: [] }, found.gone, tz, now);
      logger.info({ tokenId, threshold: thresholdLabel(threshold) }, 'reminder was already in Slack; recorded it without sending again');
      return 'already_sent';
    }
  }

  const model = { token: claimed, threshold: sendDecision.threshold, tz, now };
  try {
    if (!gone) {
      try {
        await postMessage(deps, claimed.ownerId, buildReminderMessage(model), mark);
      } catch (err) {
        const failure = classifySlackError(err);
        if (failure.kind !== 'gone') throw err;
        logger.info({ tokenId, error: failure.error }, 'owner unreachable; asking the fallback channel');
        gone = true;
      }
    }
    if (gone) {
      if (!deps.fallbackChannelId) {
        logger.error(
          { tokenId, ownerId: claimed.ownerId },
          'owner has left and no REMINDER_FALLBACK_CHANNEL_ID or APPROVAL_CHANNEL_ID is set; will retry',
        );
        await release(deps, tokenId, jobId, now + NO_FALLBACK_RETRY_MS);
        return 'no_fallback';
      }
      await postMessage(deps, deps.fallbackChannelId, buildOrphanReminderMessage({ ...model, tz: 'UTC' }), mark);
    }
  } catch (err) {
    return handleFailure(deps, tokenId, jobId, err);
  }
  await confirm(deps, tokenId, jobId, sendDecision, gone, tz, now);
  logger.info({ tokenId, threshold: thresholdLabel(sendDecision.threshold), fallback: gone }, 'reminder sent');
  deps.metrics?.remindersSent.inc();
  return gone ? 'sent_fallback' : 'sent';
}

/** The claim that sent a reminder, carried in its message metadata (see message-marks.ts). */
const markOf = (claim: { by: string; at: number }): MessageMark => ({
  event_type: 'btb_reminder',
  event_payload: { claim: `${claim.by}@${claim.at}` },
});

async function postMessage(deps: ReminderDeps, channel: string, message: Message, mark: MessageMark): Promise<void> {
  await deps.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, metadata: mark });
}

/**
 * Looks in the owner's DM (unless they are gone) and the fallback channel for a message one of
 * `claims` sent. Only called after a delivery died or failed mid-send, so the cost is rare.
 */
async function findPostedReminder(
  deps: ReminderDeps,
  ownerId: string,
  gone: boolean,
  claims: readonly ReminderClaim[],
): Promise<{ gone: boolean; claim: ReminderClaim } | undefined> {
  for (const claim of claims) {
    if (!gone && (await hasMarkedMessage(deps.client, ownerId, markOf(claim), claim.at))) return { gone: false, claim };
    if (deps.fallbackChannelId && (await hasMarkedMessage(deps.client, deps.fallbackChannelId, markOf(claim), claim.at)))
      return { gone: true, claim };
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
      reminder: { ...rest, last: decision.threshold, ...(gone ? { orphanedAt: now } : {}) },
    };
    const after = next.status === 'active' ? nextLook(decideReminder(next, settings, gone ? 'UTC' : tz, now), now) : undefined;
    const ops = [tokens.scheduleOp(tokenId, after === now ? now + 1 : after)];
    if (expired) ops.push(tokens.historyOp(tokenId, { at: now, type: 'expired', detail: t.expiresOn }));
    const event: TokenEvent = { at: now, type: 'reminded', detail };
    return { next, ops, event };
  });
}

/**
 * Gives up a claim, and looks again at `at`. With `keepClaim` (the message may have reached
 * Slack: timeout, 5xx, network error) the claim stays, so the next attempt checks Slack first.
 */
async function release(deps: ReminderDeps, tokenId: string, jobId: string | undefined, at: number, keepClaim = false): Promise<void> {
  await deps.tokens.update(tokenId, (t) => {
    const mine = !keepClaim && jobId !== undefined && t.reminder?.sending?.by === jobId;
    const { sending: _s, ...rest } = t.reminder ?? {};
    return { next: mine ? { ...t, reminder: rest } : t, ops: [deps.tokens.scheduleOp(tokenId, at)] };
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
