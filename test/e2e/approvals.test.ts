import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, input, viewSubmissionPayload } from '../support/slack-requests.js';
import { daysFromNow, openRequestModal, requestState, submitRequest, waitForChecklist, type RequestValues } from '../support/flows.js';
import type { FakeSlackCall, StoredView } from '../support/fake-slack.js';
import { ACTION, APPROVAL_INPUT, BLOCK, CALLBACK, REQUEST_ACTION, REQUEST_BLOCK } from '../../src/blocks/ids.js';
import { JOB, approvalJobId } from '../../src/jobs/queue.js';

const CHANNEL = 'C0APPROVALS';
const GROUP = 'S0APPROVERS';
const RISKY = ['read:repository:bitbucket', 'write:repository:bitbucket', 'admin:repository:bitbucket'];

let t: TestBot;
let redis: Redis;

beforeAll(async () => {
  t = await startTestBot({
    name: 'approvals',
    env: { APPROVAL_CHANNEL_ID: CHANNEL, APPROVER_USER_IDS: 'UAPPR1,UAPPR2', APPROVER_USERGROUP_ID: GROUP },
  });
  t.slack.setUsergroup(GROUP, ['UGRP1']);
  redis = new Redis(t.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

const stored = async (id: string) => JSON.parse((await redis.get(`${t.prefix}:request:${id}`))!);
const pendingIds = () => redis.zrange(`${t.prefix}:requests:pending`, '0', '-1');
const text = (call: FakeSlackCall) => JSON.stringify([call.args['text'], call.args['blocks'] ?? null]);

interface Flagged {
  id: string;
  parent: FakeSlackCall;
  ts: string;
}

/** Submits a flagged request and waits for its parent message in the approvals channel. */
async function submitFlagged(requester: string, name: string, values: RequestValues = {}, bot = t): Promise<Flagged> {
  const after = t.slack.calls.length;
  const res = await submitRequest(
    bot,
    requester,
    requestState({
      name,
      expiresOn: daysFromNow(30),
      scopes: RISKY,
      workspace: 'acme',
      purpose: 'Creates repos for new services',
      ...values,
    }),
  );
  expect(res.text).toBe('');
  const parent = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.args['channel'] === CHANNEL && c.response['ok'] === true && !c.args['thread_ts'] && text(c).includes(name),
    { after },
  );
  const blocks = parent.args['blocks'] as Array<{ block_id?: string; elements?: Array<{ action_id: string; value: string }> }>;
  const id = blocks.find((b) => b.block_id === BLOCK.approvalActions)!.elements![0]!.value;
  // The DM with the link is sent once the message's ts is stored on the request.
  await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.args['channel'] === requester && text(c).includes(ACTION.cancelRequest) && text(c).includes(id),
    { after },
  );
  return { id, parent, ts: String(parent.response['ts']) };
}

/** A button click on the parent message. */
function click(f: Flagged, actionId: string, userId: string, value = f.id, bot = t) {
  return bot.sender.interaction(
    blockActionsPayload({
      userId,
      actionId,
      blockId: BLOCK.approvalActions,
      value,
      message: { ts: f.ts, channel: CHANNEL },
      channelId: CHANNEL,
      responseUrl: `${t.slack.origin}/response/action`,
    }),
  );
}

/** A button click in the requester's DM. */
function dmClick(actionId: string, userId: string, value: string) {
  return t.sender.interaction(
    blockActionsPayload({
      userId,
      actionId,
      blockId: BLOCK.requesterActions,
      value,
      channelId: `D${userId}`,
      responseUrl: `${t.slack.origin}/response/dm`,
    }),
  );
}

/** Clicks a button that opens an approver's modal; returns the modal as Slack stored it. */
async function openDecisionModal(f: Flagged, actionId: string, userId: string, callbackId: string): Promise<StoredView> {
  const after = t.slack.calls.length;
  await click(f, actionId, userId);
  const open = await t.slack.waitForCall('views.open', (c) => (c.args['view'] as { callback_id?: string }).callback_id === callbackId, {
    after,
  });
  return t.slack.views.get((open.response['view'] as StoredView).id)!;
}

const ephemeral = (pattern: RegExp, after: number) =>
  t.slack.waitForCall('response_url', (c) => pattern.test(String(c.args['text'])), { after });
const threadNote = (f: Flagged, pattern: RegExp, after = 0) =>
  t.slack.waitForCall('chat.postMessage', (c) => c.args['thread_ts'] === f.ts && pattern.test(String(c.args['text'])), { after });
const parentUpdate = (f: Flagged, pattern: RegExp, after = 0) =>
  t.slack.waitForCall('chat.update', (c) => c.args['ts'] === f.ts && pattern.test(text(c)), { after });

async function waitForJob(jobId: string, state: 'completed' | 'delayed'): Promise<void> {
  await expect
    .poll(async () => (await t.bot.jobs.queue.getJob(jobId))?.getState() ?? 'absent', {
      timeout: 10_000,
      interval: 25,
      message: `job ${jobId} never became ${state}`,
    })
    .toBe(state);
}

describe('policy in the request modal', () => {
  it('tells the requester before submitting whether review is needed, keeping what they typed', async () => {
    const view = await openRequestModal(t, 'U1');
    const notice = (v: Record<string, unknown>) =>
      JSON.stringify((v['blocks'] as Array<{ block_id?: string }>).find((b) => b.block_id === REQUEST_BLOCK.policyNotice));
    expect(notice(view)).toMatch(/No review needed/);
    const after = t.slack.calls.length;
    await t.sender.interaction(
      blockActionsPayload({
        userId: 'U1',
        view,
        actionId: REQUEST_ACTION.scopes,
        blockId: REQUEST_BLOCK.scopes,
        selectedOptions: RISKY.map((value) => ({ value })),
        state: { values: requestState({ name: 'Typed name', scopes: RISKY, expiresOn: daysFromNow(30) }) },
      }),
    );
    const update = await t.slack.waitForCall('views.update', undefined, { after });
    expect(update.response['ok']).toBe(true);
    const updated = update.args['view'] as { blocks: Array<{ block_id: string; optional?: boolean; element?: Record<string, unknown> }> };
    expect(notice(updated)).toMatch(/needs an approver's review.*admin:repository:bitbucket.*justification is required/);
    expect(updated.blocks.find((b) => b.block_id === REQUEST_BLOCK.purpose)!.optional).toBe(false);
    // Same block ids as before: Slack keeps the user's input across the update.
    expect(updated.blocks.map((b) => b.block_id)).toContain(REQUEST_BLOCK.name);
    expect(updated.blocks.find((b) => b.block_id === REQUEST_BLOCK.name)!.element!['initial_value']).toBe('Typed name');

    const later = t.slack.calls.length;
    await t.sender.interaction(
      blockActionsPayload({
        userId: 'U1',
        view: t.slack.views.get(view.id)!,
        actionId: REQUEST_ACTION.expiry,
        blockId: REQUEST_BLOCK.expiry,
        selectedDate: daysFromNow(200),
        state: { values: requestState({ name: 'Typed name', scopes: ['read:repository:bitbucket'], expiresOn: daysFromNow(200) }) },
      }),
    );
    const second = await t.slack.waitForCall('views.update', undefined, { after: later });
    expect(notice(second.args['view'] as Record<string, unknown>)).toMatch(/200 days/);
    expect(t.slack.violations).toEqual([]);
  });

  it('requires a justification for a flagged request', async () => {
    const res = await submitRequest(t, 'U1', requestState({ name: 'No reason', expiresOn: daysFromNow(30), scopes: RISKY }));
    const body = res.json() as { errors: Record<string, string> };
    expect(body.errors[REQUEST_BLOCK.purpose]).toMatch(/justification.*admin:repository:bitbucket/);
  });
});

describe('auto-approved path', () => {
  it('sends the checklist at once and posts nothing for review', async () => {
    const after = t.slack.calls.length;
    const res = await submitRequest(
      t,
      'U1',
      requestState({ name: 'Scanner', expiresOn: daysFromNow(90), scopes: ['read:repository:bitbucket'] }),
    );
    expect(res.text).toBe('');
    await waitForChecklist(t, 'U1', after);
    expect(t.slack.callsTo('chat.postMessage').filter((c) => c.index >= after && c.args['channel'] === CHANNEL)).toEqual([]);
  });
});

describe('flagged request, reviewed in a thread', () => {
  it('refuses everyone outside APPROVER_USER_IDS while the approver group cannot be read, and changes nothing', async () => {
    const other = await startTestBot({
      name: 'approvals-group',
      // Under t's prefix, so the test's client reads its keys on a cluster too (one hash tag, one node).
      prefix: `${t.prefix}-group`,
      slack: t.slack,
      env: { APPROVAL_CHANNEL_ID: CHANNEL, APPROVER_USERGROUP_ID: 'S0MISSING' },
    });
    try {
      const f = await submitFlagged('U10', 'Group down', {}, other);
      const after = t.slack.calls.length;
      await click(f, ACTION.approve, 'UGRP1', f.id, other);
      await ephemeral(/could not check who the approvers are/, after);
      expect(JSON.parse((await redis.get(`${other.prefix}:request:${f.id}`))!).status).toBe('pending_approval');
      // Failures are not cached: once the group can be read, its member may decide.
      t.slack.setUsergroup('S0MISSING', ['UGRP1']);
      await click(f, ACTION.approve, 'UGRP1', f.id, other);
      await parentUpdate(f, /Approved by <@UGRP1>/, after);
    } finally {
      await other.stop();
    }
  });

  it('posts the request, DMs the requester a link, and approval rewrites the parent and sends the checklist', async () => {
    const f = await submitFlagged('U11', 'Repo admin bot');
    const message = text(f.parent);
    for (const part of [
      '<@U11>',
      'Repo admin bot',
      'acme',
      'admin:repository:bitbucket',
      'High risk',
      'Medium risk',
      'Creates repos for new services',
      'Why review is needed',
      ACTION.approve,
      ACTION.reject,
      ACTION.approveNarrowed,
    ]) {
      expect(message).toContain(part);
    }
    expect(await stored(f.id)).toMatchObject({ status: 'pending_approval', approvalChannelId: CHANNEL, approvalTs: f.ts });
    expect(await pendingIds()).toContain(f.id);
    const dm = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args['channel'] === 'U11' && text(c).includes(ACTION.cancelRequest) && text(c).includes(f.id),
    );
    expect(text(dm)).toContain(`https://fake.slack.test/archives/${CHANNEL}/p`);
    expect(text(dm)).toMatch(/<@UAPPR1>, <@UAPPR2> or members of <!subteam\^S0APPROVERS>/);
    await waitForJob(approvalJobId(JOB.approvalExpire, f.id), 'delayed');

    const after = t.slack.calls.length;
    const res = await click(f, ACTION.approve, 'UAPPR1');
    expect(res.status).toBe(200);
    const update = await parentUpdate(f, /Approved by <@UAPPR1>/, after);
    expect(text(update)).not.toContain(ACTION.approve);
    expect(text(update)).toContain('<!date^');
    await threadNote(f, /Approved by <@UAPPR1>/, after);
    const checklist = await waitForChecklist(t, 'U11', after);
    expect(text(checklist)).toContain('admin:repository:bitbucket');
    expect(text(checklist)).toContain('Approved by <@UAPPR1>');
    expect(await stored(f.id)).toMatchObject({ status: 'approved', decidedBy: 'UAPPR1', approvedScopes: RISKY });
    expect(await pendingIds()).not.toContain(f.id);
    expect(t.slack.violations).toEqual([]);
  });

  it('refuses non-approvers and self-approval with an ephemeral note, changing nothing', async () => {
    const f = await submitFlagged('UAPPR2', 'My own request');
    const after = t.slack.calls.length;
    await click(f, ACTION.approve, 'U99');
    await ephemeral(/Only approvers can decide.*<@UAPPR1>/, after);
    await click(f, ACTION.approve, 'UAPPR2');
    await ephemeral(/cannot decide on your own request/, after);
    await click(f, ACTION.reject, 'U99');
    const refusal = await t.slack.waitForCall('views.update', (c) => JSON.stringify(c.args['view']).includes('Only approvers'), { after });
    expect(refusal.response['ok']).toBe(true);
    expect((await stored(f.id)).status).toBe('pending_approval');
    expect(t.slack.callsTo('chat.update').filter((c) => c.index >= after)).toEqual([]);
  });

  it('rejects with a required reason; the requester can open a new pre-filled request', async () => {
    const f = await submitFlagged('U12', 'Too much');
    const after = t.slack.calls.length;
    const modal = await openDecisionModal(f, ACTION.reject, 'UAPPR1', CALLBACK.rejectModal);
    const submit = (reason: string | null) =>
      t.sender.interaction(
        viewSubmissionPayload({
          userId: 'UAPPR1',
          view: modal,
          values: { [APPROVAL_INPUT.reasonBlock]: { [APPROVAL_INPUT.reasonAction]: input.text(reason) } },
        }),
      );
    const empty = await submit('  ');
    expect((empty.json() as { errors: Record<string, string> }).errors[APPROVAL_INPUT.reasonBlock]).toMatch(/reason/);
    expect((await stored(f.id)).status).toBe('pending_approval');
    expect((await submit('Admin is not needed; use write only')).text).toBe('');
    await threadNote(f, /Rejected by <@UAPPR1> on .*: Admin is not needed; use write only/, after);
    await parentUpdate(f, /Rejected by <@UAPPR1>/, after);
    const dm = await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'U12' && text(c).includes(ACTION.requestAgain), {
      after,
    });
    expect(text(dm)).toContain('Admin is not needed');
    expect(await stored(f.id)).toMatchObject({ status: 'rejected', reason: 'Admin is not needed; use write only', decidedBy: 'UAPPR1' });

    const again = t.slack.calls.length;
    await dmClick(ACTION.requestAgain, 'U99', f.id);
    await ephemeral(/Only <@U12>/, again);
    await dmClick(ACTION.requestAgain, 'U12', f.id);
    const reopened = await t.slack.waitForCall(
      'views.open',
      (c) => (c.args['view'] as { callback_id?: string }).callback_id === CALLBACK.requestModal,
      { after: again },
    );
    const blocks = (reopened.args['view'] as { blocks: Array<{ block_id: string; element?: Record<string, unknown> }> }).blocks;
    const el = (id: string) => blocks.find((b) => b.block_id === id)!.element!;
    expect(el(REQUEST_BLOCK.name)['initial_value']).toBe('Too much');
    expect((el(REQUEST_BLOCK.scopes)['initial_options'] as Array<{ value: string }>).map((o) => o.value)).toEqual(RISKY);
    expect(el(REQUEST_BLOCK.purpose)['initial_value']).toBe('Creates repos for new services');
    expect(el(REQUEST_BLOCK.expiry)['initial_date']).toBe(daysFromNow(30));
    expect(t.slack.violations).toEqual([]);
  });

  it('approves a narrowed scope set; the checklist uses it and the thread shows the difference', async () => {
    const f = await submitFlagged('U13', 'Narrow me');
    const after = t.slack.calls.length;
    const modal = await openDecisionModal(f, ACTION.approveNarrowed, 'UAPPR2', CALLBACK.narrowModal);
    const initial = (
      (modal['blocks'] as Array<{ block_id: string; element?: { initial_options?: Array<{ value: string }> } }>).find(
        (b) => b.block_id === APPROVAL_INPUT.scopesBlock,
      )!.element!.initial_options ?? []
    ).map((o) => o.value);
    expect(initial).toEqual(RISKY);
    const submit = (scopes: string[]) =>
      t.sender.interaction(
        viewSubmissionPayload({
          userId: 'UAPPR2',
          view: modal,
          values: { [APPROVAL_INPUT.scopesBlock]: { [APPROVAL_INPUT.scopesAction]: input.multi(scopes) } },
        }),
      );
    const bad = await submit(['write:repository:bitbucket']);
    expect((bad.json() as { errors: Record<string, string> }).errors[APPROVAL_INPUT.scopesBlock]).toMatch(/read:repository:bitbucket/);
    const tampered = await submit(['read:repository:bitbucket', 'delete:repository:bitbucket']);
    expect((tampered.json() as { errors: Record<string, string> }).errors[APPROVAL_INPUT.scopesBlock]).toMatch(/Only requested scopes/);
    expect((await submit(['read:repository:bitbucket', 'write:repository:bitbucket'])).text).toBe('');
    await threadNote(f, /Approved by <@UAPPR2>.*removed `admin:repository:bitbucket`/, after);
    const checklist = await waitForChecklist(t, 'U13', after);
    expect(text(checklist)).toContain('write:repository:bitbucket');
    expect(JSON.stringify(checklist.args['blocks']).replace(/without admin:repository:bitbucket/, '')).not.toContain(
      'admin:repository:bitbucket',
    );
    expect(text(checklist)).toContain('Approved by <@UAPPR2>, without admin:repository:bitbucket');
    expect(await stored(f.id)).toMatchObject({
      status: 'approved',
      approvedScopes: ['read:repository:bitbucket', 'write:repository:bitbucket'],
    });
  });

  it('lets exactly one of many simultaneous approvals win', async () => {
    const f = await submitFlagged('U14', 'Race');
    const after = t.slack.calls.length;
    const clicks = Array.from({ length: 20 }, (_, i) => click(f, ACTION.approve, i % 2 === 0 ? 'UAPPR1' : 'UAPPR2'));
    const results = await Promise.all(clicks);
    expect(results.every((r) => r.status === 200 && r.ms < 3000)).toBe(true);
    const losers = await t.slack.waitForCalls(
      'response_url',
      19,
      (c) => /already decided.*Approved by <@UAPPR[12]>/.test(String(c.args['text'])),
      { after },
    );
    expect(losers).toHaveLength(19);
    await waitForJob(approvalJobId(JOB.approvalOutcome, f.id), 'completed');
    const checklists = t.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.index >= after && c.args['channel'] === 'U14' && text(c).includes(ACTION.recordToken));
    expect(checklists).toHaveLength(1);
    expect(t.slack.callsTo('chat.update').filter((c) => c.index >= after && c.args['ts'] === f.ts)).toHaveLength(1);
    expect(t.slack.callsTo('chat.postMessage').filter((c) => c.index >= after && c.args['thread_ts'] === f.ts)).toHaveLength(1);
  });

  it('nudges the approvers once in the thread, then expires and tells the requester', async () => {
    const f = await submitFlagged('U15', 'Forgotten');
    const remindId = approvalJobId(JOB.approvalRemind, f.id);
    await waitForJob(remindId, 'delayed');
    const remindJob = (await t.bot.jobs.queue.getJob(remindId))!;
    expect(remindJob.opts.delay).toBeGreaterThan(3.9 * 3600_000);
    await remindJob.promote();
    const nudge = await threadNote(f, /still waiting/);
    expect(String(nudge.args['text'])).toMatch(/<@UAPPR1>, <@UAPPR2> or members of <!subteam\^S0APPROVERS>/);
    await waitForJob(remindId, 'completed');
    expect((await stored(f.id)).remindedAt).toBeGreaterThan(0);

    const expireJob = (await t.bot.jobs.queue.getJob(approvalJobId(JOB.approvalExpire, f.id)))!;
    expect(expireJob.opts.delay).toBeGreaterThan(6.9 * 86_400_000);
    const after = t.slack.calls.length;
    await expireJob.promote();
    await threadNote(f, /Expired without a decision/, after);
    await parentUpdate(f, /Expired/, after);
    const dm = await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'U15' && /expired/.test(String(c.args['text'])), {
      after,
    });
    expect(text(dm)).toContain(ACTION.requestAgain);
    expect((await stored(f.id)).status).toBe('expired');
    const late = t.slack.calls.length;
    await click(f, ACTION.approve, 'UAPPR1');
    await ephemeral(/already decided.*Expired/, late);
  });

  it('lets the requester cancel; the parent shows it and later decisions are refused', async () => {
    const f = await submitFlagged('U16', 'Never mind');
    const after = t.slack.calls.length;
    await dmClick(ACTION.cancelRequest, 'U99', f.id);
    await ephemeral(/Only <@U16> can cancel/, after);
    await dmClick(ACTION.cancelRequest, 'U16', f.id);
    await ephemeral(/Cancelled your request/, after);
    await parentUpdate(f, /Cancelled by the requester <@U16>/, after);
    await threadNote(f, /Cancelled/, after);
    expect((await stored(f.id)).status).toBe('cancelled');
    expect(await pendingIds()).not.toContain(f.id);
    await click(f, ACTION.approve, 'UAPPR1');
    await ephemeral(/already decided.*Cancelled/, after);
  });

  it('answers tampered and unknown request ids harmlessly', async () => {
    const f = await submitFlagged('U17', 'Tamper target');
    const after = t.slack.calls.length;
    for (const value of ['not-an-id', '', `${f.id}x`]) await click(f, ACTION.approve, 'UAPPR1', value);
    await t.slack.waitForCalls('response_url', 3, (c) => /not valid/.test(String(c.args['text'])), { after });
    await click(f, ACTION.approve, 'UAPPR1', `r${'a'.repeat(16)}`);
    await ephemeral(/cannot find that request/, after);
    expect((await stored(f.id)).status).toBe('pending_approval');
  });

  it('keeps a request pending and retries when Slack fails to post it', async () => {
    const after = t.slack.calls.length;
    t.slack.failNext('chat.postMessage', { status: 500 });
    const f = await submitFlagged('U18', 'Slack hiccup');
    const failed = t.slack.callsTo('chat.postMessage').filter((c) => c.index >= after && c.status === 500);
    expect(failed).toHaveLength(1);
    expect(await stored(f.id)).toMatchObject({ status: 'pending_approval', approvalTs: f.ts });
  }, 15_000);

  it('retries the follow-up of a decision without repeating the steps that worked', async () => {
    const f = await submitFlagged('U19', 'Update hiccup');
    const after = t.slack.calls.length;
    // The parent is rewritten, then posting the thread note fails: the retry must not rewrite it again.
    t.slack.failNext('chat.postMessage', { status: 500 });
    await click(f, ACTION.approve, 'UAPPR1');
    await threadNote(f, /Approved by <@UAPPR1>/, after);
    await waitForJob(approvalJobId(JOB.approvalOutcome, f.id), 'completed');
    expect(
      t.slack
        .callsTo('chat.postMessage')
        .filter((c) => c.index >= after && c.args['thread_ts'] === f.ts)
        .map((c) => c.status),
    ).toEqual([500, 200]);
    expect(t.slack.callsTo('chat.update').filter((c) => c.index >= after && c.args['ts'] === f.ts)).toHaveLength(1);
    expect(
      t.slack
        .callsTo('chat.postMessage')
        .filter((c) => c.index >= after && c.args['channel'] === 'U19' && text(c).includes(ACTION.recordToken)),
    ).toHaveLength(1);
  }, 15_000);
});

