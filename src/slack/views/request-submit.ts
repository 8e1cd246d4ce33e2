import { acceptedInZone, validateRequest, type RequestField } from '../../domain/validation.js';
import { assessRequest, riskyScopes } from '../../domain/approval-policy.js';
import { todayIn } from '../../domain/dates.js';
import { JOB, enqueueApprovalJob } from '../../jobs/queue.js';
import { deliverChecklistNowOrLater } from '../../jobs/checklist-delivery.js';
import { createRequestId } from '../../domain/record-ids.js';
import type { RequestInput, TokenRequest } from '../../domain/types.js';
import { buildPendingReviewMessage, buildRequestConfirmation } from '../../blocks/messages.js';
import { viewSubmissionSchema } from '../kit/payloads.js';
import { readModalMetadata, readRequestState, toBlockErrors } from '../kit/request-state.js';
import { replyEphemeral } from '../../slack-api/response-url.js';
import { REQUEST_BLOCK } from '../../blocks/ids.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';
import { teamFieldErrors } from '../../slack-api/team-checks.js';

/**
 * A flagged request needs a justification, and approvals set up to review it. When they
 * are not (no APPROVAL_CHANNEL_ID or no approvers), the requester is told next to the field
 * that caused the flag rather than the request being accepted and never seen by anyone.
 */
function checkReviewable(input: RequestInput, reasons: string[], configured: boolean): Partial<Record<RequestField, string>> | undefined {
  if (!configured) {
    const field: RequestField = riskyScopes(input.scopes).length > 0 ? 'scopes' : 'expiresOn';
    return {
      [field]: `This needs an approver's review (${reasons.join(' ')}), but approvals are not set up here. Choose lower-risk scopes or a shorter expiry, or ask your Slack admin to configure approvals.`,
    };
  }
  if (!input.purpose) return { purpose: `Add a justification: this request is reviewed by an approver. ${reasons.join(' ')}` };
  return undefined;
}

/**
 * Submitting the request modal: validate (errors next to the fields), store, close the
 * modal, then DM the checklist and confirm in the channel the command came from.
 */
export function createRequestSubmitHandler(
  deps: Pick<Services, 'config' | 'users' | 'approvers' | 'requests' | 'jobs' | 'home' | 'quickClient' | 'logger' | 'clock'>,
) {
  return async ({ ack, body }: ViewArgs): Promise<void> => {
    const parsed = viewSubmissionSchema.safeParse(body);
    if (!parsed.success) {
      await ack({
        response_action: 'errors',
        errors: { [REQUEST_BLOCK.name]: 'This form could not be read. Close it and run the command again.' },
      });
      return;
    }
    const { user, view } = parsed.data;
    const { raw, blockIds } = readRequestState(view.state.values);
    const metadata = readModalMetadata(view.private_metadata);
    const now = new Date(deps.clock.now());
    const verdictIn = (value: RequestInput, timeZone: string) => assessRequest(value, deps.config.approvals.policy, todayIn(timeZone, now));
    const evaluate = (timeZone: string) => {
      const result = validateRequest(raw, { now, timeZone, ownerId: user.id });
      return result.ok ? { ...result, verdict: verdictIn(result.value, timeZone) } : result;
    };
    // The same answer in another zone: a refused form is validated again; an accepted one
    // differs only in its expiry check and the policy's count of days (acceptedInZone).
    const sameIn = (r: ReturnType<typeof evaluate>, timeZone: string): boolean =>
      r.ok
        ? acceptedInZone(r.value, { now, timeZone, ownerId: user.id }) &&
          JSON.stringify(r.verdict) === JSON.stringify(verdictIn(r.value, timeZone))
        : JSON.stringify(r) === JSON.stringify(evaluate(timeZone));
    // The requester's timezone matters only for expiry dates at the edges of the allowed
    // ranges. When the earliest and the latest timezone on Earth give the same answer, the
    // answer is the same in theirs, and users.info stays off the path to the ack.
    const cached = deps.users.cachedTimeZone(user.id);
    let result = evaluate(cached ?? 'Pacific/Kiritimati');
    if (!cached && !sameIn(result, 'Etc/GMT+12')) {
      result = evaluate(await deps.users.timeZoneOf(user.id));
    }
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: toBlockErrors(result.errors, blockIds) });
      return;
    }
    const teamErrors = await teamFieldErrors({ users: deps.users, client: deps.quickClient, logger: deps.logger }, result.value);
    if (Object.keys(teamErrors).length > 0) {
      await ack({ response_action: 'errors', errors: toBlockErrors<RequestField>(teamErrors, blockIds) });
      return;
    }
    const { verdict } = result;
    // A write scope without its read scope is accepted; the requester is told what it lacks.
    const notices = result.notices ?? [];
    if (verdict.needsApproval) {
      const problem = checkReviewable(result.value, verdict.reasons, deps.approvers.configured);
      if (problem) {
        await ack({ response_action: 'errors', errors: toBlockErrors(problem, blockIds) });
        return;
      }
    }
    const request: TokenRequest = {
      ...result.value,
      id: createRequestId(),
      requesterId: user.id,
      channelId: metadata.channelId,
      status: verdict.needsApproval ? 'pending_approval' : 'approved',
      ...(verdict.needsApproval ? { reviewReasons: verdict.reasons } : {}),
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
      ...(metadata.renewsTokenId ? { renewsTokenId: metadata.renewsTokenId } : {}),
    };
    try {
      await deps.requests.create(request);
      // Posting goes through a job so a Slack outage delays it rather than losing it; if this
      // enqueue itself fails, start-up recovery (recoverUnpostedApprovals) re-queues it.
      if (verdict.needsApproval) await enqueueApprovalJob(deps.jobs, JOB.approvalPost, request.id);
    } catch (err) {
      deps.logger.error({ err }, 'could not store request');
      await ack({
        response_action: 'errors',
        errors: { [blockIds.name]: 'I could not save your request just now. Nothing was lost: press the button again in a moment.' },
      });
      return;
    }
    await ack();
    deps.logger.info({ requestId: request.id, userId: user.id, scopes: request.scopes, status: request.status }, 'request stored');
    // Republished now only for someone who looks at their Home; anyone else sees the request when they open it.
    deps.home.refreshIfSeen(user.id);
    if (verdict.needsApproval) {
      await replyEphemeral(metadata.responseUrl, buildPendingReviewMessage(request.name, notices), deps.logger);
      return;
    }
    // The quick client: when Slack does not take the DM at once, the retry job is the slow path.
    const sent = await deliverChecklistNowOrLater(
      { client: deps.quickClient, jobs: deps.jobs, logger: deps.logger, clock: deps.clock },
      request,
      { responseUrl: metadata.responseUrl },
    );
    if (sent) await replyEphemeral(metadata.responseUrl, buildRequestConfirmation(request.name, notices), deps.logger);
  };
}
