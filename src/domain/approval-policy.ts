/**
 * Which token requests need a human decision. Pure: the policy, the request and "today"
 * (in the requester's timezone) go in; a verdict with human-readable reasons comes out.
 */
import { daysBetween, isIsoDate } from './dates.js';
import { findScope } from './scopes.js';
import type { RequestInput } from './types.js';

/** `all`: every request is reviewed; `risky` (default): only flagged ones; `none`: never. */
export type ApprovalMode = 'all' | 'risky' | 'none';

export interface ApprovalPolicy {
  mode: ApprovalMode;
  /** An expiry more than this many days after today needs review (in `risky` mode). */
  maxDays: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { mode: 'risky', maxDays: 90 };

export interface PolicyVerdict {
  needsApproval: boolean;
  /** Why review is needed, one short sentence each; empty when auto-approved. */
  reasons: string[];
}

/** The scopes that make a request risky: admin or delete level, and write:permission. */
export function riskyScopes(scopes: readonly string[]): string[] {
  return scopes.filter((name) => {
    const scope = findScope(name);
    if (!scope) return false;
    return scope.action === 'admin' || scope.action === 'delete' || (scope.action === 'write' && scope.resource === 'permission');
  });
}

/**
 * Decides whether a request is auto-approved or needs an approver.
 * @param today the requester's today, YYYY-MM-DD (expiry days are counted from it).
 */
export function assessRequest(
  request: { scopes: readonly string[]; expiresOn: RequestInput['expiresOn'] },
  policy: ApprovalPolicy,
  today: string,
): PolicyVerdict {
  if (policy.mode === 'none') return { needsApproval: false, reasons: [] };
  const reasons: string[] = [];
  const risky = riskyScopes(request.scopes);
  if (risky.length > 0) {
    reasons.push(
      `${risky.length === 1 ? 'Scope' : 'Scopes'} ${risky.join(', ')} ${risky.length === 1 ? 'is' : 'are'} high risk (admin, delete or permission level).`,
    );
  }
  if (isIsoDate(request.expiresOn) && isIsoDate(today)) {
    const days = daysBetween(today, request.expiresOn);
    if (days > policy.maxDays) reasons.push(`The token would live ${days} days; more than ${policy.maxDays} needs review.`);
  }
  if (policy.mode === 'all') {
    return { needsApproval: true, reasons: reasons.length > 0 ? reasons : ['Every request is reviewed (APPROVAL_POLICY=all).'] };
  }
  return { needsApproval: reasons.length > 0, reasons };
}
