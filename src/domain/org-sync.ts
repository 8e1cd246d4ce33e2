/**
 * The Atlassian organization sync's decisions, pure: what one token of Atlassian's listing
 * means for the recorded tokens (../shared/reference/atlassian/admin-api-tokens.md). Time is
 * an argument; the job (src/jobs/processors/org-sync.ts) reads, calls these, and commits.
 */
import type { AtlassianLink, OwedNotice, TokenEvent, TokenRecord } from './types.js';

const DAY_MS = 86_400_000;
/** Atlassian API tokens live at most a year; a token listed without expiry is assumed to. */
export const ASSUMED_LIFETIME_DAYS = 365;

/**
 * The owner of a token whose Atlassian account has no Slack member (no one with its email). It
 * is recorded as orphaned from the start, so the fallback channel's Adopt / No longer needed
 * flow applies; Slack answers user_not_found for it like for anyone who left.
 */
export const UNKNOWN_OWNER_ID = 'W0NOSLACKUSER';

/** A notice owed about a token; an unsent one of the same kind is replaced, not repeated. */
export function oweNotice(
  notices: readonly OwedNotice[] | undefined,
  kind: OwedNotice['kind'],
  now: number,
  detail?: string,
): OwedNotice[] {
  const kept = (notices ?? []).filter((n) => n.kind !== kind || n.claimedAt !== undefined);
  return [...kept, { id: `${kind}-${now}`, kind, at: now, ...(detail ? { detail } : {}) }].slice(-10);
}

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

/**
 * The record of a listed token nobody recorded: source "atlassian", scopes unknown. With no
 * Slack owner (`ownerId` undefined) it is orphaned from the start and the fallback channel is
 * told; unused for `unusedDays`, its owner is offered to retire it.
 */
export function buildDiscoveredToken(args: {
  id: string;
  orgId: string;
  ownerId: string | undefined;
  listed: ListedToken;
  now: number;
  unusedDays: number;
}): TokenRecord {
  const { id, orgId, ownerId, listed, now, unusedDays } = args;
  const { expiresOn } = listedExpiry(listed);
  const status = expiresOn < utcDay(now) ? 'expired' : 'active';
  const unused = status === 'active' && isUnused(listed, unusedDays, now);
  let notices: OwedNotice[] = [];
  if (!ownerId) notices = oweNotice(notices, 'owner-unknown', now);
  if (unused) notices = oweNotice(notices, 'unused', now, unusedDetail(listed));
  return {
    id,
    ownerId: ownerId ?? UNKNOWN_OWNER_ID,
    name: tokenNameFromLabel(listed.label),
    scopes: [],
    expiresOn,
    createdAt: listed.createdAt,
    status,
    source: 'atlassian',
    atlassian: {
      ...linkFor(orgId, listed, now),
      ...(unused ? { unusedOfferedAt: now } : {}),
      ...(!ownerId && listed.user.email ? { ownerEmail: listed.user.email.slice(0, 320) } : {}),
    },
    // Thresholds already past when the bot learnt of the token are not sent.
    reminder: { from: now, ...(ownerId ? {} : { orphanedAt: now }) },
    ...(notices.length > 0 ? { notices } : {}),
  };
}

/** "last used 2026-08-01" or "never used": what the unused offer says. */
export function unusedDetail(listed: Pick<ListedToken, 'lastActiveAt'>): string {
  return listed.lastActiveAt === undefined ? 'never used' : `last used ${utcDay(listed.lastActiveAt)}`;
}

/** What a sync does to one recorded token. */
export interface TokenSyncChange {
  next: TokenRecord;
  events: TokenEvent[];
  /** The expiry moved: reminders start over from `now`. */
  expiryCorrected: boolean;
  /** The owner was offered to retire it as unused (first time only). */
  unusedOffered: boolean;
  /** Notices this change owes (also in `next.notices`), to be sent by their jobs. */
  owed: OwedNotice[];
  /** The reminders should be looked at again now (e.g. a new owner, in their timezone). */
  lookAgain?: boolean;
}

