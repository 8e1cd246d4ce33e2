import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createQueueRedis, type RedisTarget } from '../store/redis.js';
import type { Logger } from '../logger.js';
import { QUEUE_NAME, bullPrefix } from './queue.js';

/**
 * A processor is a plain function of the job, testable without a Worker. `signal` aborts when
 * a shutdown gives up waiting for it: the job has then been put back in the queue, so a long
 * processor should stop at its next safe point (its work will be done again, so keep it idempotent).
 */
export type JobProcessor = (job: Job, signal?: AbortSignal) => Promise<unknown>;

/** How long stop() waits for in-flight jobs by default before putting them back in the queue. */
export const DEFAULT_STOP_TIMEOUT_MS = 8000;

export interface JobWorker {
  /** Starts taking jobs. Calling it again does nothing. */
  start(): Promise<void>;
  /**
   * Stops taking jobs and lets the in-flight ones finish; those still running after `timeoutMs`
   * are put back in the queue (waiting) and their processors aborted. Then closes its connection.
   * Calling it again returns the same promise.
   */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

export interface JobWorkerOptions {
  /** A redis:// URL, or Sentinel or cluster settings (config.redis.target). */
  redisUrl: RedisTarget;
  keyPrefix: string;
  logger: Logger;
  /** Processors by job name; a job with no processor fails without retries. */
  processors: Readonly<Record<string, JobProcessor>>;
  concurrency?: number;
}

/** The consumer side of src/jobs/queue.ts: runs each job through its processor. */
export function createJobWorker({ redisUrl, keyPrefix, logger, processors, concurrency = 4 }: JobWorkerOptions): JobWorker {
  let worker: Worker | undefined;
  let connection: Redis | undefined;
  // Jobs this worker is running, with the lock token needed to put them back in the queue.
  const running = new Map<string, { job: Job; token: string }>();
  let stopping: Promise<void> | undefined;

  const run = async (job: Job, token: string | undefined, signal?: AbortSignal) => {
    const processor = processors[job.name];
    if (!processor) throw new UnrecoverableError(`no processor for job ${job.name}`);
    const key = job.id ?? '';
    if (token) running.set(key, { job, token });
    try {
      return await processor(job, signal);
    } finally {
      running.delete(key);
    }
  };

  return {
    async start() {
      if (worker || stopping) return;
      connection = createQueueRedis(redisUrl);
      connection.on('error', (err) => logger.warn({ err: err.message }, 'worker redis error'));
      worker = new Worker(QUEUE_NAME, run, { connection, prefix: bullPrefix(keyPrefix), concurrency, autorun: true });
      worker.on('failed', (job, err) =>
        logger.warn({ jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => logger.warn({ err: err.message }, 'worker error'));
    },
    stop({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) {
      stopping ??= (async () => {
        if (!worker) return;
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
            await job
              .moveToWait(token)
              .catch((err: Error) => logger.warn({ jobId: job.id, err: err.message }, 'could not return a job to the queue'));
            logger.warn({ jobId: job.id, job: job.name }, 'shutdown: job returned to the queue unfinished');
          }
          worker.cancelAllJobs('shutdown');
          await worker.close(true).catch(() => undefined);
        }
        await connection?.quit().catch(() => connection?.disconnect());
      })();
      return stopping;
    },
  };
}
