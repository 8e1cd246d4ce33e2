import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { startRedisServer, uniquePrefix, type RedisServer } from '../support/redis-server.js';
import { sleep } from '../support/net.js';
import { QUEUE_NAME, createJobQueue } from '../../src/jobs/queue.js';
import { createJobWorker, type JobProcessor } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/logger.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';

/** Health, readiness and metrics over HTTP on the real bot, with a private Redis we can stop. */
describe('health, readiness and metrics', () => {
  let server: RedisServer;
  let t: TestBot;
  let redis: Redis;
  const get = (path: string) => fetch(`http://127.0.0.1:${t.port}${path}`);

  beforeAll(async () => {
    server = await startRedisServer();
    t = await startTestBot({ name: 'ops-endpoints', redisUrl: server.url });
    redis = new Redis(server.url);
    redis.on('error', () => undefined); // expected while the test stops Redis
  });
  afterAll(async () => {
    redis.disconnect();
    await t.stop();
    await server.stop();
    await rm(server.dir, { recursive: true, force: true });
  });

  async function waitForStatus(path: string, status: number): Promise<Response> {
    return vi.waitFor(
      async () => {
        const res = await get(path);
        if (res.status !== status) throw new Error(`${path} answered ${res.status}, waiting for ${status}`);
        return res;
      },
      { timeout: 15_000, interval: 50 },
    );
  }

  it('answers /healthz and /readyz while Redis is up', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', redis: 'up' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'up', queue: 'up' });
  });

  it('exposes requests, ack latency, queue depth and tokens by status in Prometheus format', async () => {
    const keys = createKeys(t.prefix);
    const tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
    for (const status of ['active', 'active', 'expired'] as const) {
      await tokens.create(
        {
          id: createTokenId(),
          ownerId: 'U1',
          name: `Token ${status}`,
          scopes: ['read:repository:bitbucket'],
          expiresOn: '2027-01-01',
          createdAt: Date.now(),
          status,
        },
        { at: Date.now(), type: 'imported' },
      );
    }
    // The reminder sweep's job scheduler keeps one delayed job of its own.
    const delayedBefore = (await t.bot.jobs.queue.getJobCounts('delayed'))['delayed'] ?? 0;
    await t.bot.jobs.enqueue('metrics-probe', {}, { delay: 3_600_000, jobId: 'metrics-probe' });
    expect((await t.sender.command({ text: 'help' })).status).toBe(200);
    t.bot.metrics.remindersSent.inc();

    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('btb_slack_requests_total{kind="command",outcome="ok"} 1');
    expect(text).toContain('btb_slack_ack_seconds_count{kind="command"} 1');
    expect(text).toMatch(/btb_slack_ack_seconds_bucket\{le="3",kind="command"\} 1/);
    expect(text).toContain(`btb_queue_jobs{state="delayed"} ${delayedBefore + 1}`);
    expect(text).toContain('btb_tokens{status="active"} 2');
    expect(text).toContain('btb_tokens{status="expired"} 1');
    expect(text).toContain('btb_tokens_total 3');
    expect(text).toContain('btb_reminders_sent_total 1');
    expect(text).toContain('btb_reminders_failed_total 0');
    expect(text).toContain('btb_process_resident_memory_bytes');
  });

  it('goes 503 on /readyz (not /healthz) while Redis is stopped, and recovers', async () => {
    await server.stop();
    const ready = await waitForStatus('/readyz', 503);
    expect(await ready.json()).toEqual({ status: 'not_ready', redis: 'down', queue: 'down' });
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', redis: 'down' });
    // A scrape must still answer (without the Redis-backed gauges' values) rather than hang.
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).not.toContain('btb_queue_jobs{');

    await server.restart();
    const back = await waitForStatus('/readyz', 200);
    expect(await back.json()).toEqual({ status: 'ready', redis: 'up', queue: 'up' });
  });
});

/** Graceful shutdown of the job worker, with the worker's own API and a processor of the test's. */
describe('worker shutdown while a job is running', () => {
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const redisUrl = () => inject('redisUrl');

  /** A worker with the test's processors, and a queue on the same prefix to add jobs to. */
  function createScheduler(opts: { keyPrefix: string; processors: Record<string, JobProcessor> }) {
    const settings = { redisUrl: redisUrl(), logger, ...opts };
    const jobs = createJobQueue(settings);
    const worker = createJobWorker(settings);
    return {
      start: () => worker.start(),
      enqueue: (name: string, data: Record<string, unknown>, jobOpts: { jobId: string }) => jobs.enqueue(name, data, jobOpts),
      stop: async (stopOpts?: { timeoutMs?: number }) => {
        await worker.stop(stopOpts);
        await jobs.close();
      },
      worker,
    };
  }

  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    return { open, opened };
  }

  async function stateOf(prefix: string, jobId: string): Promise<string> {
    const queue = new Queue(QUEUE_NAME, { connection: { url: redisUrl() }, prefix: `${prefix}:bull` });
    try {
      return await queue.getJobState(jobId);
    } finally {
      await queue.close();
    }
  }

  it('lets the running job finish before stop() resolves', async () => {
    const prefix = uniquePrefix('shutdown-finish');
    const started = gate();
    const release = gate();
    let finished = false;
    const work: JobProcessor = async () => {
      started.open();
      await release.opened;
      finished = true;
      return 'done';
    };
    const scheduler = createScheduler({ keyPrefix: prefix, processors: { work } });
    await scheduler.start();
    await scheduler.enqueue('work', {}, { jobId: 'job-finish' });
    await started.opened;

    let stopped = false;
    const stopping = scheduler.stop({ timeoutMs: 60_000 }).then(() => (stopped = true));
    await sleep(200);
    expect(stopped).toBe(false); // still waiting for the job
    release.open();
    await stopping;
    expect(finished).toBe(true);
    expect(await stateOf(prefix, 'job-finish')).toBe('completed');
  });

  it('puts a job that outlives the bound back in the queue, aborts it, and another worker completes it', async () => {
    const prefix = uniquePrefix('shutdown-return');
    const started = gate();
    let aborted = false;
    const slow: JobProcessor = async (_job: Job, signal?: AbortSignal) => {
      started.open();
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
      aborted = true;
    };
    const first = createScheduler({ keyPrefix: prefix, processors: { work: slow } });
    await first.start();
    await first.enqueue('work', {}, { jobId: 'job-return' });
    await started.opened;
    await first.stop({ timeoutMs: 100 });
    expect(aborted).toBe(true);
    expect(await stateOf(prefix, 'job-return')).toBe('waiting');

    const done = gate();
    const second = createScheduler({ keyPrefix: prefix, processors: { work: async () => done.open() } });
    await second.start();
    await done.opened;
    await second.stop();
    expect(await stateOf(prefix, 'job-return')).toBe('completed');
  });

  it('stop() twice returns the same shutdown', async () => {
    const { worker } = createScheduler({ keyPrefix: uniquePrefix('shutdown-twice'), processors: {} });
    await worker.start();
    const a = worker.stop();
    expect(worker.stop()).toBe(a);
    await a;
  });
});