/**
 * A recorded token seen in the listing (linked now or earlier): links it, corrects its expiry
 * when Atlassian's known `expiresAt` names another day (an assumed expiry never corrects
 * anything), and the first time it is found unused for `unusedDays`, offers its owner to retire
 * it. Each change owes its owner a notice. Undefined when nothing changes (a second run over
 * the same listing).
 */
export function planSeenToken(
  token: TokenRecord,
  listed: ListedToken,
  orgId: string,
  now: number,
  unusedDays = Number.POSITIVE_INFINITY,
): TokenSyncChange | undefined {
  const events: TokenEvent[] = [];
  const owed: OwedNotice[] = [];
  let link = linkFor(orgId, listed, token.atlassian?.seenAt ?? now, token.atlassian);
  let next: TokenRecord = { ...token, atlassian: link };
  if (!token.atlassian) events.push({ at: now, type: 'linked', detail: `Atlassian token ${listed.id}` });
  const expiry = listedExpiry(listed);
  let expiryCorrected = false;
  const live = token.status === 'active' || token.status === 'expired';
  if (live && expiry.known && expiry.expiresOn !== token.expiresOn) {
    expiryCorrected = true;
    const { sending, orphanedAt } = token.reminder ?? {};
    const detail = `expiry ${token.expiresOn} → ${expiry.expiresOn} (Atlassian)`;
    const notices = oweNotice(next.notices, 'corrected', now, `${token.expiresOn} → ${expiry.expiresOn}`);
    owed.push(notices.at(-1)!);
    next = {
      ...next,
      expiresOn: expiry.expiresOn,
      status: expiry.expiresOn < utcDay(now) ? 'expired' : 'active',
      // The new date's thresholds count from now; a delivery in flight keeps its claim.
      reminder: { from: now, ...(sending ? { sending } : {}), ...(orphanedAt ? { orphanedAt } : {}) },
      notices,
    };
    events.push({ at: now, type: 'corrected', detail });
  }
  let unusedOffered = false;
  if (next.status === 'active' && link.unusedOfferedAt === undefined && isUnused(listed, unusedDays, now)) {
    unusedOffered = true;
    link = { ...link, unusedOfferedAt: now };
    const notices = oweNotice(next.notices, 'unused', now, unusedDetail(listed));
    owed.push(notices.at(-1)!);
    next = { ...next, atlassian: link, notices };
  }
  if (events.length === 0 && !unusedOffered && sameLink(token.atlassian, link)) return undefined;
  return { next, events, expiryCorrected, unusedOffered, owed };
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
  const notices = oweNotice(token.notices, 'revoked', now);
  return {
    next: { ...token, status: 'revoked', atlassian: { ...token.atlassian, goneAt: now }, notices },
    events: [{ at: now, type: 'revoked-by-sync', detail: `Atlassian token ${token.atlassian.id} no longer listed` }],
    expiryCorrected: false,
    unusedOffered: false,
    owed: [notices.at(-1)!],
  };
}

/**
 * A token recorded with no Slack owner whose Atlassian email now belongs to a Slack member
 * (they joined, or their email was added): they become its owner and get its reminders.
 * Undefined when the token has an owner already.
 */
export function planOwnerFound(token: TokenRecord, ownerId: string, now: number): TokenSyncChange | undefined {
  if (token.ownerId !== UNKNOWN_OWNER_ID) return undefined;
  const { orphanedAt: _orphaned, ...reminder } = token.reminder ?? {};
  const { ownerEmail: _email, ...link } = token.atlassian ?? { orgId: '', id: '', expiryKnown: false, seenAt: now };
  return {
    next: { ...token, ownerId, reminder, ...(token.atlassian ? { atlassian: link } : {}) },
    events: [{ at: now, type: 'adopted', detail: 'owner found in Slack by the Atlassian account’s email' }],
    lookAgain: true,
    expiryCorrected: false,
    unusedOffered: false,
    owed: [],
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
