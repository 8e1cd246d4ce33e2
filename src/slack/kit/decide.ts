import { applyDecision, type Decision, type DecisionRefusal } from '../../domain/approvals.js';
import type { TokenRequest } from '../../domain/types.js';
import { describeApprovers, describeOutcome } from '../../blocks/approval.js';
import { JOB, enqueueApprovalJob } from '../../jobs/queue.js';
import { ApproverLookupError } from '../../slack-api/approvers.js';
import { COMMAND } from '../../blocks/ids.js';
import type { Services } from './services.js';

export const INVALID_BUTTON = `That button is not valid any more. Run ${COMMAND} to start again.`;
export const UNKNOWN_REQUEST = `I cannot find that request. It may have been removed; run ${COMMAND} to start again.`;

/** Undefined when `userId` may decide; otherwise what to tell them. Nothing changes either way. */
export async function checkApprover(deps: Pick<Services, 'approvers' | 'logger'>, userId: string): Promise<string | undefined> {
  try {
    if (await deps.approvers.isApprover(userId)) return undefined;
    return `Only approvers can decide on token requests: ${describeApprovers(deps.approvers.names)}.`;
  } catch (err) {
    if (!(err instanceof ApproverLookupError)) throw err;
    deps.logger.warn({ err: err.message }, 'approver group lookup failed');
    return 'I could not check who the approvers are just now (the approver group could not be read). Nothing was decided; try again in a minute.';
  }
}

/** What to tell someone whose decision did not apply. */
export function describeRefusal(request: TokenRequest, refusal: DecisionRefusal): string {
  switch (refusal) {
    case 'own_request':
      return 'You cannot decide on your own request; another approver has to.';
    case 'not_requester':
      return `Only <@${request.requesterId}> can cancel this request.`;
    case 'bad_scopes':
      return 'Those scopes cannot be approved for this request.';
    case 'not_pending':
      return request.status === 'pending_approval' ? 'Nothing changed.' : `This request was already decided. ${describeOutcome(request)}`;
  }
}

export type DecideResult = { ok: true; request: TokenRequest } | { ok: false; message: string };

/**
 * Applies a decision atomically (compare-and-set in Redis): of any number of concurrent
 * decisions on one request exactly one wins. The winner enqueues the follow-up job that
 * rewrites the parent message, notes it in the thread and tells the requester.
 */
export async function decideRequest(
  deps: Pick<Services, 'requests' | 'jobs' | 'logger' | 'clock'>,
  requestId: string,
  decision: Decision,
): Promise<DecideResult> {
  let refusal: DecisionRefusal | undefined;
  const result = await deps.requests.update(requestId, (current) => {
    const decided = applyDecision(current, decision, deps.clock.now());
    if (decided.ok) return { next: decided.next };
    refusal = decided.refusal;
    return undefined;
  });
  if (!result) return { ok: false, message: UNKNOWN_REQUEST };
  if (!result.changed) return { ok: false, message: describeRefusal(result.request, refusal ?? 'not_pending') };
  deps.logger.info({ requestId, status: result.request.status, by: result.request.decidedBy }, 'request decided');
  await enqueueApprovalJob(deps.jobs, JOB.approvalOutcome, requestId);
  return { ok: true, request: result.request };
}
