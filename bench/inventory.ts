/**
 * Part 2: inventory scale. Records `size` tokens through TokenStore.create (the path every token
 * takes), and reports Redis memory per token, import throughput next to a raw Redis pipeline doing
 * the same writes, and, when a sweep probe is given, the cost of one reminder sweep with the same
 * number of due reminders at every size.
 *
 * Runs against a scratch redis-server of its own: it FLUSHALLs between steps.
 */
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { createKeys, type Keys } from '../src/store/keys.js';
import { createRedis } from '../src/store/redis.js';
import { RequestStore } from '../src/store/requests.js';
import { TokenStore } from '../src/store/tokens.js';
import { createTokenId } from '../src/domain/record-ids.js';
import { packToken } from '../src/store/token-shape.js';
import { digestSlot } from '../src/domain/reminders.js';
import type { TokenEvent, TokenRecord } from '../src/domain/types.js';
import { realNow } from '../test/support/net.js';
import { ratio, round } from './stats.js';

export const INVENTORY_PREFIX = 'bench';

export interface SweepContext {
  /** The scratch Redis holding the inventory (keys under `keyPrefix`). */
  redisUrl: string;
  keyPrefix: string;
  keys: Keys;
  /** Every recorded token, in import order. */
  tokens: readonly TokenRecord[];
  /** How many reminders must be due when the sweep runs (the same at every size). */
  due: number;
}

/**
 * Measures one reminder sweep over the inventory: makes `ctx.due` reminders due now (and only
 * those), runs one sweep and resolves with its duration in ms. Provided by the scheduler code.
 */
export type SweepProbe = (ctx: SweepContext) => Promise<{ ms: number; delivered?: number }>;

export interface InventoryOptions {
  redisUrl: string;
  /** Sweep cost is measured only when given. */
  sweep?: SweepProbe;
  /** Due reminders per sweep (default 100). */
  due?: number;
  /** Creates in flight at once during the import (default 256). */
  concurrency?: number;
}

export interface InventoryResult {
  size: number;
  /** INFO memory used_memory growth divided by the number of tokens, bytes. */
  bytesPerToken: number;
  /** MEMORY USAGE of one token's own keys (record + history, which a new token does not have yet), bytes; indexes not included. */
  sampleTokenKeysBytes: number;
  importMs: number;
  importPerSec: number;
  rawPipelineMs: number;
  rawPipelinePerSec: number;
  /** importPerSec / rawPipelinePerSec: 1 would be as fast as raw writes. */
  importVsRaw: number;
  /** One sweep with `due` due reminders; null when no sweep probe was given. */
  sweepMs: number | null;
  due: number;
  /**
   * After every token has been reminded once to its owner, co-owners and team channel (see
   * `remindAll`): bytesPerToken plus the used_memory growth per token, and one token's own keys.
   */
  remindedBytesPerToken: number;
  remindedTokenKeysBytes: number;
}

const USERS_PER_TOKENS = 10;

/**
 * `size` realistic token records: about ten per owner, expiries spread over a year, each shared
 * with two co-owners and a team channel, and stored in two places (issue 14's upper case).
 */
export function buildInventory(size: number, now = realNow()): { tokens: TokenRecord[]; events: TokenEvent[] } {
  const tokens: TokenRecord[] = [];
  const events: TokenEvent[] = [];
  const owners = Math.max(1, Math.ceil(size / USERS_PER_TOKENS));
  for (let i = 0; i < size; i++) {
    const createdAt = now - (i % 365) * 86_400_000;
    const expiresOn = new Date(now + (1 + (i % 365)) * 86_400_000).toISOString().slice(0, 10);
    const ownerId = `U${String(100000 + (i % owners))}`;
    tokens.push({
      id: createTokenId(),
      ownerId,
      name: `Integration ${i} Bitbucket Integration`,
      scopes: ['read:repository:bitbucket', 'read:pullrequest:bitbucket'],
      workspace: 'acme',
      expiresOn,
      createdAt,
      status: 'active',
      purpose: 'Imported by the benchmark',
      places: [`Bitbucket Pipelines variable SCANNER_TOKEN in acme/repo-${i % 500}`, 'Vault secret/ci/scanner'],
      coOwners: [`U${String(100000 + ((i + 1) % owners))}`, `U${String(100000 + ((i + 2) % owners))}`],
      teamChannelId: `C0TEAM${i % 50}`,
    });
    events.push({ at: createdAt, type: 'imported', by: ownerId });
  }
  return { tokens, events };
}

/**
 * Writes, through TokenStore.update, what a delivered reminder leaves on every token: the
 * reminder state the delivery confirms (the threshold sent and one copy per place it went: a line
 * in the owner's and each co-owner's digest DM, as with REMINDER_DIGEST's default, and one post
 * in the team channel, each with its message ts, to update them in place) and its `reminded`
 * history entry. The copies' ids and ts have the
 * shapes Slack gives (a DM's conversation id `D…`, a ts `1764650000.000100`).
 */
