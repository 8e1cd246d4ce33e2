import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

/**
 * With REDIS_MIN_REPLICAS=1 every write the bot reports waits for a replica; with none connected
 * each would be refused after its WAIT timed out. /readyz says so (503, "no replica") instead of
 * reporting ready, and recovers by itself once a replica connects (real redis-server processes).
 */

let primary: RedisServer;
let replica: RedisServer | undefined;
let t: TestBot;
beforeAll(async () => {
  primary = await startRedisServer();
  t = await startTestBot({ name: 'readyz-replica', redisUrl: primary.url, env: { REDIS_MIN_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500' } });
});
afterAll(async () => {
  await t?.stop();
  await t?.slack.stop();
  await replica?.stop();
  await primary?.stop();
  for (const server of [primary, replica]) if (server) await rm(server.dir, { recursive: true, force: true });
});

interface Readyz {
  status: string;
  redis: string;
  replicas?: { connected: number; required: number };
  reason?: string;
}

const readyz = async () => {
  const res = await fetch(`http://127.0.0.1:${t.port}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz };
};

describe('/readyz with REDIS_MIN_REPLICAS=1', () => {
  it('is 503 "no replica" while the primary has none, 200 once one connects, 503 again when it goes', async () => {
    const alone = await readyz();
    expect(alone.status).toBe(503);
    expect(alone.body).toMatchObject({ status: 'not_ready', redis: 'up', replicas: { connected: 0, required: 1 } });
    expect(alone.body.reason).toMatch(/^no replica: .*REDIS_MIN_REPLICAS/);

    replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    await expect.poll(async () => (await readyz()).status, { timeout: 20_000, interval: 100 }).toBe(200);
    const ready = await readyz();
    expect(ready.body).toMatchObject({ status: 'ready', replicas: { connected: 1, required: 1 } });
    expect(ready.body.reason).toBeUndefined();

    await replica.stop();
    await expect.poll(async () => (await readyz()).body.reason ?? '', { timeout: 20_000, interval: 100 }).toMatch(/^no replica/);
    expect((await readyz()).status).toBe(503);
  });
});