describe('start-up recovery', () => {
  it('posts a pending request whose posting job was lost', async () => {
    const prefix = `${t.prefix}-recover`;
    const id = 'rrecoverrecover22';
    const request = {
      id,
      requesterId: 'U20',
      status: 'pending_approval',
      presetId: 'custom',
      name: 'Lost in a crash',
      expiresOn: daysFromNow(30),
      scopes: RISKY,
      purpose: 'x',
      reviewReasons: ['High risk.'],
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    await redis.set(`${prefix}:request:${id}`, JSON.stringify(request));
    await redis.zadd(`${prefix}:requests:pending`, request.createdAt, id);
    const after = t.slack.calls.length;
    const other = await startTestBot({
      name: 'approvals-recover',
      slack: t.slack,
      prefix,
      env: { APPROVAL_CHANNEL_ID: CHANNEL, APPROVER_USER_IDS: 'UAPPR1' },
    });
    try {
      await t.slack.waitForCall(
        'chat.postMessage',
        (c) => c.args['channel'] === CHANNEL && c.response['ok'] === true && text(c).includes('Lost in a crash'),
        { after },
      );
      await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'U20' && text(c).includes(ACTION.cancelRequest), {
        after,
      });
      expect(JSON.parse((await redis.get(`${prefix}:request:${id}`))!).approvalTs).toMatch(/^\d+\.\d+$/);
    } finally {
      await other.stop();
    }
  });
});

describe('approvals not configured', () => {
  it('tells the requester next to the field instead of accepting a request nobody will see', async () => {
    const bare = await startTestBot({ name: 'approvals-unset', slack: t.slack });
    try {
      const res = await submitRequest(
        bare,
        'U1',
        requestState({ name: 'Nowhere', expiresOn: daysFromNow(30), scopes: RISKY, purpose: 'x' }),
      );
      expect((res.json() as { errors: Record<string, string> }).errors[REQUEST_BLOCK.scopes]).toMatch(/approvals are not set up/);
      const long = await submitRequest(
        bare,
        'U1',
        requestState({ name: 'Nowhere', expiresOn: daysFromNow(120), scopes: ['read:repository:bitbucket'], purpose: 'x' }),
      );
      expect((long.json() as { errors: Record<string, string> }).errors[REQUEST_BLOCK.expiry]).toMatch(/120 days/);
      expect(bare.logs.text).toMatch(/approval policy is on but APPROVAL_CHANNEL_ID/);
    } finally {
      await bare.stop();
    }
  });
});
