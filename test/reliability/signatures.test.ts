import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, signSlackRequest, viewSubmissionPayload } from '../support/slack-requests.js';
import { dumpPrefix, postRaw, settle } from '../support/fuzz.js';
import { daysFromNow, requestState } from '../support/flows.js';
import { ACTION, BLOCK, CALLBACK } from '../../src/blocks/ids.js';

/**
 * Signature checks on every kind of request the bot handles: missing, wrong, replayed with
 * an old timestamp, from the future, or with the body altered after signing. Each is
 * refused with 401 and nothing is processed: no Slack call, no Redis write.
 */

let t: TestBot;
let redis: Redis;
beforeAll(async () => {
  t = await startTestBot({ name: 'signatures' });
  redis = new Redis(t.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

/** App records only: BullMQ's own bookkeeping (stalled-check timestamps) changes by itself. */
const appKeys = async () => (await dumpPrefix(redis, t.prefix)).filter((e) => !e.key.startsWith(`${t.prefix}:bull:`));
const nowSec = () => Math.floor(Date.now() / 1000);

/** One body per entry point; extend with approvals, reminders and App Home. */
const BODIES: Array<[string, string]> = [
  [
    'slash command',
    new URLSearchParams({
      command: '/bitbucket-token',
      text: 'deeptraq',
      user_id: 'U1',
      channel_id: 'C1',
      trigger_id: '1.2.abc',
    }).toString(),
  ],
  [
    'view_submission',
    new URLSearchParams({
      payload: JSON.stringify(
        viewSubmissionPayload({
          userId: 'U1',
          callbackId: CALLBACK.requestModal,
          values: requestState({ presetId: 'ci', name: 'Signed?', expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] }),
        }),
      ),
    }).toString(),
  ],
  [
    'block_actions',
    new URLSearchParams({
      payload: JSON.stringify(
        blockActionsPayload({ userId: 'U1', actionId: ACTION.recordToken, blockId: BLOCK.checklistActions, value: 'raaaaaaaaaaaaaaaa' }),
      ),
    }).toString(),
  ],
];

type Tamper = (body: string) => { body: string; headers: Record<string, string> };
const sign = (body: string, ts = nowSec()) => ({ ...signSlackRequest(body, SIGNING_SECRET, ts) });

const TAMPERS: Array<[string, Tamper]> = [
  ['no signature headers', (body) => ({ body, headers: {} })],
  ['signature without timestamp', (body) => ({ body, headers: { 'x-slack-signature': sign(body)['x-slack-signature'] } })],
  ['wrong secret', (body) => ({ body, headers: signSlackRequest(body, 'f'.repeat(32), nowSec()) as unknown as Record<string, string> })],
  ['garbage signature', (body) => ({ body, headers: { 'x-slack-request-timestamp': String(nowSec()), 'x-slack-signature': 'v0=nothex' } })],
  [
    'v1 scheme',
    (body) => ({ body, headers: { ...sign(body), 'x-slack-signature': sign(body)['x-slack-signature'].replace('v0=', 'v1=') } }),
  ],
  ['replayed: timestamp 6 minutes old', (body) => ({ body, headers: sign(body, nowSec() - 6 * 60) })],
  ['replayed: timestamp a day old', (body) => ({ body, headers: sign(body, nowSec() - 86_400) })],
  ['timestamp 6 minutes in the future', (body) => ({ body, headers: sign(body, nowSec() + 6 * 60) })],
  ['non-numeric timestamp', (body) => ({ body, headers: { ...sign(body), 'x-slack-request-timestamp': 'soon' } })],
  ['body altered after signing', (body) => ({ body: body.replace('U1', 'U2'), headers: sign(body) })],
  ['body extended after signing', (body) => ({ body: `${body}&extra=1`, headers: sign(body) })],
];

describe('signatures', () => {
  const cases = BODIES.flatMap(([entry, body]) => TAMPERS.map(([how, tamper]) => [entry, how, body, tamper] as const));
  it(`refuses ${cases.length} tampered requests with 401 and processes none of them`, async () => {
    const url = `http://127.0.0.1:${t.port}/slack/events`;
    const callsBefore = t.slack.calls.length;
    const keysBefore = await appKeys();
    const statuses: string[] = [];
    for (const [entry, how, original, tamper] of cases) {
      const { body, headers } = tamper(original);
      const res = await postRaw(url, body, { headers });
      statuses.push(`${entry} / ${how}: ${res.status}`);
    }
    expect(statuses).toEqual(cases.map(([entry, how]) => `${entry} / ${how}: 401`));
    await settle(t, { quietMs: 300 });
    expect(t.slack.calls.slice(callsBefore).map((c) => c.method)).toEqual([]);
    expect(await appKeys()).toEqual(keysBefore);
  });

  it('the same bodies, correctly signed, are processed (the test can fail)', async () => {
    const url = `http://127.0.0.1:${t.port}/slack/events`;
    const callsBefore = t.slack.calls.length;
    const [, body] = BODIES[0]!;
    const fresh = body.replace('1.2.abc', `1.${Date.now()}.abc`);
    const res = await postRaw(url, fresh, { headers: sign(fresh) });
    expect(res.status).toBe(200);
    await t.slack.waitForCall('views.open', undefined, { after: callsBefore });
  });
});
