import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnrecoverableError, type Job } from 'bullmq';
import { JOB, approvalJobId, enqueueApprovalJob, type ApprovalJobName } from '../../../src/jobs/queue.js';
import {
  approvalMark,
  createApprovalProcessors,
  recoverUnpostedApprovals,
  type ApprovalJobDeps,
} from '../../../src/jobs/processors/approvals.js';
import { checklistMark } from '../../../src/slack-api/checklist.js';
import { createRequestId } from '../../../src/domain/record-ids.js';
import type { TokenRequest } from '../../../src/domain/types.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../support/fake-slack.js';
import { createProcessorFixture, newUserId, type ProcessorFixture } from '../../support/processor-fixtures.js';

/*
 * The approval flow's processors called as plain functions with real BullMQ jobs (added to a
 * worker-less queue and read back, so job.updateData writes for real), real Redis, the fake
 * Slack Web API and a fixed clock.
 */
const T0 = Date.parse('2026-06-15T10:30:00Z');
const HOUR = 3_600_000;
const CHANNEL = 'C0APPROVALS';
const APPROVER = 'UAPPROVER1';
const SETTINGS = { channelId: CHANNEL, remindAfterMs: 24 * HOUR, expireAfterMs: 7 * 24 * HOUR };
const READ = 'read:repository:bitbucket';
const WRITE = 'write:repository:bitbucket';

let slack: FakeSlack;
let f: ProcessorFixture;

beforeEach(async () => {
  slack = await startFakeSlack();
  f = await createProcessorFixture('approval-processors', slack, T0);
});

afterEach(async () => {
  await f.close();
  await slack.stop();
});

function processors(overrides: Partial<ApprovalJobDeps> = {}) {
  return createApprovalProcessors({
    client: f.client,
    requests: f.requests,
    approvers: { names: { userIds: [APPROVER] } },
    settings: SETTINGS,
    jobs: f.jobs,
    logger: f.logger,
    clock: f.clock,
    ...overrides,
  });
}

/** A request stored in Redis, pending review since half an hour before T0 unless told otherwise. */
async function storedRequest(extra: Partial<TokenRequest> = {}): Promise<TokenRequest> {
  const request: TokenRequest = {
    id: createRequestId(),
    requesterId: newUserId('req'),
    status: 'pending_approval',
    presetId: 'custom',
    name: 'Release tagger',
    expiresOn: '2026-09-01',
    scopes: [READ, WRITE],
    workspace: 'acme',
    purpose: 'Tags releases from CI',
    reviewReasons: ['Asks for write access'],
    createdAt: T0 - HOUR / 2,
    updatedAt: T0 - HOUR / 2,
    ...extra,
  };
  await f.requests.create(request);
  return request;
}

/** The job as a worker would get it: added to the queue (idempotently) and read back. */
async function jobOf(name: ApprovalJobName, requestId: string): Promise<Job> {
  await enqueueApprovalJob(f.jobs, name, requestId);
  return (await f.jobs.queue.getJob(approvalJobId(name, requestId)))!;
}

/** The same job read again, as BullMQ's retry would see it. */
const reread = async (job: Job): Promise<Job> => (await f.jobs.queue.getJob(job.id!))!;

const request = async (id: string) => (await f.requests.get(id))!;
const since = (method: string, after: number): FakeSlackCall[] => slack.callsTo(method).filter((c) => c.index >= after);
const isPending = async (id: string) => (await f.redis.zscore(f.keys.pendingApprovals, id)) !== null;
const actionIds = (call: FakeSlackCall) => JSON.stringify(call.args['blocks']).match(/"action_id":"[a-z_]+"/g) ?? [];

/** Posts a message the way the post processor would, so chat.update has a parent to rewrite. */
async function postParent(req: TokenRequest): Promise<TokenRequest> {
  const res = await f.client.chat.postMessage({ channel: CHANNEL, text: 'parent' });
  const updated = await f.requests.update(req.id, (cur) => ({ next: { ...cur, approvalChannelId: res.channel!, approvalTs: res.ts! } }));
  return updated!.request;
}

