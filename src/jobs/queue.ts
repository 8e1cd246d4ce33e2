import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createQueueRedis } from '../store/redis.js';
import type { Logger } from '../logger.js';

/**
 * One BullMQ queue for all of the bot's background work; each kind of job has a name and a
 * processor. Keys live under `<REDIS_KEY_PREFIX>:bull:<queue>:*`.
 */
export const QUEUE_NAME = 'jobs';

/**
 * A processor is a plain function of the job, testable without a Worker. `signal` aborts when
 * a shutdown gives up waiting for it: the job has then been put back in the queue, so a long
 * processor should stop at its next safe point (its work will be done again, so keep it idempotent).
 */
export type JobProcessor = (job: Job, signal?: AbortSignal) => Promise<unknown>;

/** How long stop() waits for in-flight jobs by default before putting them back in the queue. */
export const DEFAULT_STOP_TIMEOUT_MS = 8000;

export interface Scheduler {
  queue: Queue;
  /** Adds a job; `opts.jobId` makes it idempotent (no `:`, not integer-like). */
  enqueue(name: string, data: Record<string, unknown>, opts?: JobsOptions): Promise<Job>;
  /** Starts the worker (no-op when this process only produces jobs). */
  start(): Promise<void>;
  /**
   * Stops taking jobs and lets the in-flight ones finish; those still running after `timeoutMs`
   * are put back in the queue (waiting) and their processors aborted. Then closes connections.
   */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  /** True when the queue's Redis answers within a second. */
  isUp(): Promise<boolean>;
  /** Jobs by state (waiting, active, delayed, failed, ...). */
  counts(): Promise<Record<string, number>>;
}

export interface SchedulerOptions {
  redisUrl: string;
  keyPrefix: string;
  logger: Logger;
  processors: Record<string, JobProcessor>;
  /** Run a worker in this process (default true). */
  runWorker?: boolean;
  concurrency?: number;
}

export function createScheduler({ redisUrl, keyPrefix, logger, processors, runWorker = true, concurrency = 4 }: SchedulerOptions): Scheduler {
  const prefix = `${keyPrefix}:bull`;
  const queueConnection: Redis = createQueueRedis(redisUrl);
  queueConnection.on('error', (err) => logger.warn({ err: err.message }, 'queue redis error'));
  const queue = new Queue(QUEUE_NAME, {
    connection: queueConnection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (err) => logger.warn({ err: err.message }, 'queue error'));
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  // Jobs this worker is running, with the lock token needed to put them back in the queue.
  const running = new Map<string, { job: Job; token: string }>();
  let stopping: Promise<void> | undefined;

  return {
    queue,
    enqueue: (name, data, opts) => queue.add(name, data, opts),
    async start() {
      if (!runWorker || worker) return;
      workerConnection = createQueueRedis(redisUrl);
      workerConnection.on('error', (err) => logger.warn({ err: err.message }, 'worker redis error'));
      worker = new Worker(
        QUEUE_NAME,
        async (job, token, signal) => {
          const processor = processors[job.name];
          if (!processor) throw new UnrecoverableError(`no processor for job ${job.name}`);
          const key = job.id ?? '';
          if (token) running.set(key, { job, token });
          try {
            return await processor(job, signal);
          } finally {
            running.delete(key);
          }
        },
        { connection: workerConnection, prefix, concurrency, autorun: true },
      );
      worker.on('failed', (job, err) =>
        logger.warn({ jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => logger.warn({ err: err.message }, 'worker error'));
    },
    stop({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) {
      stopping ??= (async () => {
        if (worker) {
          const closing = worker.close();
          let timer: NodeJS.Timeout | undefined;
          const timedOut = await Promise.race([
            closing.then(() => false),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
          ]);
          clearTimeout(timer);
          if (timedOut) {
            // Put unfinished jobs back now rather than leave them to the stalled-job check (30 s
            // or more, and only while some worker runs); then tell their processors to stop.
            for (const { job, token } of running.values()) {
              await job.moveToWait(token).catch((err: Error) => logger.warn({ jobId: job.id, err: err.message }, 'could not return a job to the queue'));
              logger.warn({ jobId: job.id, job: job.name }, 'shutdown: job returned to the queue unfinished');
            }
            worker.cancelAllJobs('shutdown');
            await worker.close(true).catch(() => undefined);
          }
        }
        await queue.close().catch(() => undefined);
        await queueConnection.quit().catch(() => queueConnection.disconnect());
        await workerConnection?.quit().catch(() => workerConnection?.disconnect());
      })();
      return stopping;
    },
    async isUp() {
      // While disconnected a command would wait in the offline queue: answer at once instead.
      if (queueConnection.status !== 'ready') return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1000)));
      const ping = queueConnection.ping().then((reply) => reply === 'PONG', () => false);
      const up = await Promise.race([ping, timeout]);
      clearTimeout(timer);
      return up;
    },
    counts: () => queue.getJobCounts(),
  };
}
