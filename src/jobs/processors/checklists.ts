import type { Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { RequestStore } from '../../store/requests.js';
import type { Logger } from '../../logger.js';
import type { JobProcessor, Scheduler } from '../queue.js';
import { checklistMark, sendChecklist } from '../../slack-api/checklist.js';
import { hasMarkedMessage } from '../../slack-api/message-marks.js';

/**
 * Checklist DMs that Slack did not take at once (429, 5xx, timeout, ok:false) are retried by
 * the `checklist-send` job, one per request (job id `checklist-<requestId>`), with backoff.
 * Before posting, the job looks for the checklist in the DM (message metadata names the
 * request), so an earlier attempt that reached Slack after all is not repeated.
 */
export const CHECKLIST_JOB = 'checklist-send';
const ATTEMPTS = 8;

export interface ChecklistDeps {
  requests: RequestStore;
  /** A Web API client with no retries of its own: BullMQ does the retrying. */
  client: WebClient;
  logger: Logger;
}

/** Queues a retried checklist DM. Idempotent per request. */
export async function enqueueChecklist(scheduler: Scheduler, requestId: string, firstTriedAt: number, approvedNote?: string): Promise<void> {
  await scheduler.enqueue(CHECKLIST_JOB, { requestId, firstTriedAt, ...(approvedNote ? { approvedNote } : {}) }, {
    jobId: `checklist-${requestId}`,
    attempts: ATTEMPTS,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: true,
  });
}

/** The checklist job processor, by job name. */
export function createChecklistProcessors(deps: ChecklistDeps): Record<string, JobProcessor> {
  return { [CHECKLIST_JOB]: (job: Job) => deliverChecklist(deps, job) };
}

async function deliverChecklist(deps: ChecklistDeps, job: Job): Promise<string> {
  const requestId = String(job.data['requestId']);
  const request = await deps.requests.get(requestId);
  if (!request) return 'gone';
  try {
    if (await hasMarkedMessage(deps.client, request.requesterId, checklistMark(requestId), Number(job.data['firstTriedAt']) || Date.now())) return 'already_sent';
    const note = typeof job.data['approvedNote'] === 'string' ? job.data['approvedNote'] : undefined;
    await sendChecklist(deps.client, request, note);
  } catch (err) {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (last) deps.logger.error({ err, requestId, userId: request.requesterId }, 'checklist DM could not be delivered; giving up');
    throw err;
  }
  deps.logger.info({ requestId, attempt: job.attemptsMade + 1 }, 'checklist delivered on retry');
  return 'sent';
}
