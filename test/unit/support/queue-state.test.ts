import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JOB, createJobQueue, installReminderSweep, type JobQueue } from '../../../src/jobs/queue.js';
import { createJobWorker, type JobWorker } from '../../../src/jobs/worker.js';
import { createLogger } from '../../../src/logger.js';
import { uniquePrefix } from '../../support/redis-server.js';
import { pendingJobs, waitForAnotherSweep, waitForIdleQueue } from '../../support/queue-state.js';

/** The queue helpers on a real scheduler, with processors of the test's own. */
describe('queue-state helpers', () => {
  const home = { redisUrl: inject('redisUrl'), prefix: uniquePrefix('queue-state') };
  const sweepsStarted: number[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let scheduler: JobQueue;
  let worker: JobWorker;
  beforeAll(async () => {
    const settings = {
      redisUrl: home.redisUrl,
      keyPrefix: home.prefix,
      logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }),
    };
    scheduler = createJobQueue(settings);
    worker = createJobWorker({
      ...settings,
      processors: {
        [JOB.reminderSweep]: async () => {
          sweepsStarted.push(Date.now());
          return { claimed: 0 };
        },
        work: () => released,
      },
    });
    await worker.start();
    await installReminderSweep(scheduler, 300);
  });
  afterAll(async () => {
    release();
    await worker.stop();
    await scheduler.close();
  });

  it('counts a running job, not the sweep nor a first run due in hours; idles when the job ends', async () => {
    await scheduler.enqueue('work', {}, { jobId: 'work-1' });
    await scheduler.enqueue('later', {}, { jobId: 'later-1', delay: 3 * 3600_000 });
    await expect
      .poll(() => pendingJobs(scheduler.queue), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^work#work-1 \((waiting|active)/)]);
    await expect(waitForIdleQueue(home, { timeoutMs: 500 })).rejects.toThrow(/queue not idle after 500 ms: work#work-1/);
    expect(await pendingJobs(scheduler.queue, 4 * 3600_000)).toContainEqual(expect.stringMatching(/^later#later-1 \(delayed/));
    release();
    await waitForIdleQueue(home, { timeoutMs: 10_000 });
  });

  it('waitForAnotherSweep returns only after a sweep that started after the call has completed', async () => {
    const called = Date.now();
    await waitForAnotherSweep(home, { timeoutMs: 10_000 });
    expect(sweepsStarted.filter((at) => at >= called).length).toBeGreaterThan(0);
  });
});
