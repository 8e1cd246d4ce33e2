/**
 * Measures the token inventory at a given size against a scratch redis-server:
 * Redis memory per token (record, indexes, history, reminder schedule and BullMQ state) and
 * the cost of a reminder sweep. Usage: `npx tsx bench/inventory.ts [size]` (default 100000).
 * `measureInventory(size)` is exported for later benchmarks.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { startRedisServer } from '../test/support/redis-server.js';
import { createKeys } from '../src/store/keys.js';
import { RequestStore } from '../src/store/requests.js';
import { TokenStore } from '../src/store/tokens.js';
import { createQueueRedis } from '../src/store/redis.js';
import { createTokenId } from '../src/domain/record-ids.js';
import { addDays, todayIn } from '../src/domain/dates.js';
import { sweepDueReminders, installReminderSweep, type ReminderDeps } from '../src/scheduler/reminders.js';
import type { TokenRecord } from '../src/domain/types.js';

export interface InventoryFigures {
  size: number;
  /** used_memory growth divided by size, bytes. */
  bytesPerToken: number;
  /** MEMORY USAGE of one token's record key and history key, bytes. */
  sampleRecordBytes: number;
  sampleHistoryBytes: number;
  /** Time to record all tokens (TokenStore.create, 200 in flight), ms. */
  recordMs: number;
  /** A sweep with nothing due, ms. */
  idleSweepMs: number;
  /** A sweep that claims `dueCount` tokens and adds their delivery jobs, ms. */
  dueSweepMs: number;
  dueCount: number;
}

const SCOPES = ['read:repository:bitbucket', 'write:repository:bitbucket', 'read:pullrequest:bitbucket'];

/** Records `size` tokens (expiries spread over a year) and measures memory and sweep cost. */
export async function measureInventory(size: number, dueCount = Math.max(1, Math.round(size / 100))): Promise<InventoryFigures> {
  const server = await startRedisServer({ appendonly: false });
  const redis = new Redis(server.url);
  const queueRedis = createQueueRedis(server.url);
  const prefix = 'bench';
  const keys = createKeys(prefix);
  const tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
  const queue = new Queue('jobs', { connection: queueRedis, prefix: `${prefix}:bull` });
  try {
    await installReminderSweep(queue, 60_000);
    const now = Date.now();
    const today = todayIn('UTC', new Date(now));
    const before = await usedMemory(redis);
    const t0 = performance.now();
    const ids: string[] = [];
    const inFlight = 200;
    for (let start = 0; start < size; start += inFlight) {
      await Promise.all(
        Array.from({ length: Math.min(inFlight, size - start) }, async (_, j) => {
          const i = start + j;
          const token: TokenRecord = {
            id: createTokenId(),
            ownerId: `U${String(10_000 + (i % 5000)).padStart(9, '0')}`,
            name: `Integration ${i} Bitbucket token`,
            scopes: SCOPES,
            workspace: 'acme-engineering',
            expiresOn: addDays(today, 1 + (i % 365)),
            createdAt: now,
            requestId: `r${createTokenId().slice(1)}`,
            status: 'active',
            purpose: 'Nightly repository scans for the security dashboard',
            // Steady state: one reminder already sent.
            reminder: { last: 30 },
          };
          await tokens.create(token, { at: now, type: 'recorded', by: token.ownerId });
          ids.push(token.id);
        }),
      );
    }
    const recordMs = performance.now() - t0;
    // Spread the next-look times over the year, as the schedule would after the first sweep.
    const pipe = redis.pipeline();
    ids.forEach((id, i) => pipe.zadd(keys.remindersDue, i < dueCount ? now - 1000 : now + 3600_000 + (i % 365) * 86_400_000, id));
    await pipe.exec();
    const bytesPerToken = ((await usedMemory(redis)) - before) / size;
    const sampleRecordBytes = Number(await redis.call('MEMORY', 'USAGE', keys.token(ids[0]!)));
    const sampleHistoryBytes = Number(await redis.call('MEMORY', 'USAGE', keys.tokenHistory(ids[0]!)));

    // Warm up BullMQ (script loading, connection) so the sweep timings are steady-state.
    await (await queue.add('warm-up', {}, { jobId: 'warm-up' })).remove();
    const silent = pino({ level: 'silent' });
    const deps = { tokens, queue, logger: silent } as unknown as ReminderDeps;
    const i0 = performance.now();
    await sweepDueReminders(deps, now - 2000);
    const idleSweepMs = performance.now() - i0;
    const d0 = performance.now();
    const { claimed } = await sweepDueReminders(deps, now);
    const dueSweepMs = performance.now() - d0;
    return { size, bytesPerToken, sampleRecordBytes, sampleHistoryBytes, recordMs, idleSweepMs, dueSweepMs, dueCount: claimed };
  } finally {
    await queue.close();
    queueRedis.disconnect();
    redis.disconnect();
    await server.stop();
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = Number(process.argv[2] ?? 100_000);
  const figures = await measureInventory(size);
  const round = (n: number) => Math.round(n * 10) / 10;
  process.stdout.write(
    `${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v)])), null, 2)}\n`,
  );
}
