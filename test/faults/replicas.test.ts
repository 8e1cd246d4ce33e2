import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { uniquePrefix } from '../support/redis-server.js';
import { blockActionsPayload } from '../support/slack-requests.js';
import { daysFromNow, requestState, submitRequest } from '../support/flows.js';
import { ALWAYS_REMIND, eventually, expectRemindedOnce, newUserId, recordDueToken, waitUntilReminded } from '../support/faults.js';
import { ACTION, BLOCK } from '../../src/blocks/ids.js';
import { acrossAnotherSweep } from '../support/queue-state.js';

/**
 * Three app instances on one Redis and one Slack workspace, as three replicas behind a load
 * balancer: every reminder goes out once, and of concurrent decisions on a request (two
 * approvers clicking on different replicas, the requester cancelling on a third) one wins.
 */

const CHANNEL = 'C0APPROVALS';
const RISKY = ['read:repository:bitbucket', 'write:repository:bitbucket', 'admin:repository:bitbucket'];

let slack: FakeSlack;
let redis: Redis;
let bots: TestBot[] = [];
const prefix = uniquePrefix('faults-replicas');
beforeAll(async () => {
  slack = await startFakeSlack({ triggerTtlMs: Infinity });
  const env = { ...ALWAYS_REMIND, APPROVAL_CHANNEL_ID: CHANNEL, APPROVER_USER_IDS: 'UAPPR1,UAPPR2' };
  bots = [];
  for (const name of ['a', 'b', 'c']) bots.push(await startTestBot({ name: `replica-${name}`, env, slack, prefix }));
  redis = new Redis(bots[0]!.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  for (const b of bots) await b.stop();
  await slack.stop();
});

describe('three replicas on one Redis', () => {
  it('send every reminder exactly once', async () => {
    const tokens = [];
    for (let i = 0; i < 24; i++) tokens.push(await recordDueToken(redis, prefix, newUserId('rep3'), [7, 1, 0][i % 3]));
    await waitUntilReminded(redis, prefix, tokens, 30_000);
    // Nothing more: once the queue (shared by the replicas) has settled (idle, a sweep, idle),
    // one more sweep runs and the queue is idle again, without a single Slack call in between.
    const calls = await acrossAnotherSweep(bots[0]!, () => slack.calls.map((c) => `${c.method} #${c.index}`));
    expect(calls.after.slice(calls.before.length)).toEqual([]);
    await expectRemindedOnce(redis, prefix, slack, tokens);
  }, 60_000);

  it('apply exactly one decision when approvers and the requester act at once on different replicas', async () => {
    const requests: Array<{ id: string; ts: unknown; requester: string }> = [];
    for (let i = 0; i < 6; i++) {
      const requester = newUserId('req');
      const after = slack.calls.length;
      const name = `Replica decision ${requester}`;
      const res = await submitRequest(
        bots[i % 3]!,
        requester,
        requestState({ name, expiresOn: daysFromNow(30), scopes: RISKY, workspace: 'acme', purpose: 'Creates repos' }),
      );
      expect(res.text).toBe('');
      const parent = await slack.waitForCall(
        'chat.postMessage',
        (c) => c.args['channel'] === CHANNEL && !c.args['thread_ts'] && c.response['ok'] === true && JSON.stringify(c.args).includes(name),
        { after, timeoutMs: 15_000 },
      );
      const blocks = parent.args['blocks'] as Array<{ block_id?: string; elements?: Array<{ value: string }> }>;
      requests.push({
        id: blocks.find((b) => b.block_id === BLOCK.approvalActions)!.elements![0]!.value,
        ts: parent.response['ts'],
        requester,
      });
    }
    const click = (bot: TestBot, userId: string, actionId: string, blockId: string, r: (typeof requests)[number]) =>
      bot.sender.interaction(
        blockActionsPayload({
          userId,
          actionId,
          blockId,
          value: r.id,
          message: { ts: r.ts, channel: CHANNEL },
          channelId: CHANNEL,
          responseUrl: `${slack.origin}/response/replica`,
        }),
      );
    const answers = await Promise.all(
      requests.flatMap((r) => [
        click(bots[0]!, 'UAPPR1', ACTION.approve, BLOCK.approvalActions, r),
        click(bots[1]!, 'UAPPR2', ACTION.approve, BLOCK.approvalActions, r),
        click(bots[2]!, r.requester, ACTION.cancelRequest, BLOCK.requesterActions, r),
        click(bots[1]!, 'UAPPR1', ACTION.approve, BLOCK.approvalActions, r),
      ]),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    for (const r of requests) {
      const stored = await eventually(
        async () => JSON.parse((await redis.get(`${prefix}:request:${r.id}`))!) as { status: string; decidedBy?: string },
        (v) => v.status !== 'pending_approval',
        10_000,
      );
      expect(['approved', 'cancelled']).toContain(stored.status);
      // The follow-up of the one decision: one parent rewrite, one thread note, one DM about it.
      await eventually(
        async () => slack.callsTo('chat.update').filter((c) => c.args['ts'] === r.ts && c.response['ok'] === true).length,
        (n) => n >= 1,
        15_000,
      );
    }
    // Nothing more: the outcome jobs have run (settled queue), and across one more sweep no call
    // was made but the clicks' own answers (ephemeral replies, Home refreshes: listener work).
    const jobCalls = () =>
      slack.calls.filter((c) => c.method !== 'response_url' && c.method !== 'views.publish').map((c) => `${c.method} #${c.index}`);
    const calls = await acrossAnotherSweep(bots[0]!, jobCalls);
    expect(calls.after.slice(calls.before.length)).toEqual([]);
    for (const r of requests) {
      const stored = JSON.parse((await redis.get(`${prefix}:request:${r.id}`))!) as { status: string };
      const updates = slack.callsTo('chat.update').filter((c) => c.args['ts'] === r.ts && c.response['ok'] === true).length;
      const notes = slack.callsTo('chat.postMessage').filter((c) => c.args['thread_ts'] === r.ts && c.response['ok'] === true).length;
      const checklists = slack
        .callsTo('chat.postMessage')
        .filter(
          (c) =>
            c.args['channel'] === r.requester &&
            c.response['ok'] === true &&
            JSON.stringify(c.args['blocks'] ?? '').includes(ACTION.recordToken),
        ).length;
      expect({ id: r.id, updates, notes, checklists }).toEqual({
        id: r.id,
        updates: 1,
        notes: 1,
        checklists: stored.status === 'approved' ? 1 : 0,
      });
    }
    console.log(
      `[faults] replicas: 24 reminders and ${requests.length} requests × 4 concurrent decisions on 3 replicas: ${requests.length} decisions applied`,
    );
  }, 90_000);
});