async function remindAll(store: TokenStore, tokens: readonly TokenRecord[], concurrency: number, now = realNow()): Promise<void> {
  let next = 0;
  const ts = (i: number, n: number) => `${Math.floor(now / 1000)}.${String((i * 4 + n) % 1_000_000).padStart(6, '0')}`;
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      const t = tokens[i]!;
      const people = [t.ownerId, ...(t.coOwners ?? [])];
      const copies = [
        ...people.map((to, n) => ({ to, ch: `D0${to.slice(1).padStart(9, '0')}`, ts: ts(i, n), d: digestSlot(now, 'UTC') })),
        ...(t.teamChannelId ? [{ to: t.teamChannelId, ch: t.teamChannelId, ts: ts(i, 3) }] : []),
      ];
      const result = await store.update(t.id, (current) => ({
        next: { ...current, reminder: { ...current.reminder, last: 7, copies } },
        event: { at: now, type: 'reminded', detail: 'd7' },
      }));
      if (!result?.changed) throw new Error(`inventory: token ${t.id} was not reminded`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error('INFO memory has no used_memory');
  return Number(m[1]);
}

async function importThroughStore(store: TokenStore, tokens: TokenRecord[], events: TokenEvent[], concurrency: number): Promise<number> {
  let next = 0;
  let created = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      if (await store.create(tokens[i]!, events[i]!)) created += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return created;
}

/**
 * The same writes TokenStore.create makes per token, as plain pipelined commands: batches of
 * 500 tokens, four batches in flight so the client builds one while Redis runs another.
 */
async function importRawPipeline(redis: Redis, keys: Keys, tokens: TokenRecord[], events: TokenEvent[]): Promise<void> {
  const batch = 500;
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const start = next;
      next += batch;
      const pipeline = redis.pipeline();
      for (let i = start; i < Math.min(tokens.length, start + batch); i++) {
        const t = tokens[i]!;
        // The record as stored: compact, with its first history entry (no history key yet).
        pipeline.set(keys.token(t.id), JSON.stringify(packToken({ ...t, events: [events[i]] })));
        for (const userId of [t.ownerId, ...(t.coOwners ?? [])]) pipeline.zadd(keys.userTokens(userId), t.createdAt, t.id);
        if (t.teamChannelId) pipeline.zadd(keys.channelTokens(t.teamChannelId), t.createdAt, t.id);
        pipeline.zadd(keys.allTokens, t.createdAt, t.id);
        pipeline.zadd(keys.remindersDue, t.createdAt, t.id);
      }
      await pipeline.exec();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

export async function measureInventory(size: number, opts: InventoryOptions): Promise<InventoryResult> {
  const due = opts.due ?? 100;
  const keys = createKeys(INVENTORY_PREFIX);
  const admin = new Redis(opts.redisUrl);
  const appRedis = createRedis(opts.redisUrl);
  try {
    // Warm both paths (JIT, connections, Redis allocator) so the first size is not the slow one.
    const warm = buildInventory(Math.min(size, 1000));
    await importRawPipeline(admin, keys, warm.tokens, warm.events);
    await admin.flushall();
    await importThroughStore(
      new TokenStore(appRedis, keys, new RequestStore(appRedis, keys)),
      warm.tokens,
      warm.events,
      opts.concurrency ?? 256,
    );

    const { tokens, events } = buildInventory(size);

    // Raw pipeline first, on an empty Redis, then flush so the store import starts equal.
    await admin.flushall();
    let started = performance.now();
    await importRawPipeline(admin, keys, tokens, events);
    const rawPipelineMs = performance.now() - started;

    await admin.flushall();
    const before = await usedMemory(admin);
    const store = new TokenStore(appRedis, keys, new RequestStore(appRedis, keys));
    started = performance.now();
    const created = await importThroughStore(store, tokens, events, opts.concurrency ?? 256);
    const importMs = performance.now() - started;
    if (created !== size) throw new Error(`inventory: created ${created} of ${size} tokens`);
    const after = await usedMemory(admin);

    const sample = tokens[Math.floor(size / 2)]!;
    // A new token has no history key (its first entry is in the record): MEMORY USAGE is null, counted 0.
    const sampleTokenKeysBytes =
      Number(await admin.memory('USAGE', keys.token(sample.id))) + Number((await admin.memory('USAGE', keys.tokenHistory(sample.id))) ?? 0);

    const sweepMs = opts.sweep ? (await opts.sweep({ redisUrl: opts.redisUrl, keyPrefix: INVENTORY_PREFIX, keys, tokens, due })).ms : null;

    // The same tokens once reminded (their later life: see remindAll).
    const beforeReminders = await usedMemory(admin);
    await remindAll(store, tokens, opts.concurrency ?? 256);
    const afterReminders = await usedMemory(admin);
    const remindedTokenKeysBytes =
      Number(await admin.memory('USAGE', keys.token(sample.id))) + Number((await admin.memory('USAGE', keys.tokenHistory(sample.id))) ?? 0);

    const importPerSec = (size / importMs) * 1000;
    const rawPipelinePerSec = (size / rawPipelineMs) * 1000;
    return {
      size,
      bytesPerToken: Math.round((after - before) / size),
      sampleTokenKeysBytes,
      importMs: round(importMs),
      importPerSec: Math.round(importPerSec),
      rawPipelineMs: round(rawPipelineMs),
      rawPipelinePerSec: Math.round(rawPipelinePerSec),
      importVsRaw: ratio(importPerSec, rawPipelinePerSec),
      sweepMs: sweepMs === null ? null : round(sweepMs),
      due,
      remindedBytesPerToken: Math.round((after - before + afterReminders - beforeReminders) / size),
      remindedTokenKeysBytes,
    };
  } finally {
    await admin.flushall().catch(() => undefined);
    await admin.quit().catch(() => admin.disconnect());
    await appRedis.quit().catch(() => appRedis.disconnect());
  }
}
