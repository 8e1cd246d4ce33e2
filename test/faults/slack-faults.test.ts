import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { blockActionsPayload } from '../support/slack-requests.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import {
  ALWAYS_REMIND,
  acceptedPosts,
  eventually,
  expectRemindedOnce,
  newUserId,
  recordDueToken,
  waitUntilReminded,
} from '../support/faults.js';
import { ACTION, BLOCK } from '../../src/blocks/ids.js';
import { acrossAnotherSweep } from '../support/queue-state.js';

/**
 * The Slack Web API misbehaving for a while: 429 with Retry-After, 5xx, answers slower than
 * the client's 10 s timeout, and `ok:false`. Acks must not wait on Slack; reminders must be
 * retried and delivered exactly once; a checklist DM Slack did not take must still arrive
 * (once), and the user must be told it is delayed.
 */

let t: TestBot;
let redis: Redis;
beforeAll(async () => {
  const slack = await startFakeSlack({ triggerTtlMs: Infinity });
  t = await startTestBot({ name: 'faults-slack', env: ALWAYS_REMIND, slack });
  redis = new Redis(t.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
  await t.slack.stop();
});

const checklistsTo = (userId: string) =>
  acceptedPosts(t.slack, userId).filter((c) => JSON.stringify(c.args['blocks'] ?? '').includes(ACTION.recordToken));
const request = (userId: string) =>
  submitRequest(
    t,
    userId,
    requestState({ presetId: 'ci', name: `Slack fault ${userId}`, expiresOn: daysFromNow(60), scopes: ['read:repository:bitbucket'] }),
  );

describe('Slack API faults', () => {
  beforeEach(() => t.slack.clearFailures());

  it('acks every request within 3 s while every Slack method is slow', async () => {
    const user = newUserId('slow');
    for (const method of ['users.info', 'views.open', 'chat.postMessage', 'chat.postEphemeral', 'chat.update', 'views.publish']) {
      t.slack.failNext(method, { delayMs: 4000, times: 5 });
    }
    const answers = await Promise.all([
      t.sender.command({ user_id: user, text: '' }),
      t.sender.command({ user_id: user, text: 'list' }),
      request(user),
      t.sender.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1700000000.000100' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const a of answers) expect(a.ms).toBeLessThan(3000);
    // The submission still reaches its checklist once Slack answers.
    await eventually(
      async () => checklistsTo(user).length,
      (n) => n === 1,
      30_000,
      'checklist delivered',
    );
  }, 60_000);

  for (const [label, fault] of [
    ['500', { status: 500, times: 2 }],
    ['429 Retry-After 1', { retryAfter: 1, times: 2 }],
    ['ok:false internal_error', { error: 'internal_error', times: 2 }],
  ] as const) {
    it(`checklist DM answered ${label}: the user is told, the DM is retried and arrives once`, async () => {
      const user = newUserId('chk');
      const after = t.slack.calls.length;
      t.slack.failNext('chat.postMessage', fault);
      const res = await request(user);
      expect(res.text).toBe('');
      const told = await t.slack.waitForCall('response_url', (c) => String(c.args['text']).includes('will keep trying'), {
        after,
        timeoutMs: 10_000,
      });
      expect(told.args['response_type']).toBe('ephemeral');
      await waitForChecklist(t, user, after);
      await eventually(
        () => t.bot.jobs.counts(),
        (c) => (c['waiting'] ?? 0) + (c['active'] ?? 0) + (c['delayed'] ?? 0) <= 1,
        10_000,
        'retry job done',
      );
      expect(checklistsTo(user)).toHaveLength(1);
    }, 60_000);
  }

  it('checklist DM slower than the client timeout: Slack took it; the retry finds it and does not send it again', async () => {
    const user = newUserId('late');
    const after = t.slack.calls.length;
    t.slack.failNext('chat.postMessage', { delayMs: 11_000 });
    expect((await request(user)).text).toBe('');
    await t.slack
      .waitForCall('response_url', (c) => String(c.args['text']).includes('will keep trying'), { after, timeoutMs: 30_000 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${t.logs.lines.slice(-15).join('\n')}`);
      });
    await t.slack.waitForCall('conversations.history', (c) => c.args['channel'] === `D${user}`, { after, timeoutMs: 20_000 });
    // The slow post was accepted: exactly one checklist, and the record button works.
    await eventually(
      async () => checklistsTo(user).length,
      (n) => n === 1,
      5000,
    );
    const requestId = recordButtonValue(checklistsTo(user)[0]!);
    const pressed = t.slack.calls.length;
    await t.sender.interaction(
      blockActionsPayload({
        userId: user,
        actionId: ACTION.recordToken,
        blockId: BLOCK.checklistActions,
        value: requestId,
        responseUrl: `${t.slack.origin}/response/late`,
      }),
    );
    await eventually(
      () => redis.exists(`${t.prefix}:token:t${requestId.slice(1)}`),
      (n) => n === 1,
      10_000,
    );
    // The button's own answer (its last Slack call) is in; then nothing more: once the queue has
    // settled (idle, a sweep: the new token's first look, idle), one more sweep runs and the
    // queue is idle again, without a Slack call in between (Home refreshes aside: listener work).
    await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === user && String(c.args['text']).includes('Recorded'), {
      after: pressed,
      timeoutMs: 10_000,
    });
    const calls = await acrossAnotherSweep(t, () =>
      t.slack.calls.filter((c) => c.method !== 'views.publish').map((c) => `${c.method} #${c.index}`),
    );
    expect(calls.after.slice(calls.before.length)).toEqual([]);
    expect(checklistsTo(user)).toHaveLength(1);
  }, 60_000);

  it('reminders through 429s, 500s, a timeout and ok:false errors: each delivered exactly once', async () => {
    t.slack.failNext('chat.postMessage', { retryAfter: 1, times: 3 });
    t.slack.failNext('chat.postMessage', { status: 500, times: 3 });
    t.slack.failNext('chat.postMessage', { status: 503, times: 1 });
    t.slack.failNext('chat.postMessage', { error: 'internal_error', times: 2 });
    t.slack.failNext('chat.postMessage', { delayMs: 11_000, times: 1 });
    t.slack.failNext('users.info', { status: 500, times: 2 });
    const tokens = [];
    for (let i = 0; i < 12; i++) tokens.push(await recordDueToken(redis, t.prefix, newUserId('rem'), [7, 1, 0][i % 3]));
    await waitUntilReminded(redis, t.prefix, tokens, 90_000);
    await expectRemindedOnce(redis, t.prefix, t.slack, tokens);
    const posts = t.slack.callsTo('chat.postMessage');
    const faults = posts.filter((c) => c.status !== 200 || c.response['ok'] === false).length;
    expect(faults).toBeGreaterThanOrEqual(9);
    console.log(`[faults] slack: ${tokens.length} reminders through ${faults} failed posts and a timeout, each delivered once`);
  }, 120_000);
});
