import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { uniquePrefix } from '../../support/redis-server.js';
import { expectNothingStored, storedState } from '../../support/redis-state.js';

describe('storedState / expectNothingStored', () => {
  let redis: Redis;
  const prefix = uniquePrefix('redis-state');
  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    await redis.set(`${prefix}:request:r1`, '{"status":"pending"}');
    await redis.zadd(`${prefix}:tokens`, 1, 't1');
    await redis.set(`${prefix}:seen:C1:1.0`, '1', 'PX', 60_000);
    await redis.set(`${prefix}:bull:jobs:stalled-check`, '1', 'PX', 60_000);
    await redis.hset(`${prefix}:bull:jobs:approval-post-r1`, { name: 'approval-post', data: '{}' });
    await redis.hset(`${prefix}:bull:jobs:repeat:reminder-sweep:1`, { name: 'reminder-sweep', data: '{}' });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('accepts keys with a TTL expiring and the sweep replacing its own job', async () => {
    const before = await storedState(redis, prefix);
    expect(Object.keys(before.persistent)).toEqual([`${prefix}:request:r1`, `${prefix}:tokens`]);
    expect(Object.keys(before.expiring)).toEqual([`${prefix}:seen:C1:1.0`]);
    expect(before.jobs).toEqual({ [`${prefix}:bull:jobs:approval-post-r1`]: 'approval-post' });
    await redis.del(`${prefix}:seen:C1:1.0`, `${prefix}:bull:jobs:stalled-check`, `${prefix}:bull:jobs:repeat:reminder-sweep:1`);
    await redis.hset(`${prefix}:bull:jobs:repeat:reminder-sweep:2`, { name: 'reminder-sweep', data: '{}' });
    expectNothingStored(before, await storedState(redis, prefix));
  });

  it.each([
    ['a changed record', (r: Redis) => r.set(`${prefix}:request:r1`, '{"status":"approved"}')],
    ['a changed set member score', (r: Redis) => r.zadd(`${prefix}:tokens`, 2, 't1')],
    ['a new record', (r: Redis) => r.set(`${prefix}:request:r2`, '{}')],
    ['a new key with a TTL', (r: Redis) => r.set(`${prefix}:seen:C1:2.0`, '1', 'EX', 60)],
    ['a deleted record', (r: Redis) => r.del(`${prefix}:tokens`)],
    ['a new job', (r: Redis) => r.hset(`${prefix}:bull:jobs:checklist-r1`, { name: 'checklist-send', data: '{}' })],
  ])('catches %s', async (_what, change) => {
    const before = await storedState(redis, prefix);
    const snapshot = new Map<string, { dump: Buffer | null; ttl: number }>();
    for (const key of await redis.keys(`${prefix}:*`)) snapshot.set(key, { dump: await redis.dumpBuffer(key), ttl: await redis.pttl(key) });
    await change(redis);
    try {
      const after = await storedState(redis, prefix);
      expect(() => expectNothingStored(before, after)).toThrow();
    } finally {
      // Put the prefix back as it was for the next case.
      const now = await redis.keys(`${prefix}:*`);
      if (now.length) await redis.del(...now);
      for (const [key, { dump, ttl }] of snapshot) if (dump) await redis.restore(key, Math.max(0, ttl), dump);
    }
  });
});
