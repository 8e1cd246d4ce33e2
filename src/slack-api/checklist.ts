import type { WebClient } from '@slack/web-api';
import { buildChecklist } from '../domain/checklist.js';
import { buildChecklistMessage } from '../blocks/checklist.js';
import { buildPlainMessage, type Message } from '../blocks/messages.js';
import { escapeMrkdwn } from '../blocks/text.js';
import { COMMAND } from '../blocks/ids.js';
import type { MessageMark } from './message-marks.js';
import { enqueueChecklist } from '../jobs/processors/checklists.js';
import type { Scheduler } from '../jobs/queue.js';
import type { TokenRequest } from '../domain/types.js';
import type { Logger } from '../logger.js';

/** The checklist message for a request, built from the stored record only. */
export function buildChecklistFor(request: TokenRequest, approvedNote?: string) {
  const checklist = buildChecklist({
    name: request.name,
    expiresOn: request.expiresOn,
    scopes: request.approvedScopes ?? request.scopes,
    workspace: request.workspace,
  });
  return buildChecklistMessage(checklist, { requestId: request.id, tokenName: request.name, approvedNote });
}

/** Marks a checklist DM with its request, so a retry can tell whether it was delivered. */
export const checklistMark = (requestId: string): MessageMark => ({ event_type: 'btb_checklist', event_payload: { request_id: requestId } });

/** DMs the requester their personalised setup checklist for an approved request. */
export async function sendChecklist(client: WebClient, request: TokenRequest, approvedNote?: string): Promise<void> {
  const message = buildChecklistFor(request, approvedNote);
  await client.chat.postMessage({ channel: request.requesterId, text: message.text, blocks: message.blocks as never, metadata: checklistMark(request.id) });
}

export interface ChecklistDelivery {
  /** Fails fast (no retries, 429 surfaced): the retry job is the slow path. */
  client: WebClient;
  scheduler: Scheduler;
  logger: Logger;
  /** Where to tell the user when the DM has to wait (a response_url), if there is one. */
  responseUrl?: string;
}

/**
 * Sends the checklist now; when Slack does not take it, queues the `checklist-send` retry job
 * and tells the user (ephemerally, through the response_url) that it is on its way, so a
 * failure is never silent. Resolves true when the DM went out at once.
 */
export async function deliverChecklist(d: ChecklistDelivery, request: TokenRequest, approvedNote?: string): Promise<boolean> {
  const triedAt = Date.now();
  try {
    await sendChecklist(d.client, request, approvedNote);
    return true;
  } catch (err) {
    d.logger.warn({ err, requestId: request.id }, 'checklist DM failed; queued a retry');
  }
  try {
    await enqueueChecklist(d.scheduler, request.id, triedAt, approvedNote);
    await replyEphemeral(d.responseUrl, buildPlainMessage(`:hourglass_flowing_sand: Your request *${escapeMrkdwn(request.name)}* is saved, but Slack did not take my DM with its checklist just now. I will keep trying for the next few minutes.`), d.logger);
  } catch (err) {
    d.logger.error({ err, requestId: request.id }, 'checklist DM failed and its retry could not be queued');
    await replyEphemeral(d.responseUrl, buildPlainMessage(`:warning: Your request *${escapeMrkdwn(request.name)}* is saved, but I could not DM you its checklist. Open my Home tab or run ${COMMAND} list, or try again in a moment.`), d.logger);
  }
  return false;
}

/**
 * Posts an ephemeral reply through a response_url, which works in any channel, also ones
 * the bot is not a member of. Failures are logged, not thrown: the reply is a courtesy.
 */
export async function replyEphemeral(responseUrl: string | undefined, message: Message, logger: Logger): Promise<void> {
  if (!responseUrl) return;
  try {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) logger.warn({ status: res.status }, 'response_url reply refused');
  } catch (err) {
    logger.warn({ err }, 'response_url reply failed');
  }
}

type Respond = ((message: Record<string, unknown>) => Promise<unknown>) | undefined;

/**
 * An ephemeral reply through Bolt's `respond` (the payload's response_url). Payloads
 * without a usable response_url get no reply rather than a crashed listener; failures
 * are logged, not thrown: the reply is a courtesy.
 */
export async function respondEphemeral(respond: Respond, message: Message, logger: Logger): Promise<void> {
  if (typeof respond !== 'function') return;
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...message });
  } catch (err) {
    logger.warn({ err }, 'response_url reply failed');
  }
}
