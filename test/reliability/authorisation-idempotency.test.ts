import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload } from '../support/slack-requests.js';
import { createFuzzSender, dumpPrefix, settle } from '../support/fuzz.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { ACTION, BLOCK } from '../../src/slack/ids.js';

/**
 * Who may press each button, and what pressing it twice (or Slack redelivering it) does.
 * One row per button: the lead extends BUTTONS with approvals, reminders and App Home.
 */

let t: TestBot;
let redis: Redis;
let send: ReturnType<typeof createFuzzSender>;
beforeAll(async () => {
  t = await startTestBot({ name: 'authz' });
  redis = new Redis(t.redisUrl);
  send = createFuzzSender(t, SIGNING_SECRET);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

interface Prepared {
  /** Users allowed to press the button. */
  allowed: string[];
  /** Someone who must be refused. */
  stranger: string;
  /** The payload Slack would send when `userId` presses the button. */
  payload(userId: string): object;
  /** Counts the button's side effects (records written, messages sent) for the assertions. */
  sideEffects(): Promise<Record<string, number>>;
  /** What one successful press leaves behind. */
  once: Record<string, number>;
}

interface ButtonCase {
  name: string;
  prepare(t: TestBot, owner: string): Promise<Prepared>;
}

const BUTTONS: ButtonCase[] = [
  {
    name: 'record token (owner only)',
    async prepare(t, owner) {
      const after = t.slack.calls.length;
      await submitRequest(t, owner, requestState({ presetId: 'ci', name: `Authz ${owner}`, expiresOn: daysFromNow(40), scopes: ['read:repository:bitbucket'] }));
      const dm = await waitForChecklist(t, owner, after);
      const requestId = recordButtonValue(dm);
      const message = { ts: dm.response['ts'], channel: dm.response['channel'], blocks: dm.args['blocks'] };
      return {
        allowed: [owner],
        stranger: 'UINTRUDER1',
        payload: (userId) =>
          blockActionsPayload({ userId, actionId: ACTION.recordToken, blockId: BLOCK.checklistActions, value: requestId, message, channelId: String(dm.response['channel']), responseUrl: `${t.slack.origin}/response/authz` }),
        async sideEffects() {
          const tokens = (await dumpPrefix(redis, t.prefix)).filter((e) => new RegExp(`^${t.prefix}:token:[^:]+$`).test(e.key)).length;
          const history = ((await redis.get(`${t.prefix}:token:t${requestId.slice(1)}:history`)) ?? '').split('\n').filter(Boolean).length;
          const confirmations = t.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === owner && String(c.args['text']).includes('Recorded')).length;
          const updates = t.slack.callsTo('chat.update').filter((c) => c.args['ts'] === message.ts).length;
          return { tokens, history, confirmations, updates };
        },
        once: { tokens: 1, history: 1, confirmations: 1, updates: 1 },
      };
    },
  },
];

describe.each(BUTTONS)('$name', (button) => {
  it('refuses the wrong user ephemerally and changes nothing', async () => {
    const p = await button.prepare(t, 'UOWNER1');
    const before = await p.sideEffects();
    const after = t.slack.calls.length;
    const res = await send.interaction(p.payload(p.stranger));
    expect(res.status).toBe(200);
    const refusal = await t.slack.waitForCall('response_url', undefined, { after });
    expect(refusal.args['response_type']).toBe('ephemeral');
    expect(String(refusal.args['text'])).toMatch(/Only <@UOWNER1>/);
    await settle(t, { quietMs: 300 });
    expect(await p.sideEffects()).toEqual(before);
  });

  it('has one effect however often it is pressed or redelivered', async () => {
    const p = await button.prepare(t, 'UOWNER2');
    const before = await p.sideEffects();
    const owner = p.allowed[0]!;
    // A double click (two presses at once), then Slack-style redeliveries of the same body.
    const body = p.payload(owner);
    const results = await Promise.all([
      send.interaction(body),
      send.interaction(body),
      send.interaction(p.payload(owner)),
      ...[1, 2, 3].map((n) => send.interaction(body, { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } })),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await t.slack.waitForCalls('response_url', 5, (c) => String(c.args['text']).includes('already recorded'), { timeoutMs: 10_000 });
    await settle(t, { quietMs: 300 });
    const afterPresses = await p.sideEffects();
    const delta = Object.fromEntries(Object.entries(afterPresses).map(([k, v]) => [k, v - (before[k] ?? 0)]));
    expect(delta).toEqual(p.once);
  });
});
