/**
 * Decisions on requests under review. Pure: the current request and a decision go in; the
 * next request, or the reason it is refused, comes out. The store applies the result with
 * compare-and-set, so of several concurrent decisions exactly one wins.
 */
import { checkPermissionScopes, isKnownScope, missingReadScopes, sortScopes } from './scopes.js';
import type { TokenRequest } from './types.js';

export type Decision =
  | { kind: 'approve'; by: string; scopes?: readonly string[] }
  | { kind: 'reject'; by: string; reason: string }
  | { kind: 'cancel'; by: string }
  | { kind: 'expire' };

export type DecisionRefusal = 'not_pending' | 'own_request' | 'not_requester' | 'bad_scopes';

export type DecisionResult = { ok: true; next: TokenRequest } | { ok: false; refusal: DecisionRefusal };

/** Applies `decision` to `request` at `now` (epoch ms). */
export function applyDecision(request: TokenRequest, decision: Decision, now: number): DecisionResult {
  if (request.status !== 'pending_approval') return { ok: false, refusal: 'not_pending' };
  const base = { ...request, updatedAt: now, decidedAt: now };
  switch (decision.kind) {
    case 'approve': {
      if (decision.by === request.requesterId) return { ok: false, refusal: 'own_request' };
      const scopes = decision.scopes ? checkNarrowedScopes(request.scopes, decision.scopes) : { scopes: request.scopes };
      if ('error' in scopes) return { ok: false, refusal: 'bad_scopes' };
      return { ok: true, next: { ...base, status: 'approved', decidedBy: decision.by, approvedScopes: scopes.scopes } };
    }
    case 'reject':
      if (decision.by === request.requesterId) return { ok: false, refusal: 'own_request' };
      return { ok: true, next: { ...base, status: 'rejected', decidedBy: decision.by, reason: decision.reason } };
    case 'cancel':
      if (decision.by !== request.requesterId) return { ok: false, refusal: 'not_requester' };
      return { ok: true, next: { ...base, status: 'cancelled', decidedBy: decision.by } };
    case 'expire':
      return { ok: true, next: { ...base, status: 'expired' } };
  }
}

/**
 * Checks an approver's narrowed scope set: non-empty, only scopes that were requested, no
 * permission scope left without its admin scope, and no write scope whose read scope the
 * approver removed (a requester may ask for write alone, see scope-checks.ts, but narrowing
 * away a requested read while keeping its write is more likely a slip). Catalogue order.
 */
export function checkNarrowedScopes(requested: readonly string[], selected: readonly string[]): { scopes: string[] } | { error: string } {
  const scopes = sortScopes(selected);
  if (scopes.length === 0) return { error: 'Keep at least one scope, or reject the request instead.' };
  const extra = scopes.filter((s) => !requested.includes(s));
  if (extra.length > 0) {
    // Name only catalogue scopes: a selected value comes from the client and may be anything
    // (a pasted token, 20k characters), and this message goes back to Slack.
    const named = extra.filter(isKnownScope).slice(0, 5);
    const others = extra.length - named.length;
    const list = [...named, ...(others > 0 ? [`${others} unknown value${others === 1 ? '' : 's'}`] : [])].join(', ');
    return { error: `Only requested scopes can be approved; not ${list}.` };
  }
  const permission = checkPermissionScopes(scopes);
  if (permission) return { error: permission };
  // Only reads that were requested and removed: a request for write alone stays approvable.
  const missing = missingReadScopes(scopes).filter((m) => requested.includes(m.needs));
  if (missing.length > 0) {
    return {
      error: `${missing.map((m) => m.scope).join(', ')} also needs ${missing.map((m) => m.needs).join(', ')}: keep it, or remove the write scope too.`,
    };
  }
  return { scopes };
}

/** Scopes requested but not granted (empty when approved as asked). */
export function removedScopes(request: Pick<TokenRequest, 'scopes' | 'approvedScopes'>): string[] {
  const granted = request.approvedScopes ?? request.scopes;
  return request.scopes.filter((s) => !granted.includes(s));
}
