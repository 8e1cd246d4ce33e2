import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload } from '../support/slack-requests.js';
import { createFuzzSender, dumpPrefix, settle } from '../support/fuzz.js';
import { ALWAYS_REMIND, eventually, recordDueToken } from '../support/faults.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { ACTION, BLOCK, CALLBACK } from '../../src/blocks/ids.js';
import { expectNothingStored, storedState, tokenHistory } from '../support/redis-state.js';

/**
 * Who may press each button, and what pressing it twice (or Slack redelivering it) does.
 * One row per button that checks who presses it (record, reminders, approvals); the App Home
 * buttons, which anyone may press on their own Home, have their own test below.
 */

const APPROVALS = 'C0APPROVALS';
const APPROVER = 'UAPPR1';
const RISKY = ['read:repository:bitbucket', 'write:repository:bitbucket', 'admin:repository:bitbucket'];

let t: TestBot;
let redis: Redis;
let send: ReturnType<typeof createFuzzSender>;
beforeAll(async () => {
  // One DM per reminder: the cases below reuse owners, and each presses the buttons of its own DM
  // (a digest gathers them; test/e2e/digest.test.ts covers pressing in one).
  t = await startTestBot({
    name: 'authz',
    env: { ...ALWAYS_REMIND, REMINDER_DIGEST: 'false', APPROVAL_CHANNEL_ID: APPROVALS, APPROVER_USER_IDS: APPROVER },
  });
  redis = new Redis(t.redisUrl);
  send = createFuzzSender(t, SIGNING_SECRET);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

/** How one press of a button shows up: ephemeral replies, or a modal replaced by a refusal. */
const answerText = (c: FakeSlackCall) => (c.method === 'response_url' ? String(c.args['text']) : JSON.stringify(c.args['view'] ?? ''));
async function waitForAnswer(pattern: RegExp, after: number): Promise<FakeSlackCall> {
  return eventually(
    async () =>
      t.slack.calls.slice(after).find((c) => (c.method === 'response_url' || c.method === 'views.update') && pattern.test(answerText(c))),
    (c) => c !== undefined,
    10_000,
    `an answer matching ${pattern}`,
  ) as Promise<FakeSlackCall>;
}

interface Prepared {
  /** Users allowed to press the button. */
  allowed: string[];
  /** People who must be refused, and how the refusal reads. */
  strangers: Array<{ userId: string; refusal: RegExp }>;
  /** The payload Slack would send when `userId` presses the button. */
  payload(userId: string): object;
  /** Counts the button's side effects (records written, messages sent) for the assertions. */
  sideEffects(): Promise<Record<string, number>>;
  /** What a double click, a fresh press and three redeliveries leave behind together. */
  once: Record<string, number>;
  /** Answers the repeated presses get (at least this many), when the button says so. */
  repeats?: { pattern: RegExp; count: number };
}

interface ButtonCase {
  name: string;
  prepare(t: TestBot, owner: string): Promise<Prepared>;
}

const historyOf = (tokenId: string) => tokenHistory(redis, t.prefix, tokenId);
const countHistory = async (tokenId: string, type: string) => (await historyOf(tokenId)).filter((e) => e.type === type).length;
const updatesOf = (ts: unknown) => t.slack.callsTo('chat.update').filter((c) => c.args['ts'] === ts && c.response['ok'] === true).length;
const modalsOpened = (callbackId: string, after: number) =>
  t.slack.calls
    .slice(after)
    .filter(
      (c) =>
        c.method === 'views.open' && c.response['ok'] === true && (c.args['view'] as { callback_id?: string }).callback_id === callbackId,
    ).length;
const requestStatus = async (id: string) =>
  (JSON.parse((await redis.get(`${t.prefix}:request:${id}`)) ?? '{}') as { status?: string }).status;

/** A token of `owner` whose reminder DM has gone out; the DM's buttons are pressed below. */
async function remindedToken(owner: string, opts: { ownerGone?: boolean } = {}) {
  if (opts.ownerGone) t.slack.setUser(owner, { deleted: true });
  const token = await recordDueToken(redis, t.prefix, owner);
  const channel = opts.ownerGone ? ALWAYS_REMIND.REMINDER_FALLBACK_CHANNEL_ID : owner;
  const dm = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.args['channel'] === channel && c.response['ok'] === true && JSON.stringify(c.args['blocks']).includes(token.id),
    { timeoutMs: 15_000 },
  );
  await eventually(
    () => countHistory(token.id, 'reminded'),
    (n) => n === 1,
    10_000,
  );
  const message = { ts: dm.response['ts'], channel: dm.response['channel'], blocks: dm.args['blocks'] };
  const press = (actionId: string) => (userId: string) =>
    blockActionsPayload({
      userId,
      actionId,
      blockId: BLOCK.reminderActions,
      value: token.id,
      message,
      channelId: String(dm.response['channel']),
      responseUrl: `${t.slack.origin}/response/authz`,
    });
  return { token, ts: dm.response['ts'], press };
}

/** A reminder button that only writes the token and rewrites the DM. */
function reminderWriteCase(name: string, actionId: string, event: string): ButtonCase {
  return {
    name,
    async prepare(_t, owner) {
      const { token, ts, press } = await remindedToken(owner);
      return {
        allowed: [owner],
        strangers: [{ userId: 'UINTRUDER1', refusal: new RegExp(`Only <@${owner}>`) }],
        payload: press(actionId),
        sideEffects: async () => ({ [event]: await countHistory(token.id, event), updates: updatesOf(ts) }),
        once: { [event]: 1, updates: 1 },
      };
    },
  };
}

/** A reminder button that opens a modal and writes nothing: one modal per trigger_id. */
function reminderModalCase(name: string, actionId: string, callbackId: string): ButtonCase {
  return {
    name,
    async prepare(_t, owner) {
      const { token, press } = await remindedToken(owner);
      const start = t.slack.calls.length;
      return {
        allowed: [owner],
        strangers: [{ userId: 'UINTRUDER1', refusal: new RegExp(`Only <@${owner}>`) }],
        payload: press(actionId),
        sideEffects: async () => ({ modals: modalsOpened(callbackId, start), history: (await historyOf(token.id)).length }),
        // The double click's twin and the redeliveries reuse a trigger_id Slack already exchanged.
        once: { modals: 2, history: 0 },
      };
    },
  };
}

/** A request flagged for review, posted to the approvals channel. */
async function flaggedRequest(requester: string) {
  const after = t.slack.calls.length;
  const name = `Authz ${requester}`;
  const res = await submitRequest(
    t,
    requester,
    requestState({ name, expiresOn: daysFromNow(30), scopes: RISKY, workspace: 'acme', purpose: 'Creates repos' }),
  );
  expect(res.text).toBe('');
  const parent = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.args['channel'] === APPROVALS && !c.args['thread_ts'] && c.response['ok'] === true && JSON.stringify(c.args).includes(name),
    { after, timeoutMs: 10_000 },
  );
  const blocks = parent.args['blocks'] as Array<{ block_id?: string; elements?: Array<{ value: string }> }>;
  const id = blocks.find((b) => b.block_id === BLOCK.approvalActions)!.elements![0]!.value;
  const ts = parent.response['ts'];
  await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.args['channel'] === requester && JSON.stringify(c.args).includes(ACTION.cancelRequest),
    { after, timeoutMs: 10_000 },
  );
  const click = (actionId: string, blockId: string) => (userId: string) =>
    blockActionsPayload({
      userId,
      actionId,
      blockId,
      value: id,
      message: { ts, channel: APPROVALS },
      channelId: blockId === BLOCK.approvalActions ? APPROVALS : `D${requester}`,
      responseUrl: `${t.slack.origin}/response/authz`,
    });
  const outcome = async () => ({
    parentUpdates: updatesOf(ts),
    threadNotes: t.slack.callsTo('chat.postMessage').filter((c) => c.args['thread_ts'] === ts && c.response['ok'] === true).length,
    requesterDms: t.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === requester && c.response['ok'] === true).length,
  });
  return { id, ts, click, outcome };
}