describe('approval-post', () => {
  it('posts to the channel, stores approvalTs, queues nudge and expiry from createdAt, DMs the requester a link', async () => {
    const req = await storedRequest();
    const job = await jobOf(JOB.approvalPost, req.id);

    expect(await processors()[JOB.approvalPost](job)).toBe('posted');

    const [parent, dm, ...more] = slack.callsTo('chat.postMessage');
    expect(more).toEqual([]);
    expect(parent!.args['channel']).toBe(CHANNEL);
    expect(parent!.response['ok']).toBe(true);
    expect(String(parent!.args['text'])).toMatch(/^Review needed: Release tagger/);
    expect(actionIds(parent!)).toEqual([
      '"action_id":"approval_approve"',
      '"action_id":"approval_approve_narrowed"',
      '"action_id":"approval_reject"',
    ]);
    const ts = String(parent!.response['ts']);

    const after = await request(req.id);
    expect(after.approvalTs).toBe(ts);
    expect(after.approvalChannelId).toBe(CHANNEL);
    expect(after.status).toBe('pending_approval');

    // Timers count from when the request was made, not from when it was posted.
    const remind = (await f.jobs.queue.getJob(approvalJobId(JOB.approvalRemind, req.id)))!;
    const expire = (await f.jobs.queue.getJob(approvalJobId(JOB.approvalExpire, req.id)))!;
    expect([remind.name, remind.data, remind.opts.delay, remind.opts.attempts]).toEqual([
      JOB.approvalRemind,
      { requestId: req.id },
      24 * HOUR - HOUR / 2,
      15,
    ]);
    expect([expire.name, expire.data, expire.opts.delay, expire.opts.attempts]).toEqual([
      JOB.approvalExpire,
      { requestId: req.id },
      7 * 24 * HOUR - HOUR / 2,
      15,
    ]);
    expect(await remind.getState()).toBe('delayed');

    expect(slack.callsTo('chat.getPermalink').map((c) => [c.args['channel'], c.args['message_ts']])).toEqual([[CHANNEL, ts]]);
    expect(dm!.args['channel']).toBe(req.requesterId);
    expect(String(dm!.args['text'])).toContain(
      `<https://fake.slack.test/archives/${CHANNEL}/p${ts.replace('.', '')}|in the approvals channel>`,
    );
    expect(String(dm!.args['text'])).toContain(`<@${APPROVER}> can decide`);
    expect(JSON.stringify(dm!.args['blocks'])).toContain('request_cancel');

    expect((await reread(job)).data).toEqual({ requestId: req.id, done: ['timers', 'dm'] });

    // Run again (a redelivered job): nothing more is posted.
    const calls = slack.calls.length;
    expect(await processors()[JOB.approvalPost](await reread(job))).toBe('posted');
    expect(slack.calls.slice(calls)).toEqual([]);
    expect((await request(req.id)).approvalTs).toBe(ts);
  });

  it('a retry after the DM failed neither posts again nor re-queues the timers', async () => {
    const req = await storedRequest();
    const job = await jobOf(JOB.approvalPost, req.id);
    await postParent(req);
    slack.failNext('chat.postMessage', { status: 500 });

    await expect(processors()[JOB.approvalPost](job)).rejects.toThrow(/500/);
    expect((await reread(job)).data).toEqual({ requestId: req.id, done: ['timers'] });

    // Drop the queued nudge: a retry that ran the timers step again would add it back.
    await (await f.jobs.queue.getJob(approvalJobId(JOB.approvalRemind, req.id)))!.remove();
    const calls = slack.calls.length;
    f.clock.advance(HOUR);
    expect(await processors()[JOB.approvalPost](await reread(job))).toBe('posted');

    expect(await f.jobs.queue.getJob(approvalJobId(JOB.approvalRemind, req.id))).toBeUndefined();
    expect(since('chat.postMessage', calls).map((c) => c.args['channel'])).toEqual([req.requesterId]);
  });

  it('clamps the delays at zero for a request older than the expiry', async () => {
    const req = await storedRequest({ createdAt: T0 - 8 * 24 * HOUR, updatedAt: T0 - 8 * 24 * HOUR });
    expect(await processors()[JOB.approvalPost](await jobOf(JOB.approvalPost, req.id))).toBe('posted');
    for (const name of [JOB.approvalRemind, JOB.approvalExpire] as const) {
      const job = (await f.jobs.queue.getJob(approvalJobId(name, req.id)))!;
      expect(job.opts.delay).toBe(0);
      expect(await job.getState()).toBe('waiting');
    }
  });

  it('does nothing for a request no longer pending; refuses without a channel or with a bad id', async () => {
    const decided = await storedRequest({ status: 'approved', decidedBy: APPROVER, decidedAt: T0 });
    expect(await processors()[JOB.approvalPost](await jobOf(JOB.approvalPost, decided.id))).toBe('not pending');

    const pending = await storedRequest();
    const noChannel = processors({ settings: { ...SETTINGS, channelId: undefined } });
    await expect(noChannel[JOB.approvalPost](await jobOf(JOB.approvalPost, pending.id))).rejects.toBeInstanceOf(UnrecoverableError);

    const bad = await f.jobs.enqueue(JOB.approvalPost, { requestId: 'not-a-request' }, { jobId: 'approval-post-bad' });
    await expect(processors()[JOB.approvalPost](await reread(bad))).rejects.toThrow(/bad requestId/);

    expect(slack.calls).toEqual([]);
    expect((await request(pending.id)).approvalTs).toBeUndefined();
    expect(await f.jobs.queue.getJob(approvalJobId(JOB.approvalRemind, decided.id))).toBeUndefined();
  });
});

