import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { JOB } from '../../src/jobs/queue.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import type { TokenEvent } from '../../src/domain/types.js';

/**
 * What the bot has stored under a key prefix, in a form that can be compared before and after
 * an action to prove the action stored nothing.
 *
 * Counting keys is not enough: keys with a TTL (BullMQ's job locks and stalled-check marker,
 * seen-message markers) expire on their own while a test runs, and BullMQ's repeatable
 * `reminder-sweep` replaces its own job key every sweep. So:
 * - the bot's own keys (outside `<prefix>:bull:`) are compared by the digest of their DUMP
 *   (type, contents and encoding, not the TTL): a key created, changed or deleted shows up;
 *   only a key that had a TTL may disappear (it expired);
 * - in the queue (`<prefix>:bull:`), every job other than the reminder sweep's own runs is
 *   compared by key and name: a job added or removed shows up.
 */
export interface StoredState {
  /** Keys without a TTL → digest of DUMP. */
  persistent: Record<string, string>;
  /** Keys with a TTL → digest of DUMP. */
  expiring: Record<string, string>;
  /** BullMQ job hashes (other than reminder-sweep runs) → job name. */
  jobs: Record<string, string>;
}

const SWEEP_JOB = JOB.reminderSweep;

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', '1000');
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== '0');
  return [...keys].sort();
}

export async function storedState(redis: Redis, prefix: string): Promise<StoredState> {
  const state: StoredState = { persistent: {}, expiring: {}, jobs: {} };
  const queuePrefix = `${prefix}:bull:`;
  for (const key of await scanKeys(redis, `${prefix}:*`)) {
    if (key.startsWith(queuePrefix)) {
      if ((await redis.type(key)) !== 'hash') continue;
      const [name, data] = await redis.hmget(key, 'name', 'data');
      if (name == null || data == null || name === SWEEP_JOB) continue;
      state.jobs[key] = name;
      continue;
    }
    const [ttl, dump] = await Promise.all([redis.pttl(key), redis.dumpBuffer(key)]);
    if (dump === null) continue; // expired between SCAN and DUMP
    const digest = createHash('sha256').update(dump).digest('hex');
    if (ttl === -1) state.persistent[key] = digest;
    else state.expiring[key] = digest;
  }
  return state;
}

/**
 * `after` holds exactly what `before` held: the same persistent keys with the same contents,
 * no new key with a TTL (those of `before` may have expired, and are unchanged if still there),
 * the same queue jobs.
 */
export function expectNothingStored(before: StoredState, after: StoredState): void {
  expect(after.persistent, 'keys without a TTL').toEqual(before.persistent);
  const stillThere = Object.fromEntries(Object.keys(after.expiring).map((k) => [k, before.expiring[k] ?? '(created)']));
  expect(after.expiring, 'keys with a TTL (some may have expired)').toEqual(stillThere);
  expect(after.jobs, 'queue jobs').toEqual(before.jobs);
}

/**
 * A token's history as the bot reads it (TokenStore.history): its first entry is kept in the
 * token record, the later ones in the history key, so reading the key alone misses the first.
 */
export async function tokenHistory(redis: Redis, prefix: string, tokenId: string): Promise<TokenEvent[]> {
  const keys = createKeys(prefix);
  return new TokenStore(redis, keys, new RequestStore(redis, keys)).history(tokenId);
}