const BUTTONS: ButtonCase[] = [
  {
    name: 'record token (owner only)',
    async prepare(t, owner) {
      const after = t.slack.calls.length;
      await submitRequest(
        t,
        owner,
        requestState({ presetId: 'ci', name: `Authz ${owner}`, expiresOn: daysFromNow(40), scopes: ['read:repository:bitbucket'] }),
      );
      const dm = await waitForChecklist(t, owner, after);
      const requestId = recordButtonValue(dm);
      const message = { ts: dm.response['ts'], channel: dm.response['channel'], blocks: dm.args['blocks'] };
      return {
        allowed: [owner],
        strangers: [{ userId: 'UINTRUDER1', refusal: new RegExp(`Only <@${owner}>`) }],
        payload: (userId) =>
          blockActionsPayload({
            userId,
            actionId: ACTION.recordToken,
            blockId: BLOCK.checklistActions,
            value: requestId,
            message,
            channelId: String(dm.response['channel']),
            responseUrl: `${t.slack.origin}/response/authz`,
          }),
        async sideEffects() {
          const tokens = (await dumpPrefix(redis, t.prefix)).filter(
            (e) => new RegExp(`^${t.prefix}:token:[^:]+$`).test(e.key) && e.values.some((v) => v.includes(requestId)),
          ).length;
          const history = (await historyOf(`t${requestId.slice(1)}`)).length;
          const confirmations = t.slack
            .callsTo('chat.postMessage')
            .filter((c) => c.args['channel'] === owner && String(c.args['text']).includes('Recorded')).length;
          const updates = t.slack.callsTo('chat.update').filter((c) => c.args['ts'] === message.ts).length;
          return { tokens, history, confirmations, updates };
        },
        once: { tokens: 1, history: 1, confirmations: 1, updates: 1 },
        repeats: { pattern: /already recorded/, count: 5 },
      };
    },
  },
  reminderWriteCase('reminder: snooze (owner only)', ACTION.reminderSnooze, 'snoozed'),
  reminderWriteCase('reminder: no longer needed (owner only while the owner is here)', ACTION.reminderRevoke, 'revoked'),
  reminderModalCase('reminder: renew (owner only)', ACTION.reminderRenew, CALLBACK.requestModal),
  reminderModalCase('reminder: already rotated (owner only)', ACTION.reminderRotated, CALLBACK.rotatedModal),
  {
    name: 'reminder: adopt (anyone while orphaned; then only the adopter)',
    async prepare(_t, owner) {
      const gone = `UGONE${owner}`;
      const { token, ts, press } = await remindedToken(gone, { ownerGone: true });
      return {
        allowed: [owner],
        strangers: [],
        payload: press(ACTION.reminderAdopt),
        sideEffects: async () => ({ adopted: await countHistory(token.id, 'adopted'), updates: updatesOf(ts) }),
        once: { adopted: 1, updates: 1 },
        afterwards: { userId: 'UINTRUDER1', refusal: new RegExp(`Only <@${owner}>`) },
      } as Prepared;
    },
  },
  {
    name: "approval: approve (approvers only, never one's own request)",
    async prepare(_t, owner) {
      const requester = `${owner}REQ`;
      const r = await flaggedRequest(requester);
      return {
        allowed: [APPROVER],
        strangers: [
          { userId: 'UINTRUDER1', refusal: /Only approvers can decide/ },
          { userId: requester, refusal: /Only approvers can decide/ },
        ],
        payload: r.click(ACTION.approve, BLOCK.approvalActions),
        sideEffects: async () => ({ approved: (await requestStatus(r.id)) === 'approved' ? 1 : 0, ...(await r.outcome()) }),
        // One decision: the parent rewritten once, one thread note, the checklist DM once.
        once: { approved: 1, parentUpdates: 1, threadNotes: 1, requesterDms: 1 },
        repeats: { pattern: /already decided/, count: 5 },
      };
    },
  },
  {
    name: 'approval: cancel (requester only)',
    async prepare(_t, owner) {
      const r = await flaggedRequest(owner);
      return {
        allowed: [owner],
        strangers: [
          { userId: 'UINTRUDER1', refusal: new RegExp(`Only <@${owner}> can cancel`) },
          { userId: APPROVER, refusal: new RegExp(`Only <@${owner}> can cancel`) },
        ],
        payload: r.click(ACTION.cancelRequest, BLOCK.requesterActions),
        sideEffects: async () => ({
          cancelled: (await requestStatus(r.id)) === 'cancelled' ? 1 : 0,
          parentUpdates: (await r.outcome()).parentUpdates,
          threadNotes: (await r.outcome()).threadNotes,
        }),
        once: { cancelled: 1, parentUpdates: 1, threadNotes: 1 },
      };
    },
  },
  ...(
    [
      ['approval: reject (approvers only; the modal is replaced by a refusal)', ACTION.reject],
      ['approval: approve fewer scopes (approvers only; the modal is replaced by a refusal)', ACTION.approveNarrowed],
    ] as const
  ).map(
    ([name, actionId]): ButtonCase => ({
      name,
      async prepare(_t, owner) {
        const requester = `${owner}REQ`;
        const r = await flaggedRequest(requester);
        const start = t.slack.calls.length;
        return {
          allowed: [APPROVER],
          strangers: [
            { userId: 'UINTRUDER1', refusal: /Only approvers can decide/ },
            { userId: requester, refusal: /cannot decide on your own request/ },
          ],
          payload: r.click(actionId, BLOCK.approvalActions),
          sideEffects: async () => ({
            pending: (await requestStatus(r.id)) === 'pending_approval' ? 1 : 0,
            modals: t.slack.calls.slice(start).filter((c) => c.method === 'views.open' && c.response['ok'] === true).length,
            parentUpdates: updatesOf(r.ts),
          }),
          // Nothing is decided by opening the modal: one modal per trigger_id.
          once: { pending: 0, modals: 2, parentUpdates: 0 },
        };
      },
    }),
  ),
];