describe('approval-post retried after a post that may have reached Slack', () => {
  it('finds the marked parent from the earlier attempt, stores it and posts nothing again', async () => {
    const req = await storedRequest();
    const job = await jobOf(JOB.approvalPost, req.id);
    // The earlier attempt's post reached Slack, but its answer never came back (a timeout).
    const earlier = await f.client.chat.postMessage({ channel: CHANNEL, text: 'Review needed', metadata: approvalMark(req.id) });
    const retry = Object.assign(await reread(job), { attemptsMade: 1 });
    const calls = slack.calls.length;

    expect(await processors()[JOB.approvalPost](retry)).toBe('posted');

    expect(since('conversations.history', calls).map((c) => c.args['channel'])).toEqual([CHANNEL]);
    const posts = since('chat.postMessage', calls);
    expect(posts.map((c) => c.args['channel'])).toEqual([req.requesterId]); // the DM only
    expect((await request(req.id)).approvalTs).toBe(earlier.ts);
  });

  it('a first attempt does not look, and marks its post', async () => {
    const req = await storedRequest();
    expect(await processors()[JOB.approvalPost](await jobOf(JOB.approvalPost, req.id))).toBe('posted');
    expect(slack.callsTo('conversations.history')).toEqual([]);
    expect(slack.callsTo('chat.postMessage')[0]!.args['metadata']).toEqual(approvalMark(req.id));
  });
});

