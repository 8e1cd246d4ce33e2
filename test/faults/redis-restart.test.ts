import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { rm } from 'node:fs/promises';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { blockActionsPayload, type SlackResponse } from '../support/slack-requests.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { sleep } from '../support/net.js';
import { ALWAYS_REMIND, eventually, expectRemindedOnce, newUserId, recordDueToken, waitUntilReminded } from '../support/faults.js';
import { ACTION, BLOCK } from '../../src/blocks/ids.js';
import type { TokenRecord } from '../../src/domain/types.js';

/**
 * Redis SIGKILLed while requests and reminders are in flight, then restarted from its
 * append-only file (appendfsync always, as the bot's own local Redis runs). Nothing the bot
 * told a user it had saved may be missing afterwards, the bot must reconnect by itself, say
 * so on /readyz, and deliver every due reminder exactly once.
 */

let server: RedisServer;
let t: TestBot;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer({ appendonly: true });
  const slack = await startFakeSlack({ triggerTtlMs: Infinity });
  t = await startTestBot({ name: 'faults-redis', env: ALWAYS_REMIND, slack, redisUrl: server.url });
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
});
afterAll(async () => {
  redis?.disconnect();
  await t?.stop();
  await t?.slack.stop();
  await server?.stop();
  if (server) await rm(server.dir, { recursive: true, force: true });
});

const readyz = async () => {
  const res = await fetch(`http://127.0.0.1:${t.port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

const request = (userId: string) =>
  submitRequest(
    t,
    userId,
    requestState({ presetId: 'ci', name: `Redis fault ${userId}`, expiresOn: daysFromNow(60), scopes: ['read:repository:bitbucket'] }),
  );

const pressRecord = (userId: string, requestId: string) =>
  t.sender.interaction(
    blockActionsPayload({
      userId,
      actionId: ACTION.recordToken,
      blockId: BLOCK.checklistActions,
      value: requestId,
      responseUrl: `${t.slack.origin}/response/redis`,
    }),
  );

/** A request the bot acked without field errors: it told the user it was saved. */
const saved = (res: SlackResponse) => res.status === 200 && res.text === '';

describe('Redis SIGKILLed and restarted', () => {
  it('loses nothing it confirmed, reports the outage on /readyz, reconnects and reminds exactly once', async () => {
    expect((await readyz()).status).toBe(200);

    // Before: requests with checklists (their record buttons are pressed during the kill).
    const requesters = Array.from({ length: 6 }, () => newUserId('rq'));
    const requestIds = new Map<string, string>();
    for (const u of requesters) {
      const after = t.slack.calls.length;
      expect(saved(await request(u))).toBe(true);
      requestIds.set(u, recordButtonValue(await waitForChecklist(t, u, after)));
    }
    const remindedBefore: TokenRecord[] = [];
    for (let i = 0; i < 4; i++) remindedBefore.push(await recordDueToken(redis, t.prefix, newUserId('before')));
    await waitUntilReminded(redis, t.prefix, remindedBefore);

    // In flight: reminders falling due, new requests, record presses; Redis dies meanwhile.
    const dueAtKill: TokenRecord[] = [];
    for (let i = 0; i < 10; i++) dueAtKill.push(await recordDueToken(redis, t.prefix, newUserId('due'), [7, 1, 0][i % 3]));
    const dueOwners = new Set(dueAtKill.map((tk) => tk.ownerId));
    // Kill once the first of them is being sent, with the other work staggered around it.
    await t.slack.waitForCall('chat.postMessage', (c) => dueOwners.has(String(c.args['channel'])), { timeoutMs: 15_000 });
    const newcomers = Array.from({ length: 8 }, () => newUserId('new'));
    const submissions = newcomers.map((u, i) => sleep(i * 15).then(() => request(u)));
    const presses = requesters.map((u, i) => sleep(i * 15).then(() => pressRecord(u, requestIds.get(u)!)));
    await Promise.race(submissions);
    await server.kill();
    const inFlight = await Promise.all([...submissions, ...presses]);

    // During the outage: /readyz says so, and requests are still answered within Slack's 3 s.
    const down = await eventually(readyz, (r) => r.status === 503, 10_000, '/readyz 503');
    expect(down.body).toMatchObject({ status: 'not_ready', redis: 'down' });
    const duringUser = newUserId('during');
    const during = await request(duringUser);
    expect(during.status).toBe(200);
    expect(during.ms).toBeLessThan(3000);
    expect(String((during.json() as { errors?: Record<string, string> } | undefined)?.errors?.['token_name'] ?? '')).toMatch(
      /could not save/,
    );
    const healthz = await fetch(`http://127.0.0.1:${t.port}/healthz`);
    expect(healthz.status).toBe(200);

    await server.restart();
    const up = await eventually(readyz, (r) => r.status === 200, 20_000, '/readyz 200 again');
    expect(up.body).toEqual({ status: 'ready', redis: 'up', queue: 'up' });
    expect(t.logs.text).toMatch(/redis connection error|queue redis error|worker redis error/);

    // Every answer came within 3 s; every request the bot said it saved is in Redis.
    for (const res of inFlight) {
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(3000);
    }
    const savedUsers = newcomers.filter((_u, i) => saved(inFlight[i]!));
    for (const u of [...requesters, ...savedUsers]) expect(await redis.zcard(`${t.prefix}:user:${u}:requests`), u).toBe(1);
    for (const u of newcomers.filter((u) => !savedUsers.includes(u))) {
      // Refused with a field error: nothing half-written.
      expect(await redis.zcard(`${t.prefix}:user:${u}:requests`), u).toBe(0);
    }
    expect(await redis.zcard(`${t.prefix}:user:${duringUser}:requests`)).toBe(0);
    // A record press that got its "Recorded" DM has its token.
    for (const u of requesters) {
      const confirmed = t.slack
        .callsTo('chat.postMessage')
        .some((c) => c.args['channel'] === u && String(c.args['text']).includes('Recorded'));
      if (confirmed) expect(await redis.exists(`${t.prefix}:token:t${requestIds.get(u)!.slice(1)}`), u).toBe(1);
    }

    // A press repeated after the restart records whatever the outage interrupted, once.
    for (const u of requesters) expect((await pressRecord(u, requestIds.get(u)!)).status).toBe(200);
    for (const u of requesters)
      await eventually(
        () => redis.exists(`${t.prefix}:token:t${requestIds.get(u)!.slice(1)}`),
        (n) => n === 1,
        10_000,
        `token of ${u}`,
      );

    // Reminders: the ones sent before are not sent again; the ones due at the kill go out once.
    await waitUntilReminded(redis, t.prefix, dueAtKill, 60_000);
    const late = await recordDueToken(redis, t.prefix, newUserId('after'));
    await waitUntilReminded(redis, t.prefix, [late]);
    await expectRemindedOnce(redis, t.prefix, t.slack, [...remindedBefore, ...dueAtKill, late]);
    console.log(
      `[faults] redis kill: ${inFlight.length} requests in flight (${savedUsers.length}/${newcomers.length} submissions saved), ${dueAtKill.length} reminders due at the kill, all delivered once`,
    );
  }, 150_000);
});
