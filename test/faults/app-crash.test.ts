import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { uniquePrefix } from '../support/redis-server.js';
import { getFreePort } from '../support/net.js';
import {
  ALWAYS_REMIND,
  expectRemindedOnce,
  killHard,
  newUserId,
  recordDueToken,
  startAppProcess,
  waitUntilReminded,
  type AppProcess,
} from '../support/faults.js';

/**
 * The app process SIGKILLed while reminders are being delivered, then started again. The
 * fake Slack holds chat.postMessage answers back, so the kill lands after Slack accepted
 * some messages and before the app could record them as sent; other deliveries were claimed
 * and not yet posted. After the restart each (token, threshold) must have exactly one DM.
 */

let slack: FakeSlack;
let redis: Redis;
const running: AppProcess[] = [];
beforeAll(async () => {
  slack = await startFakeSlack();
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  for (const app of running) await killHard(app);
  redis.disconnect();
  await slack.stop();
});

describe('app killed mid-reminder', () => {
  it('delivers every reminder exactly once after a SIGKILL while Slack was answering', async () => {
    const prefix = uniquePrefix('faults-crash');
    const owners = Array.from({ length: 8 }, () => newUserId('crash'));
    const tokens = [];
    for (const owner of owners) tokens.push(await recordDueToken(redis, prefix, owner, 7));
    // The worker runs 4 deliveries at once: the first 4 posts reach Slack and hang there.
    slack.failNext('chat.postMessage', { delayMs: 20_000, times: 4 });

    const port = await getFreePort();
    const first = startAppProcess({ port, slack, redisUrl: inject('redisUrl'), prefix, env: ALWAYS_REMIND });
    running.push(first);
    await first.ready();
    const inFlight = await slack.waitForCalls('chat.postMessage', 4, (c) => owners.includes(String(c.args['channel'])), {
      timeoutMs: 30_000,
    });
    await killHard(first);
    // Slack accepted these four; the app never heard back and never confirmed them.
    expect(inFlight.every((c) => c.response['ok'] === true)).toBe(true);

    const second = startAppProcess({ port, slack, redisUrl: inject('redisUrl'), prefix, env: ALWAYS_REMIND });
    running.push(second);
    await second.ready();
    // The interrupted jobs come back when BullMQ notices their lock expired (about 30-60 s).
    await waitUntilReminded(redis, prefix, tokens, 100_000);
    await expectRemindedOnce(redis, prefix, slack, tokens);
    expect(second.output()).toContain('reminder was already in Slack');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 150_000);
});
