import { assessRequest } from '../../domain/approval-policy.js';
import { todayIn } from '../../domain/dates.js';
import type { ModalReview } from '../../blocks/request-modal.js';
import type { Services } from './services.js';

/**
 * The policy verdict shown in the request modal. The modal uses UTC for "today" (the
 * requester's zone is not known yet when it opens); the submission decides in their zone.
 */
export function assessForModal(
  deps: Pick<Services, 'config' | 'approvers'>,
  values: { scopes: readonly string[]; expiresOn: string },
  now: Date,
): ModalReview {
  const verdict = assessRequest(values, deps.config.approvals.policy, todayIn('UTC', now));
  return { ...verdict, configured: deps.approvers.configured };
}
