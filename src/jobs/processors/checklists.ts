import type { Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../clock.js';
import type { RequestStore } from '../../store/requests.js';
import type { Logger } from '../../logger.js';
import { checklistMark, sendChecklist } from '../../slack-api/checklist.js';
import { hasMarkedMessage } from '../../slack-api/message-marks.js';
import { JOB } from '../queue.js';
import type { JobProcessor } from '../worker.js';

/**
 * Checklist DMs that Slack did not take at once (429, 5xx, timeout, ok:false) are retried by
 * the `checklist-send` job, one per request, with backoff (src/jobs/checklist-delivery.ts
 * queues it). Before posting, the job looks for the checklist in the DM (message metadata
 * names the request), so an earlier attempt that reached Slack after all is not repeated.
 */
export interface ChecklistJobDeps {
  requests: Pick<RequestStore, 'get'>;
  /** A Web API client with no retries of its own: BullMQ does the retrying. */
  client: WebClient;
  logger: Logger;
  clock: Clock;
}

/** The checklist job processor, by job name. */
export function createChecklistProcessors(deps: ChecklistJobDeps): Record<string, JobProcessor> {
  return { [JOB.checklistSend]: (job: Job) => retryChecklist(deps, job) };
}

/** One attempt of a `checklist-send` job: 'gone', 'already_sent' or 'sent'; throws to retry. */
export async function retryChecklist(deps: ChecklistJobDeps, job: Pick<Job, 'data' | 'attemptsMade' | 'opts'>): Promise<string> {
  const requestId = String(job.data['requestId']);
  const request = await deps.requests.get(requestId);
  if (!request) return 'gone';
  try {
    const since = Number(job.data['firstTriedAt']) || deps.clock.now();
    if (await hasMarkedMessage(deps.client, request.requesterId, checklistMark(requestId), since)) return 'already_sent';
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
