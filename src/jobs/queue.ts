import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createQueueRedis, type RedisTarget } from '../store/redis.js';
import type { Logger } from '../logger.js';

/**
 * The producer side of the bot's background work: one BullMQ queue, every job name and job id
 * in this file, and the `enqueue*` functions listeners and processors call. Keys live under
 * `<REDIS_KEY_PREFIX>:bull:<queue>:*`. The consumer side is src/jobs/worker.ts.
 */
export const QUEUE_NAME = 'jobs';

/** Every job the bot runs, by name. */
export const JOB = {
  /** Every REMINDER_SWEEP_SECONDS: claims the tokens due for a reminder, adds a delivery each. */
  reminderSweep: 'reminder-sweep',
  /** Sends one token's due reminder, exactly once. */
  reminderDeliver: 'reminder-deliver',
  /** Retries a checklist DM that Slack did not take at once. */
  checklistSend: 'checklist-send',
  /** Posts a flagged request to the approvals channel and DMs the requester a link. */
  approvalPost: 'approval-post',
  /** The one nudge in the thread after APPROVAL_REMIND_HOURS. */
  approvalRemind: 'approval-remind',
  /** Expires a request still pending after APPROVAL_EXPIRE_DAYS. */
  approvalExpire: 'approval-expire',
  /** After a decision: rewrite the parent, note it in the thread, tell the requester. */
  approvalOutcome: 'approval-outcome',
  /** Atlassian organization sync: every ORG_SYNC_HOURS, at start-up and from an admin's "Sync now". */
  orgSync: 'org-sync',
  /** Added by each reminder sweep per admin: sends the admin's weekly summary once it is due. */
  adminSummary: 'admin-summary',
  /** Sends one notice the organization sync owes (expiry corrected, revoked, unused, owner unknown), exactly once. */
  orgNotice: 'org-notice',
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];
export type ApprovalJobName = typeof JOB.approvalPost | typeof JOB.approvalRemind | typeof JOB.approvalExpire | typeof JOB.approvalOutcome;

/*
 * Job ids make enqueueing idempotent: adding a job whose id exists is a no-op. BullMQ ids may
 * not contain `:` nor look like an integer, hence the name prefixes.
 */
/** One approval job per request and kind. */
export const approvalJobId = (name: ApprovalJobName, requestId: string): string => `${name}-${requestId}`;
/** One checklist retry per request. */
export const checklistJobId = (requestId: string): string => `checklist-${requestId}`;
/** At most one summary check per admin waiting or running at a time. */
export const adminSummaryJobId = (adminId: string): string => `admin-summary-${adminId}`;
/** One delivery per claimed sweep entry (token and the score it was claimed at). */
export const reminderJobId = (tokenId: string, score: number): string => `remind-${tokenId}-${score}`;

// Slack may be down for a while: approval jobs keep retrying for hours (1 s doubling, capped by attempts).
const APPROVAL_RETRY = { attempts: 15, backoff: { type: 'exponential', delay: 1000 } } as const;
const CHECKLIST_RETRY = { attempts: 8, backoff: { type: 'exponential', delay: 2000 } } as const;
const REMINDER_RETRY = { attempts: 5, backoff: { type: 'exponential', delay: 2000 } } as const;

/** The queue as the rest of the bot sees it. */
export interface JobQueue {
  /** The BullMQ queue itself (job look-ups in start-up recovery and tests). */
  readonly queue: Queue;
  /** Adds a job; `opts.jobId` makes it idempotent (no `:`, not integer-like). */
  enqueue(name: string, data: Record<string, unknown>, opts?: JobsOptions): Promise<Job>;
  /** True when the queue's Redis answers within a second. */
  isUp(): Promise<boolean>;
  /** Jobs by state (waiting, active, delayed, failed, ...). */
  counts(): Promise<Record<string, number>>;
  /** Closes the queue and its connection. Calling it again returns the same promise. */
  close(): Promise<void>;
}

export interface JobQueueOptions {
  /** A redis:// URL, or Sentinel or cluster settings (config.redis.target). */
  redisUrl: RedisTarget;
  keyPrefix: string;
  logger: Logger;
}

/** BullMQ's key prefix for a bot's REDIS_KEY_PREFIX. */
export const bullPrefix = (keyPrefix: string): string => `${keyPrefix}:bull`;

/** Opens the queue (its own Redis connection, which waits for Redis rather than failing). */
export function createJobQueue({ redisUrl, keyPrefix, logger }: JobQueueOptions): JobQueue {
  const connection: Redis = createQueueRedis(redisUrl);
  connection.on('error', (err) => logger.warn({ err: err.message }, 'queue redis error'));
  const queue = new Queue(QUEUE_NAME, {
    connection,
    prefix: bullPrefix(keyPrefix),
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (err) => logger.warn({ err: err.message }, 'queue error'));
  let closing: Promise<void> | undefined;
  return {
    queue,
    enqueue: (name, data, opts) => queue.add(name, data, opts),
    async isUp() {
      // While disconnected a command would wait in the offline queue: answer at once instead.
      if (connection.status !== 'ready') return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1000)));
      const ping = connection.ping().then(
        (reply) => reply === 'PONG',
        () => false,
      );
      const up = await Promise.race([ping, timeout]);
      clearTimeout(timer);
      return up;
    },
    counts: () => queue.getJobCounts(),
    close() {
      closing ??= (async () => {
        await queue.close().catch(() => undefined);
        await connection.quit().catch(() => connection.disconnect());
      })();
      return closing;
    },
  };
}

