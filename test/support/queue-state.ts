import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import { JOB, QUEUE_NAME } from '../../src/jobs/queue.js';

/**
 * Observable states of the bot's BullMQ queue, to prove "nothing more will be sent" without a
 * fixed sleep: the queue is idle (no job left that could still call Slack), then one more
 * reminder sweep has run from start to end after that point (so any reminder due by then has
 * been claimed and queued), then the queue is idle again.
 *
 * The queue is read through a Queue of our own on the bot's Redis and key prefix
 * (`<prefix>:bull:<QUEUE_NAME>`), so it works for one bot and for replicas sharing a prefix.
 */

/** What the helpers need to find a bot's queue (a TestBot has both). */
export interface QueueHome {
  redisUrl: string;
  prefix: string;
}

export interface QueueWaitOptions {
  /** Give up after this many ms (default 60 s: generous for a busy 2-core machine). */
  timeoutMs?: number;
  /**
   * A delayed job due later than this (ms from now) cannot run while a test is still looking;
   * it does not keep the queue busy (e.g. an approval's reminder due in hours). Retries
   * (attemptsMade > 0) always count, whenever they are due. Default 10 minutes.
   */
  horizonMs?: number;
}

const SWEEP = JOB.reminderSweep;
const SWEEP_RUN = new RegExp(`^repeat:${SWEEP}:(\\d+)$`);

async function withQueue<T>(home: QueueHome, use: (queue: Queue, redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(home.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: `${home.prefix}:bull` });
  try {
    return await use(queue, redis);
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

const describeJob = (state: string, j: Job) => `${j.name}#${j.id} (${state}, attempts ${j.attemptsMade})`;

/**
 * Jobs that could still call Slack: waiting, active, prioritized or waiting for children; and
 * delayed ones that are retries or due within `horizonMs`. The reminder sweep's own next run
 * is left out (there always is one).
 */
export async function pendingJobs(queue: Queue, horizonMs = 10 * 60_000): Promise<string[]> {
  const now = Date.now();
  const pending: string[] = [];
  for (const state of ['waiting', 'active', 'prioritized', 'waiting-children'] as const) {
    for (const job of await queue.getJobs([state])) {
      if (job && job.name !== SWEEP) pending.push(describeJob(state, job));
    }
  }
  for (const job of await queue.getJobs(['delayed'])) {
    if (!job || job.name === SWEEP) continue;
    if (job.attemptsMade > 0 || job.timestamp + (job.delay ?? 0) <= now + horizonMs) pending.push(describeJob('delayed', job));
  }
  return pending;
}

/** Resolves once the queue holds no job that could still call Slack (see pendingJobs). */
export async function waitForIdleQueue(home: QueueHome, { timeoutMs = 60_000, horizonMs }: QueueWaitOptions = {}): Promise<void> {
  await withQueue(home, (queue) =>
    vi.waitFor(
      async () => {
        const pending = await pendingJobs(queue, horizonMs);
        if (pending.length > 0) throw new Error(`queue not idle after ${timeoutMs} ms: ${pending.join(', ')}`);
      },
      { timeout: timeoutMs, interval: 100 },
    ),
  );
}

/**
 * Resolves once a `reminder-sweep` run scheduled at or after the moment of the call (Redis
 * time) has completed. Runs are named `repeat:reminder-sweep:<scheduled ms>` and start no
 * earlier than that time, so the sweep read the due reminders after this call began.
 * Completions are read from the queue's event stream (sweep jobs are removed on completion).
 */
export async function waitForAnotherSweep(home: QueueHome, { timeoutMs = 60_000 }: QueueWaitOptions = {}): Promise<void> {
  await withQueue(home, async (queue, redis) => {
    const events = queue.keys.events!;
    const [seconds, micros] = await redis.time();
    const since = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const last = await redis.xrevrange(events, '+', '-', 'COUNT', 1);
    let cursor = last[0]?.[0] ?? '0-0';
    await vi.waitFor(
      async () => {
        const entries = await redis.xrange(events, `(${cursor}`, '+');
        for (const [id, fields] of entries) {
          cursor = id;
          const f: Record<string, string> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
          const run = SWEEP_RUN.exec(f['jobId'] ?? '');
          if (f['event'] === 'completed' && run && Number(run[1]) >= since) return;
        }
        throw new Error(`no ${SWEEP} run scheduled after ${new Date(since).toISOString()} completed within ${timeoutMs} ms`);
      },
      { timeout: timeoutMs, interval: 100 },
    );
  });
}

/**
 * The protocol for "nothing more was sent", without a fixed sleep:
 * 1. settle: the queue is idle, one more sweep has run (so whatever was due by then, e.g. a
 *    new token's first look, has been claimed) and the queue is idle again;
 * 2. read what was sent (`before`);
 * 3. one more sweep runs and the queue is idle again; read again (`after`).
 * Anything the bot still had to do was done in 1, and the test's own counts (taken after
 * this) see it; `after` equal to `before` proves nothing was left to do.
 */
export async function acrossAnotherSweep<T>(
  home: QueueHome,
  read: () => T | Promise<T>,
  opts: QueueWaitOptions = {},
): Promise<{ before: T; after: T }> {
  await waitForIdleQueue(home, opts);
  await waitForAnotherSweep(home, opts);
  await waitForIdleQueue(home, opts);
  const before = await read();
  await waitForAnotherSweep(home, opts);
  await waitForIdleQueue(home, opts);
  return { before, after: await read() };
}
