/**
 * A user's or the organisation's token inventory: how each token stands against its expiry
 * and what an admin needs to act on. Pure: `today` (the viewer's calendar day) is an argument.
 */
import { daysBetween } from './dates.js';
import { highestRisk } from './scopes.js';
import type { RiskLevel, TokenRecord, TokenRequest } from './types.js';

/** A token expiring within this many days is shown as "expiring". */
export const EXPIRING_SOON_DAYS = 30;

export type ExpiryStatus = 'ok' | 'expiring' | 'expired';

/** A token with its expiry status as seen on `today`. */
export interface TokenStanding {
  token: TokenRecord;
  status: ExpiryStatus;
  /** Calendar days until the expiry day (0 = expires today, negative = expired). */
  daysLeft: number;
}

/** The expiry status of a token expiring on `expiresOn`, seen on `today` (both YYYY-MM-DD). */
export function classifyExpiry(expiresOn: string, today: string): { status: ExpiryStatus; daysLeft: number } {
  const daysLeft = daysBetween(today, expiresOn);
  const status: ExpiryStatus = daysLeft < 0 ? 'expired' : daysLeft <= EXPIRING_SOON_DAYS ? 'expiring' : 'ok';
  return { status, daysLeft };
}

/** True for tokens that still matter to their owner: not rotated away or revoked. */
export function isLiveToken(token: TokenRecord): boolean {
  return token.status === 'active' || token.status === 'expired';
}

/** Live tokens with their standing, most urgent (soonest expiry) first. */
export function rankTokens(tokens: readonly TokenRecord[], today: string): TokenStanding[] {
  return tokens
    .filter(isLiveToken)
    .map((token) => ({ token, ...classifyExpiry(token.expiresOn, today) }))
    .sort((a, b) => a.daysLeft - b.daysLeft || a.token.name.localeCompare(b.token.name));
}

/** How many tokens are in each expiry status. */
export function countByStatus(standings: readonly TokenStanding[]): Record<ExpiryStatus, number> {
  const counts: Record<ExpiryStatus, number> = { expired: 0, expiring: 0, ok: 0 };
  for (const s of standings) counts[s.status] += 1;
  return counts;
}

/** Requests the requester still has to wait for or act on (not decided against, no token yet). */
export function selectOpenRequests(requests: readonly TokenRequest[], today: string): TokenRequest[] {
  return requests.filter((r) => (r.status === 'pending_approval' || r.status === 'approved') && !r.tokenId && r.expiresOn >= today);
}

/** What an admin sees about every token. */
export interface OrgSummary {
  /** Live tokens considered (at most the scan limit). */
  total: number;
  /** True when there were more tokens than the scan limit; counts cover the newest ones. */
  partial: boolean;
  /** Not yet expired, expiring within {@link EXPIRING_SOON_DAYS} days, soonest first. */
  expiringSoon: TokenStanding[];
  /** Live tokens whose owner's Slack account is deleted or unknown, soonest expiry first. */
  ownerGone: TokenStanding[];
  /** Live, unexpired tokens by the highest risk among their scopes. */
  riskCounts: Record<RiskLevel, number>;
  /** Live, unexpired tokens whose scopes are unknown (found by the organization sync), not in riskCounts. */
  unknownScopes: number;
}

/**
 * Summarises all tokens for the admin view. `goneOwnerIds` are owners Slack says are
 * deleted or do not exist (looked up by the caller, which owns the Slack client).
 */
export function summariseOrganisation(
  tokens: readonly TokenRecord[],
  today: string,
  goneOwnerIds: ReadonlySet<string>,
  partial = false,
): OrgSummary {
  const ranked = rankTokens(tokens, today);
  const riskCounts: Record<RiskLevel, number> = { low: 0, medium: 0, high: 0 };
  let unknownScopes = 0;
  for (const s of ranked) {
    if (s.status === 'expired') continue;
    if (s.token.scopes.length === 0) unknownScopes += 1;
    else riskCounts[highestRisk(s.token.scopes)] += 1;
  }
  return {
    total: ranked.length,
    partial,
    expiringSoon: ranked.filter((s) => s.status === 'expiring'),
    ownerGone: ranked.filter((s) => goneOwnerIds.has(s.token.ownerId)),
    riskCounts,
    unknownScopes,
  };
}

/** Distinct owners of live tokens, in order of first appearance (for the "owner gone" check). */
export function listLiveOwners(tokens: readonly TokenRecord[]): string[] {
  return [...new Set(tokens.filter(isLiveToken).map((t) => t.ownerId))];
}
