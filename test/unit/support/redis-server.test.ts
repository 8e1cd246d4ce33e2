import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisPing, startRedisServer, uniquePrefix, type RedisServer } from '../../support/redis-server.js';

describe('redis-server helper', () => {
  const servers: RedisServer[] = [];
  afterAll(async () => {
    await Promise.all(
      servers.map(async (s) => {
        await s.stop();
        await rm(s.dir, { recursive: true, force: true });
      }),
    );
  });

  it('global setup provides a working redis url', async () => {
    const url = inject('redisUrl');
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const redis = new Redis(url);
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('uniquePrefix has no colons and differs per call', () => {
    const a = uniquePrefix('my:test name');
    expect(a).toMatch(/^t-my-test-name-[0-9a-f]{8}$/);
    expect(uniquePrefix('x')).not.toBe(uniquePrefix('x'));
  });

  it('starts, answers, and keeps AOF data across kill + restart', async () => {
    const server = await startRedisServer({ appendonly: true });
    servers.push(server);
    expect(await redisPing(server.port)).toBe('+PONG');
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await redis.connect();
    await redis.set('k', 'v');
    await redis.hset('h', { a: '1' });
    redis.disconnect();

    await server.kill();
    await expect(redisPing(server.port)).rejects.toThrow();
    await server.restart();

    const again = new Redis(server.url);
    try {
      expect(await again.get('k')).toBe('v');
      expect(await again.hgetall('h')).toEqual({ a: '1' });
      expect(await again.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      again.disconnect();
    }
  });

  it('without appendonly, data is gone after restart', async () => {
    const server = await startRedisServer();
    servers.push(server);
    const redis = new Redis(server.url);
    await redis.set('k', 'v');
    redis.disconnect();
    await server.restart();
    const again = new Redis(server.url);
    try {
      expect(await again.get('k')).toBeNull();
    } finally {
      again.disconnect();
    }
  });
});