/** Enqueues a job of the approval flow for a request; a second enqueue of the same job is a no-op. */
export async function enqueueApprovalJob(jobs: JobQueue, name: ApprovalJobName, requestId: string, delayMs = 0): Promise<void> {
  await jobs.enqueue(name, { requestId }, { jobId: approvalJobId(name, requestId), delay: Math.max(0, delayMs), ...APPROVAL_RETRY });
}

/** Queues a retried checklist DM. Idempotent per request. */
export async function enqueueChecklist(jobs: JobQueue, requestId: string, firstTriedAt: number, approvedNote?: string): Promise<void> {
  await jobs.enqueue(
    JOB.checklistSend,
    { requestId, firstTriedAt, ...(approvedNote ? { approvedNote } : {}) },
    {
      jobId: checklistJobId(requestId),
      ...CHECKLIST_RETRY,
      removeOnComplete: true,
    },
  );
}

/** Adds one delivery job per claimed sweep entry; ids derived from the entry make it idempotent. */
export async function enqueueReminderDeliveries(jobs: JobQueue, claimed: ReadonlyArray<{ id: string; score: number }>): Promise<void> {
  await jobs.queue.addBulk(
    claimed.map(({ id, score }) => ({
      name: JOB.reminderDeliver,
      data: { tokenId: id },
      opts: { jobId: reminderJobId(id, score), removeOnComplete: true, ...REMINDER_RETRY },
    })),
  );
}

/**
 * Adds a summary check per admin unless one is already waiting (same job id). Removed when done
 * or failed, so the next sweep adds it again: the check is cheap (a cached users.info and one
 * GET) and the (admin, week) claim in Redis, not the job, makes the summary go once.
 */
export async function enqueueAdminSummaryChecks(jobs: JobQueue, adminIds: readonly string[]): Promise<void> {
  if (adminIds.length === 0) return;
  await jobs.queue.addBulk(
    adminIds.map((adminId) => ({
      name: JOB.adminSummary,
      data: { adminId },
      opts: { jobId: adminSummaryJobId(adminId), removeOnComplete: true, removeOnFail: true, ...REMINDER_RETRY },
    })),
  );
}

/** Registers the periodic reminder sweep. Idempotent: every replica upserts the same schedule. */
export async function installReminderSweep(jobs: JobQueue, everyMs: number): Promise<void> {
  await jobs.queue.upsertJobScheduler(
    JOB.reminderSweep,
    { every: everyMs },
    {
      name: JOB.reminderSweep,
      data: {},
      opts: { removeOnComplete: true, removeOnFail: { count: 100 }, attempts: 1 },
    },
  );
}

/** One delivery per owed notice (notice ids are unique per token). */
export const orgNoticeJobId = (tokenId: string, noticeId: string): string => `org-notice-${tokenId}-${noticeId}`;

/** Adds one delivery job per owed notice; ids derived from the notice make it idempotent. */
export async function enqueueOrgNotices(jobs: JobQueue, owed: ReadonlyArray<{ tokenId: string; noticeId: string }>): Promise<void> {
  if (owed.length === 0) return;
  await jobs.queue.addBulk(
    owed.map(({ tokenId, noticeId }) => ({
      name: JOB.orgNotice,
      data: { tokenId, noticeId },
      opts: {
        jobId: orgNoticeJobId(tokenId, noticeId),
        removeOnComplete: true,
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000 },
      },
    })),
  );
}

/** The one extra organization sync (start-up, "Sync now"): replicas and double clicks add one job, not several. */
export const ORG_SYNC_NOW_DEDUPLICATION = 'org-sync-now';

/** Registers the periodic organization sync. Idempotent: every replica upserts the same schedule. */
export async function installOrgSync(jobs: JobQueue, everyMs: number): Promise<void> {
  await jobs.queue.upsertJobScheduler(
    JOB.orgSync,
    { every: everyMs },
    {
      name: JOB.orgSync,
      data: {},
      opts: { removeOnComplete: true, removeOnFail: { count: 20 }, attempts: 4, backoff: { type: 'exponential', delay: 60_000 } },
    },
  );
}

/**
 * Asks for an organization sync now. While one asked for this way is waiting or running, asking
 * again adds nothing (BullMQ deduplication); a run already in progress from the schedule makes
 * this one return at once (the run lock, src/jobs/processors/org-sync.ts).
 */
export async function enqueueOrgSyncNow(jobs: JobQueue): Promise<void> {
  await jobs.enqueue(
    JOB.orgSync,
    {},
    {
      deduplication: { id: ORG_SYNC_NOW_DEDUPLICATION },
      removeOnComplete: true,
      removeOnFail: { count: 20 },
      attempts: 4,
      backoff: { type: 'exponential', delay: 60_000 },
    },
  );
}
