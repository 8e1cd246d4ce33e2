import { UnrecoverableError, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import { applyDecision, removedScopes } from '../../domain/approvals.js';
import { REQUEST_ID } from '../../domain/record-ids.js';
import type { TokenRequest } from '../../domain/types.js';
import { buildApprovalMessage, buildClosedDm, buildNudge, buildPendingDm, buildThreadNote } from '../../blocks/approval.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { RequestStore } from '../../store/requests.js';
import type { ApproverDirectory } from '../../slack-api/approvers.js';
import { checklistMark, sendChecklist } from '../../slack-api/checklist.js';
import { findMarkedMessage, hasMarkedMessage, type MessageMark } from '../../slack-api/message-marks.js';
import type { Clock } from '../../clock.js';
import { JOB, approvalJobId, enqueueApprovalJob, type ApprovalJobName, type JobQueue } from '../queue.js';
import type { JobProcessor } from '../worker.js';

/**
 * Re-enqueues the posting of every pending request that has no approval message yet, e.g.
 * after a crash between storing a request and enqueueing its job, or when all retries failed.
 */
export async function recoverUnpostedApprovals(requests: Pick<RequestStore, 'listPendingApprovals'>, jobs: JobQueue): Promise<number> {
  let count = 0;
  for (const request of await requests.listPendingApprovals(1000)) {
    if (request.approvalTs) continue;
    const job = await jobs.queue.getJob(approvalJobId(JOB.approvalPost, request.id));
    if (job && (await job.isFailed())) await job.retry();
    else if (!job) await enqueueApprovalJob(jobs, JOB.approvalPost, request.id);
    count += 1;
  }
  return count;
}

export interface ApprovalJobDeps {
  /** A Web API client with no retries of its own: BullMQ does the retrying. */
  client: WebClient;
  requests: RequestStore;
  approvers: Pick<ApproverDirectory, 'names'>;
  /** APPROVAL_CHANNEL_ID and the nudge and expiry delays. */
  settings: Pick<Config['approvals'], 'channelId' | 'remindAfterMs' | 'expireAfterMs'>;
  /** Where follow-up jobs (nudge, expiry, outcome) are queued. */
  jobs: JobQueue;
  logger: Logger;
  clock: Clock;
}

/** Steps already done by an earlier attempt of this job, so a retry does not repeat them. */
async function step(job: Job, name: string, run: () => Promise<void>): Promise<void> {
  const done: string[] = Array.isArray(job.data.done) ? job.data.done : [];
  if (done.includes(name)) return;
  await run();
  await job.updateData({ ...job.data, done: [...done, name] });
}

async function loadRequest(requests: RequestStore, job: Job): Promise<TokenRequest | undefined> {
  const id = job.data?.requestId;
  if (typeof id !== 'string' || !REQUEST_ID.test(id)) throw new UnrecoverableError('bad requestId');
  return requests.get(id);
}

/** Marks a request's approval message, so a retried post can tell whether it went out. */
export const approvalMark = (requestId: string): MessageMark => ({ event_type: 'btb_approval', event_payload: { request_id: requestId } });

/** The processors of the approval flow, by job name (plain functions: see test/unit/jobs). */
export function createApprovalProcessors(deps: ApprovalJobDeps): Record<ApprovalJobName, JobProcessor> {
  const { client, requests, approvers, settings, jobs, logger, clock } = deps;

  const post: JobProcessor = async (job) => {
    let request = await loadRequest(requests, job);
    if (request?.status !== 'pending_approval') return 'not pending';
    const channel = settings.channelId;
    if (!channel) throw new UnrecoverableError('APPROVAL_CHANNEL_ID is not set');
    if (!request.approvalTs) {
      const mark = approvalMark(request.id);
      // A retry after a timeout, a 5xx or a crash: the post may have reached Slack after all.
      const retried = job.attemptsMade > 0 || job.attemptsStarted > 1;
      const earlier = retried ? await findMarkedMessage(client, channel, mark, job.timestamp) : undefined;
      if (earlier) logger.info({ requestId: request.id, ts: earlier.ts }, 'approval message was already in Slack; not posting it again');
      const message = buildApprovalMessage(request);
      const posted =
        earlier ??
        (await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, metadata: mark }));
      const ts = posted.ts!;
      const stored = await requests.update(request.id, (cur) =>
        cur.approvalTs ? undefined : { next: { ...cur, approvalChannelId: posted.channel ?? channel, approvalTs: ts } },
      );
      if (!stored) return 'gone';
      request = stored.request;
      logger.info({ requestId: request.id, channel, ts }, 'request posted for approval');
    }
    const posted = request;
    await step(job, 'timers', async () => {
      const age = clock.now() - posted.createdAt;
      await enqueueApprovalJob(jobs, JOB.approvalRemind, posted.id, settings.remindAfterMs - age);
      await enqueueApprovalJob(jobs, JOB.approvalExpire, posted.id, settings.expireAfterMs - age);
    });
    await step(job, 'dm', async () => {
      const link = await client.chat
        .getPermalink({ channel: posted.approvalChannelId!, message_ts: posted.approvalTs! })
        .then((r) => r.permalink)
        .catch((err) => {
          logger.warn({ err }, 'chat.getPermalink failed; DM without a link');
          return undefined;
        });
      const dm = buildPendingDm(posted, link, approvers.names);
      await client.chat.postMessage({ channel: posted.requesterId, text: dm.text, blocks: dm.blocks });
    });
    return 'posted';
  };

  const remind: JobProcessor = async (job) => {
    const request = await loadRequest(requests, job);
    if (request?.status !== 'pending_approval' || request.remindedAt || !request.approvalTs) return 'skipped';
    const nudge = buildNudge(request, approvers.names);
    await client.chat.postMessage({ channel: request.approvalChannelId!, thread_ts: request.approvalTs, text: nudge.text });
    await requests.update(request.id, (cur) => (cur.remindedAt ? undefined : { next: { ...cur, remindedAt: clock.now() } }));
    return 'reminded';
  };

  const expire: JobProcessor = async (job) => {
    const request = await loadRequest(requests, job);
    if (!request) return 'gone';
    const result = await requests.update(request.id, (cur) => {
      const decided = applyDecision(cur, { kind: 'expire' }, clock.now());
      return decided.ok ? { next: decided.next } : undefined;
    });
    if (!result?.changed) return 'not pending';
    logger.info({ requestId: request.id }, 'request expired without a decision');
    await enqueueApprovalJob(jobs, JOB.approvalOutcome, request.id);
    return 'expired';
  };

  const outcome: JobProcessor = async (job) => {
    const request = await loadRequest(requests, job);
    if (!request || request.status === 'pending_approval') return 'nothing decided';
    if (request.approvalTs && request.approvalChannelId) {
      const channel = request.approvalChannelId;
      const ts = request.approvalTs;
      await step(job, 'parent', async () => {
        const message = buildApprovalMessage(request);
        await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      });
      await step(job, 'thread', async () => {
        await client.chat.postMessage({ channel, thread_ts: ts, text: buildThreadNote(request).text });
      });
    }
    await step(job, 'requester', async () => {
      if (request.status === 'approved' || request.status === 'created') {
        const removed = removedScopes(request);
        // A retry after a timeout or crash: the checklist may be in the DM already (its mark names the request).
        if (job.attemptsMade > 0 && (await hasMarkedMessage(client, request.requesterId, checklistMark(request.id), job.timestamp))) return;
        await sendChecklist(
          client,
          request,
          `Approved by <@${request.decidedBy}>${removed.length > 0 ? `, without ${removed.join(', ')}` : ''}.`,
        );
      } else if (request.status === 'rejected' || request.status === 'expired') {
        const dm = buildClosedDm(request);
        await client.chat.postMessage({ channel: request.requesterId, text: dm.text, blocks: dm.blocks });
      }
    });
    return request.status;
  };

  return { [JOB.approvalPost]: post, [JOB.approvalRemind]: remind, [JOB.approvalExpire]: expire, [JOB.approvalOutcome]: outcome };
}
