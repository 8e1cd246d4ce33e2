import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { JOB, checklistJobId, enqueueChecklist } from '../../../src/jobs/queue.js';
import { createChecklistProcessors, retryChecklist, type ChecklistJobDeps } from '../../../src/jobs/processors/checklists.js';
import { checklistMark } from '../../../src/slack-api/checklist.js';
import { createRequestId } from '../../../src/domain/record-ids.js';
import type { TokenRequest } from '../../../src/domain/types.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';
import { createProcessorFixture, newUserId, type ProcessorFixture } from '../../support/processor-fixtures.js';

/** retryChecklist called directly with real `checklist-send` jobs read back from a worker-less queue. */
const T0 = Date.parse('2026-06-15T10:30:00Z');

let slack: FakeSlack;
let f: ProcessorFixture;

beforeEach(async () => {
  slack = await startFakeSlack();
  f = await createProcessorFixture('checklist-retry', slack, T0);
});

afterEach(async () => {
  await f.close();
  await slack.stop();
});

const deps = (): ChecklistJobDeps => ({ requests: f.requests, client: f.client, logger: f.logger, clock: f.clock });

async function approvedRequest(): Promise<TokenRequest> {
  const request: TokenRequest = {
    id: createRequestId(),
    requesterId: newUserId('req'),
    status: 'approved',
    presetId: 'custom',
    name: 'Nightly scans',
    expiresOn: '2026-09-01',
    scopes: ['read:repository:bitbucket'],
    createdAt: T0 - 60_000,
    updatedAt: T0 - 60_000,
  };
  await f.requests.create(request);
  return request;
}

async function jobFor(requestId: string, firstTriedAt: number, note?: string): Promise<Job> {
  await enqueueChecklist(f.jobs, requestId, firstTriedAt, note);
  return (await f.jobs.queue.getJob(checklistJobId(requestId)))!;
}

describe('retryChecklist', () => {
  it('sends the checklist when it is not in the DM yet, marked with the request and carrying the note', async () => {
    const req = await approvedRequest();
    const job = await jobFor(req.id, T0, 'Approved by <@UAPPROVER1>.');

    expect(await createChecklistProcessors(deps())[JOB.checklistSend]!(job)).toBe('sent');

    const [history, ...moreHistory] = slack.callsTo('conversations.history');
    expect(moreHistory).toEqual([]);
    expect(history!.args['channel']).toBe(`D${req.requesterId}`);
    expect(Number(history!.args['oldest'])).toBe((T0 - 60_000) / 1000);
    const [dm, ...more] = slack.callsTo('chat.postMessage');
    expect(more).toEqual([]);
    expect(dm!.args['channel']).toBe(req.requesterId);
    expect(dm!.args['metadata']).toEqual(checklistMark(req.id));
    expect(JSON.stringify(dm!.args['blocks'])).toContain('Approved by <@UAPPROVER1>.');
    expect(f.logs.withMsg('checklist delivered on retry').map((l) => [l['requestId'], l['attempt']])).toEqual([[req.id, 1]]);
  });

  it('sends nothing when an earlier attempt got it into the DM after all', async () => {
    const req = await approvedRequest();
    await f.client.chat.postMessage({ channel: req.requesterId, text: 'checklist', metadata: checklistMark(req.id) });
    // Another request's checklist does not count.
    const other = await approvedRequest();
    await f.client.chat.postMessage({ channel: other.requesterId, text: 'checklist', metadata: checklistMark(other.id) });
    const calls = slack.calls.length;

    expect(await retryChecklist(deps(), await jobFor(req.id, T0))).toBe('already_sent');
    expect(slack.calls.slice(calls).map((c) => c.method)).toEqual(['conversations.open', 'conversations.history']);

    expect(await retryChecklist(deps(), await jobFor(other.id, T0))).toBe('already_sent');
    const third = await approvedRequest();
    expect(await retryChecklist(deps(), await jobFor(third.id, T0))).toBe('sent');
  });

  it('without firstTriedAt looks back from the clock', async () => {
    const req = await approvedRequest();
    expect(await retryChecklist(deps(), { data: { requestId: req.id }, attemptsMade: 0, opts: { attempts: 8 } })).toBe('sent');
    expect(Number(slack.callsTo('conversations.history')[0]!.args['oldest'])).toBe((T0 - 60_000) / 1000);
  });

  it('a missing request is gone, without asking Slack', async () => {
    expect(await retryChecklist(deps(), await jobFor(createRequestId(), T0))).toBe('gone');
    expect(slack.calls).toEqual([]);
  });

  it('a failure throws for BullMQ to retry, and is logged as given up only on the last attempt', async () => {
    const req = await approvedRequest();
    const job = await jobFor(req.id, T0);
    expect(job.opts.attempts).toBe(8);

    slack.failNext('chat.postMessage', { status: 500 });
    await expect(retryChecklist(deps(), job)).rejects.toThrow(/500/);
    expect(f.logs.withMsg('checklist DM could not be delivered; giving up')).toEqual([]);

    job.attemptsMade = 7;
    slack.failNext('conversations.history', { retryAfter: 30 });
    await expect(retryChecklist(deps(), job)).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
    expect(f.logs.withMsg('checklist DM could not be delivered; giving up').map((l) => [l['requestId'], l['userId']])).toEqual([
      [req.id, req.requesterId],
    ]);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.response['ok'] === true)).toEqual([]);
  });
});