describe('approval-remind', () => {
  it('nudges once in the thread and records remindedAt at the clock', async () => {
    const req = await postParent(await storedRequest());
    const calls = slack.calls.length;
    f.clock.set(T0 + 24 * HOUR);

    expect(await processors()[JOB.approvalRemind](await jobOf(JOB.approvalRemind, req.id))).toBe('reminded');

    const nudges = since('chat.postMessage', calls);
    expect(nudges).toHaveLength(1);
    expect(nudges[0]!.args['channel']).toBe(CHANNEL);
    expect(nudges[0]!.args['thread_ts']).toBe(req.approvalTs);
    expect(String(nudges[0]!.args['text'])).toBe(
      `:wave: <@${APPROVER}>: this request from <@${req.requesterId}> is still waiting for a decision.`,
    );
    expect((await request(req.id)).remindedAt).toBe(T0 + 24 * HOUR);

    f.clock.advance(HOUR);
    expect(await processors()[JOB.approvalRemind](await jobOf(JOB.approvalRemind, req.id))).toBe('skipped');
    expect(since('chat.postMessage', calls)).toHaveLength(1);
    expect((await request(req.id)).remindedAt).toBe(T0 + 24 * HOUR);
  });

  it('skips requests not yet posted or already decided; a failed nudge leaves remindedAt unset', async () => {
    const unposted = await storedRequest();
    expect(await processors()[JOB.approvalRemind](await jobOf(JOB.approvalRemind, unposted.id))).toBe('skipped');
    const decided = await postParent(await storedRequest());
    await f.requests.update(decided.id, (cur) => ({ next: { ...cur, status: 'rejected', decidedBy: APPROVER, reason: 'no' } }));
    expect(await processors()[JOB.approvalRemind](await jobOf(JOB.approvalRemind, decided.id))).toBe('skipped');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1); // postParent's own

    const failing = await postParent(await storedRequest());
    slack.failNext('chat.postMessage', { status: 502 });
    await expect(processors()[JOB.approvalRemind](await jobOf(JOB.approvalRemind, failing.id))).rejects.toThrow(/502/);
    expect((await request(failing.id)).remindedAt).toBeUndefined();
  });
});

describe('approval-expire', () => {
  it('expires a pending request at the clock and queues its outcome', async () => {
    const req = await storedRequest();
    expect(await isPending(req.id)).toBe(true);
    f.clock.set(T0 + 7 * 24 * HOUR);

    expect(await processors()[JOB.approvalExpire](await jobOf(JOB.approvalExpire, req.id))).toBe('expired');

    const after = await request(req.id);
    expect([after.status, after.decidedAt, after.updatedAt, after.decidedBy]).toEqual([
      'expired',
      T0 + 7 * 24 * HOUR,
      T0 + 7 * 24 * HOUR,
      undefined,
    ]);
    expect(await isPending(req.id)).toBe(false);
    const outcome = (await f.jobs.queue.getJob(approvalJobId(JOB.approvalOutcome, req.id)))!;
    expect([outcome.name, outcome.data, outcome.opts.delay]).toEqual([JOB.approvalOutcome, { requestId: req.id }, 0]);
    expect(slack.calls).toEqual([]);

    // Again: already expired, nothing changes.
    f.clock.advance(HOUR);
    expect(await processors()[JOB.approvalExpire](await jobOf(JOB.approvalExpire, req.id))).toBe('not pending');
    expect((await request(req.id)).updatedAt).toBe(T0 + 7 * 24 * HOUR);
  });

  it('leaves decided requests alone (no outcome job) and reports missing ones', async () => {
    const approved = await storedRequest({ status: 'approved', decidedBy: APPROVER, decidedAt: T0 - 1 });
    expect(await processors()[JOB.approvalExpire](await jobOf(JOB.approvalExpire, approved.id))).toBe('not pending');
    expect(await f.jobs.queue.getJob(approvalJobId(JOB.approvalOutcome, approved.id))).toBeUndefined();
    expect((await request(approved.id)).status).toBe('approved');
    expect(await processors()[JOB.approvalExpire](await jobOf(JOB.approvalExpire, createRequestId()))).toBe('gone');
  });
});

