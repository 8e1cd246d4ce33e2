/**
 * The Atlassian organization sync's decisions, pure: what one token of Atlassian's listing
 * means for the recorded tokens (../shared/reference/atlassian/admin-api-tokens.md). Time is
 * an argument; the job (src/jobs/processors/org-sync.ts) reads, calls these, and commits.
 */
import type { AtlassianLink, TokenEvent, TokenRecord } from './types.js';

const DAY_MS = 86_400_000;
/** Atlassian API tokens live at most a year; a token listed without expiry is assumed to. */
export const ASSUMED_LIFETIME_DAYS = 365;

/** One token of the organization's listing (timestamps epoch ms). */
export interface ListedToken {
  id: string;
  label: string;
  status?: string;
  createdAt: number;
  expiresAt?: number;
  lastActiveAt?: number;
  user: { id: string; email?: string; name?: string };
}

/** The calendar day (UTC) of an epoch-ms instant, YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Names compared case- and space-insensitively: "CI  Token" matches "ci token" and "citoken". */
export function normaliseTokenName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '');
}

/** A recorded name from Atlassian's label: trimmed, spaces collapsed, at most 100 characters. */
export function tokenNameFromLabel(label: string): string {
  const name = label.trim().replace(/\s+/g, ' ').slice(0, 100);
  return name === '' ? 'Unnamed API token' : name;
}

/**
 * The token's expiry day: Atlassian's `expiresAt`, or (missing) creation plus a year, flagged
 * as assumed so that it never overrides a recorded expiry.
 */
export function listedExpiry(token: ListedToken): { expiresOn: string; known: boolean } {
  if (token.expiresAt !== undefined) return { expiresOn: utcDay(token.expiresAt), known: true };
  return { expiresOn: utcDay(token.createdAt + ASSUMED_LIFETIME_DAYS * DAY_MS), known: false };
}

/** True when the token has not been used for `days` (never used counts from its creation). */
export function isUnused(token: Pick<ListedToken, 'createdAt' | 'lastActiveAt'>, days: number, now: number): boolean {
  return now - (token.lastActiveAt ?? token.createdAt) >= days * DAY_MS;
}

/** The link kept in a token record for a listed token. */
export function linkFor(orgId: string, listed: ListedToken, seenAt: number, previous?: AtlassianLink): AtlassianLink {
  const expiry = listedExpiry(listed);
  return {
    ...previous,
    orgId,
    id: listed.id,
    expiryKnown: expiry.known,
    ...(listed.lastActiveAt === undefined ? {} : { lastActiveAt: listed.lastActiveAt }),
    seenAt,
  };
}

/**
 * The recorded token this unlinked listed token is: the owner's live token of the same name
 * (case- and space-insensitive) not linked to another Atlassian token. The oldest wins when
 * several match, so the choice is stable from run to run.
 */
export function findRecordedMatch(listed: ListedToken, ownerTokens: readonly TokenRecord[]): TokenRecord | undefined {
  const name = normaliseTokenName(listed.label);
  return ownerTokens
    .filter((t) => (t.status === 'active' || t.status === 'expired') && !t.atlassian && normaliseTokenName(t.name) === name)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))[0];
}

/** The record of a listed token nobody recorded: source "atlassian", scopes unknown. */
export function buildDiscoveredToken(args: { id: string; orgId: string; ownerId: string; listed: ListedToken; now: number }): TokenRecord {
  const { id, orgId, ownerId, listed, now } = args;
  const { expiresOn } = listedExpiry(listed);
  return {
    id,
    ownerId,
    name: tokenNameFromLabel(listed.label),
    scopes: [],
    expiresOn,
    createdAt: listed.createdAt,
    status: expiresOn < utcDay(now) ? 'expired' : 'active',
    source: 'atlassian',
    atlassian: linkFor(orgId, listed, now),
    // Thresholds already past when the bot learnt of the token are not sent.
    reminder: { from: now },
  };
}

/** What a sync does to one recorded token. */
export interface TokenSyncChange {
  next: TokenRecord;
  events: TokenEvent[];
  /** The expiry moved: reminders start over from `now`. */
  expiryCorrected: boolean;
}

/**
 * A recorded token seen in the listing (linked now or earlier): links it, and corrects its
 * expiry when Atlassian's known `expiresAt` names another day. An assumed expiry never
 * corrects anything. Undefined when nothing changes (a second run over the same listing).
 */
export function planSeenToken(token: TokenRecord, listed: ListedToken, orgId: string, now: number): TokenSyncChange | undefined {
  const events: TokenEvent[] = [];
  const link = linkFor(orgId, listed, token.atlassian?.seenAt ?? now, token.atlassian);
  let next: TokenRecord = { ...token, atlassian: link };
  if (!token.atlassian) events.push({ at: now, type: 'linked', detail: `Atlassian token ${listed.id}` });
  const expiry = listedExpiry(listed);
  let expiryCorrected = false;
  const live = token.status === 'active' || token.status === 'expired';
  if (live && expiry.known && expiry.expiresOn !== token.expiresOn) {
    expiryCorrected = true;
    const { sending, orphanedAt } = token.reminder ?? {};
    next = {
      ...next,
      expiresOn: expiry.expiresOn,
      status: expiry.expiresOn < utcDay(now) ? 'expired' : 'active',
      // The new date's thresholds count from now; a delivery in flight keeps its claim.
      reminder: { from: now, ...(sending ? { sending } : {}), ...(orphanedAt ? { orphanedAt } : {}) },
    };
    events.push({ at: now, type: 'corrected', detail: `expiry ${token.expiresOn} → ${expiry.expiresOn} (Atlassian)` });
  }
  if (events.length === 0 && sameLink(token.atlassian, link)) return undefined;
  return { next, events, expiryCorrected };
}

function sameLink(a: AtlassianLink | undefined, b: AtlassianLink): boolean {
  return a !== undefined && a.orgId === b.orgId && a.id === b.id && a.expiryKnown === b.expiryKnown && a.lastActiveAt === b.lastActiveAt;
}

/**
 * A linked token absent from a complete listing: revoked at Atlassian, so its reminders stop.
 * Undefined when it is no longer live (already revoked, rotated) or not linked to this org.
 */
export function planVanishedToken(token: TokenRecord, orgId: string, now: number): TokenSyncChange | undefined {
  if (token.atlassian?.orgId !== orgId || (token.status !== 'active' && token.status !== 'expired')) return undefined;
  return {
    next: { ...token, status: 'revoked', atlassian: { ...token.atlassian, goneAt: now } },
    events: [{ at: now, type: 'revoked-by-sync', detail: `Atlassian token ${token.atlassian.id} no longer listed` }],
    expiryCorrected: false,
  };
}

/** Counts of one sync run, shown on the admin Home and exported on /metrics. */
export interface SyncCounts {
  seen: number;
  discovered: number;
  linked: number;
  corrected: number;
  revoked: number;
  unused: number;
  ownersNotFound: number;
  errors: number;
}

export const emptySyncCounts = (): SyncCounts => ({
  seen: 0,
  discovered: 0,
  linked: 0,
  corrected: 0,
  revoked: 0,
  unused: 0,
  ownersNotFound: 0,
  errors: 0,
});
