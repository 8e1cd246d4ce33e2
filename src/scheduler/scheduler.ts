import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createQueueRedis } from '../store/redis.js';
import type { Logger } from '../logger.js';

/**
 * One BullMQ queue for all of the bot's background work; each kind of job has a name and a
 * processor. Keys live under `<REDIS_KEY_PREFIX>:bull:<queue>:*`.
 */
export const QUEUE_NAME = 'jobs';

/** A processor is a plain function of the job, testable without a Worker. */
export type JobProcessor = (job: Job) => Promise<unknown>;

export interface Scheduler {
  queue: Queue;
  /** Adds a job; `opts.jobId` makes it idempotent (no `:`, not integer-like). */
  enqueue(name: string, data: Record<string, unknown>, opts?: JobsOptions): Promise<Job>;
  /** Starts the worker (no-op when this process only produces jobs). */
  start(): Promise<void>;
  /** Lets the in-flight job finish (or return to the queue), then closes connections. */
  stop(): Promise<void>;
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

  return {
    queue,
    enqueue: (name, data, opts) => queue.add(name, data, opts),
    async start() {
      if (!runWorker || worker) return;
      workerConnection = createQueueRedis(redisUrl);
      workerConnection.on('error', (err) => logger.warn({ err: err.message }, 'worker redis error'));
      worker = new Worker(
        QUEUE_NAME,
        async (job) => {
          const processor = processors[job.name];
          if (!processor) throw new UnrecoverableError(`no processor for job ${job.name}`);
          return processor(job);
        },
        { connection: workerConnection, prefix, concurrency, autorun: true },
      );
      worker.on('failed', (job, err) =>
        logger.warn({ jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => logger.warn({ err: err.message }, 'worker error'));
    },
    async stop() {
      await worker?.close();
      await queue.close();
      await queueConnection.quit().catch(() => queueConnection.disconnect());
      await workerConnection?.quit().catch(() => workerConnection?.disconnect());
    },
  };
}