describe('approval-outcome', () => {
  it('after expiry: rewrites the parent without buttons, notes it in the thread, DMs the requester; once', async () => {
    const req = await storedRequest();
    expect(await processors()[JOB.approvalPost](await jobOf(JOB.approvalPost, req.id))).toBe('posted');
    const ts = (await request(req.id)).approvalTs!;
    f.clock.set(T0 + 7 * 24 * HOUR);
    expect(await processors()[JOB.approvalExpire](await jobOf(JOB.approvalExpire, req.id))).toBe('expired');
    const calls = slack.calls.length;
    // The job the expiry queued.
    const job = (await f.jobs.queue.getJob(approvalJobId(JOB.approvalOutcome, req.id)))!;

    expect(await processors()[JOB.approvalOutcome](job)).toBe('expired');

    const [update, ...moreUpdates] = since('chat.update', calls);
    expect(moreUpdates).toEqual([]);
    expect([update!.args['channel'], update!.args['ts'], update!.response['ok']]).toEqual([CHANNEL, ts, true]);
    expect(actionIds(update!)).toEqual([]);
    expect(String(update!.args['text'])).toMatch(/^Reviewed: Release tagger .*Expired without a decision/);
    expect(slack.message(CHANNEL, ts)!.history).toHaveLength(2);

    const [note, dm, ...more] = since('chat.postMessage', calls);
    expect(more).toEqual([]);
    expect([note!.args['channel'], note!.args['thread_ts']]).toEqual([CHANNEL, ts]);
    expect(String(note!.args['text'])).toMatch(/^:alarm_clock: Expired without a decision on /);
    expect(String(note!.args['text'])).toContain(`<!date^${(T0 + 7 * 24 * HOUR) / 1000}^`);
    expect(dm!.args['channel']).toBe(req.requesterId);
    expect(String(dm!.args['text'])).toBe(':alarm_clock: Your request *Release tagger* expired: nobody decided in time.');

    expect((await reread(job)).data).toEqual({ requestId: req.id, done: ['parent', 'thread', 'requester'] });
    const again = slack.calls.length;
    expect(await processors()[JOB.approvalOutcome](await reread(job))).toBe('expired');
    expect(slack.calls.length).toBe(again);
  });

  it('after approval with fewer scopes: DMs the checklist, marked with the request, naming what was removed', async () => {
    const req = await storedRequest({ status: 'approved', decidedBy: APPROVER, decidedAt: T0, approvedScopes: [READ] });

    expect(await processors()[JOB.approvalOutcome](await jobOf(JOB.approvalOutcome, req.id))).toBe('approved');

    expect(slack.callsTo('chat.update')).toEqual([]); // never posted: no parent, no thread
    const [dm, ...more] = slack.callsTo('chat.postMessage');
    expect(more).toEqual([]);
    expect(dm!.args['channel']).toBe(req.requesterId);
    expect(dm!.args['metadata']).toEqual(checklistMark(req.id));
    const body = JSON.stringify(dm!.args['blocks']);
    expect(body).toContain(`Approved by <@${APPROVER}>, without ${WRITE}.`);
    expect(body).toContain(READ);
    expect(slack.callsTo('conversations.history')).toEqual([]); // first attempt: no look-up
  });

  it('a retried approval outcome does not send the checklist again when it is in the DM already', async () => {
    const req = await storedRequest({ status: 'approved', decidedBy: APPROVER, decidedAt: T0 });
    const job = await jobOf(JOB.approvalOutcome, req.id);
    // The first attempt's checklist reached Slack, then the attempt failed.
    await f.client.chat.postMessage({ channel: req.requesterId, text: 'checklist', metadata: checklistMark(req.id) });
    job.attemptsMade = 1;
    const calls = slack.calls.length;

    expect(await processors()[JOB.approvalOutcome](job)).toBe('approved');

    expect(since('chat.postMessage', calls)).toEqual([]);
    expect(since('conversations.history', calls).map((c) => c.args['channel'])).toEqual([`D${req.requesterId}`]);
    expect((await reread(job)).data).toEqual({ requestId: req.id, done: ['requester'] });
  });

  it('a retried approval outcome sends the checklist when it is not in the DM', async () => {
    const req = await storedRequest({ status: 'created', decidedBy: APPROVER, decidedAt: T0 });
    const job = await jobOf(JOB.approvalOutcome, req.id);
    job.attemptsMade = 2;
    expect(await processors()[JOB.approvalOutcome](job)).toBe('created');
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
    expect(
      slack.callsTo('chat.postMessage').map((c) => [c.args['channel'], (c.args['metadata'] as { event_type?: string }).event_type]),
    ).toEqual([[req.requesterId, 'btb_checklist']]);
  });

  it('after rejection: the DM gives the reason; a failed thread note is retried without rewriting the parent again', async () => {
    const req = await postParent(await storedRequest());
    await f.requests.update(req.id, (cur) => ({
      next: { ...cur, status: 'rejected', decidedBy: APPROVER, decidedAt: T0, reason: 'Use read-only' },
    }));
    const job = await jobOf(JOB.approvalOutcome, req.id);
    const calls = slack.calls.length;
    slack.failNext('chat.postMessage', { status: 503 });

    await expect(processors()[JOB.approvalOutcome](job)).rejects.toThrow(/503/);
    expect((await reread(job)).data).toEqual({ requestId: req.id, done: ['parent'] });

    expect(await processors()[JOB.approvalOutcome](await reread(job))).toBe('rejected');
    expect(since('chat.update', calls)).toHaveLength(1);
    const posted = since('chat.postMessage', calls).filter((c) => c.response['ok'] === true);
    expect(posted.map((c) => [c.args['channel'], c.args['thread_ts']])).toEqual([
      [CHANNEL, req.approvalTs],
      [req.requesterId, undefined],
    ]);
    expect(String(posted[0]!.args['text'])).toMatch(new RegExp(`^:x: Rejected by <@${APPROVER}>.*: Use read-only$`));
    expect(String(posted[1]!.args['text'])).toBe(`:x: Your request *Release tagger* was rejected by <@${APPROVER}>: Use read-only`);
  });

  it('after cancellation: parent and thread only, no DM; a pending request has nothing to tell', async () => {
    const req = await postParent(await storedRequest());
    const pendingCalls = slack.calls.length;
    expect(await processors()[JOB.approvalOutcome](await jobOf(JOB.approvalOutcome, req.id))).toBe('nothing decided');
    expect(slack.calls.length).toBe(pendingCalls);

    await f.requests.update(req.id, (cur) => ({ next: { ...cur, status: 'cancelled', decidedBy: cur.requesterId, decidedAt: T0 } }));
    // A fresh job id: the pending one above already ran.
    const job = await f.jobs.enqueue(JOB.approvalOutcome, { requestId: req.id }, { jobId: `approval-outcome-again-${req.id}` });
    expect(await processors()[JOB.approvalOutcome](await reread(job))).toBe('cancelled');
    expect(since('chat.update', pendingCalls)).toHaveLength(1);
    expect(since('chat.postMessage', pendingCalls).map((c) => c.args['channel'])).toEqual([CHANNEL]);
  });
});

describe('recoverUnpostedApprovals', () => {
  it('re-queues the post of pending requests with no message and no job; leaves the rest', async () => {
    const lost = await storedRequest();
    const queued = await storedRequest();
    await enqueueApprovalJob(f.jobs, JOB.approvalPost, queued.id);
    const posted = await postParent(await storedRequest());
    await storedRequest({ status: 'approved', decidedBy: APPROVER, decidedAt: T0 });

    expect(await recoverUnpostedApprovals(f.requests, f.jobs)).toBe(2);

    const jobs = await f.jobs.queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual(
      [approvalJobId(JOB.approvalPost, lost.id), approvalJobId(JOB.approvalPost, queued.id)].sort(),
    );
    expect(await f.jobs.queue.getJob(approvalJobId(JOB.approvalPost, posted.id))).toBeUndefined();
  });
});