describe.each(BUTTONS)('$name', (button) => {
  it('refuses the wrong users and changes nothing', async () => {
    const p = await button.prepare(t, 'UOWNER1');
    const afterwards = (p as Prepared & { afterwards?: Prepared['strangers'][number] }).afterwards;
    if (afterwards) {
      // The button is open to anyone at first (adopt): once pressed, it belongs to the presser.
      await send.interaction(p.payload(p.allowed[0]!));
      await settle(t, { quietMs: 300 });
    }
    const strangers = afterwards ? [afterwards] : p.strangers;
    expect(strangers.length).toBeGreaterThan(0);
    for (const { userId, refusal } of strangers) {
      const before = await p.sideEffects();
      const after = t.slack.calls.length;
      const res = await send.interaction(p.payload(userId));
      expect(res.status).toBe(200);
      const answer = await waitForAnswer(refusal, after);
      if (answer.method === 'response_url') expect(answer.args['response_type']).toBe('ephemeral');
      await settle(t, { quietMs: 300 });
      const now = await p.sideEffects();
      // A refusal opens no modal of substance: only the modal that was replaced may differ.
      delete now['modals'];
      delete before['modals'];
      expect(now, userId).toEqual(before);
    }
  });

  it('has one effect however often it is pressed or redelivered', async () => {
    const p = await button.prepare(t, 'UOWNER2');
    const before = await p.sideEffects();
    const owner = p.allowed[0]!;
    // A double click (two presses at once), then Slack-style redeliveries of the same body.
    const body = p.payload(owner);
    const after = t.slack.calls.length;
    const results = await Promise.all([
      send.interaction(body),
      send.interaction(body),
      send.interaction(p.payload(owner)),
      ...[1, 2, 3].map((n) =>
        send.interaction(body, { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } }),
      ),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    if (p.repeats)
      await t.slack.waitForCalls('response_url', p.repeats.count, (c) => p.repeats!.pattern.test(String(c.args['text'])), {
        after,
        timeoutMs: 10_000,
      });
    await settle(t, { quietMs: 500 });
    const afterPresses = await p.sideEffects();
    const delta = Object.fromEntries(Object.entries(afterPresses).map(([k, v]) => [k, v - (before[k] ?? 0)]));
    expect(delta).toEqual(p.once);
  });
});

describe('App Home buttons (anyone, on their own Home)', () => {
  it.each([
    [ACTION.homeNewRequest, CALLBACK.requestModal],
    [ACTION.homeRecordExisting, CALLBACK.recordModal],
  ])('%s opens one modal per trigger_id for the presser and stores nothing', async (actionId, callbackId) => {
    // Not a key count: keys with a TTL (job locks) expire during the test on their own.
    const stored = await storedState(redis, t.prefix);
    const start = t.slack.calls.length;
    const body = blockActionsPayload({ userId: 'UHOME1', actionId, blockId: BLOCK.homeActions, view: { id: 'VHOME00001', type: 'home' } });
    const results = await Promise.all([
      send.interaction(body),
      send.interaction(body),
      send.interaction(
        blockActionsPayload({ userId: 'UHOME2', actionId, blockId: BLOCK.homeActions, view: { id: 'VHOME00002', type: 'home' } }),
      ),
      ...[1, 2, 3].map((n) =>
        send.interaction(body, { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } }),
      ),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await settle(t, { quietMs: 300 });
    expect(modalsOpened(callbackId, start)).toBe(2);
    expectNothingStored(stored, await storedState(redis, t.prefix));
  });
});
