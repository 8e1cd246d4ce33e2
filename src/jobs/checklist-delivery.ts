import type { WebClient } from '@slack/web-api';
import { COMMAND } from '../blocks/ids.js';
import { buildPlainMessage } from '../blocks/messages.js';
import { escapeMrkdwn } from '../blocks/text.js';
import type { Clock } from '../clock.js';
import type { TokenRequest } from '../domain/types.js';
import type { Logger } from '../logger.js';
import { sendChecklist } from '../slack-api/checklist.js';
import { replyEphemeral } from '../slack-api/response-url.js';
import { enqueueChecklist, type JobQueue } from './queue.js';

export interface ChecklistDelivery {
  /** Fails fast (no retries, 429 surfaced): the `checklist-send` job is the slow path. */
  client: WebClient;
  jobs: JobQueue;
  logger: Logger;
  clock: Clock;
}

/**
 * Sends the checklist now; when Slack does not take it, queues the `checklist-send` retry job
 * and tells the user (ephemerally, through `responseUrl` when there is one) that it is on its
 * way, so a failure is never silent. Resolves true when the DM went out at once.
 */
export async function deliverChecklistNowOrLater(
  d: ChecklistDelivery,
  request: TokenRequest,
  opts: { approvedNote?: string; responseUrl?: string } = {},
): Promise<boolean> {
  const triedAt = d.clock.now();
  try {
    await sendChecklist(d.client, request, opts.approvedNote);
    return true;
  } catch (err) {
    d.logger.warn({ err, requestId: request.id }, 'checklist DM failed; queued a retry');
  }
  const name = escapeMrkdwn(request.name);
  try {
    await enqueueChecklist(d.jobs, request.id, triedAt, opts.approvedNote);
    await replyEphemeral(
      opts.responseUrl,
      buildPlainMessage(
        `:hourglass_flowing_sand: Your request *${name}* is saved, but Slack did not take my DM with its checklist just now. I will keep trying for the next few minutes.`,
      ),
      d.logger,
    );
  } catch (err) {
    d.logger.error({ err, requestId: request.id }, 'checklist DM failed and its retry could not be queued');
    await replyEphemeral(
      opts.responseUrl,
      buildPlainMessage(
        `:warning: Your request *${name}* is saved, but I could not DM you its checklist. Open my Home tab or run ${COMMAND} list, or try again in a moment.`,
      ),
      d.logger,
    );
  }
  return false;
}
