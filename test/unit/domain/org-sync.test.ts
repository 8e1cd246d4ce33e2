import { describe, expect, it } from 'vitest';
import {
  buildDiscoveredToken,
  findRecordedMatch,
  isUnused,
  listedExpiry,
  normaliseTokenName,
  planOwnerFound,
  planSeenToken,
  planVanishedToken,
  oweNotice,
  tokenNameFromLabel,
  UNKNOWN_OWNER_ID,
  type ListedToken,
} from '../../../src/domain/org-sync.js';
import type { TokenRecord } from '../../../src/domain/types.js';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const DAY = 86_400_000;
const ORG = 'org-1';

const listed = (over: Partial<ListedToken> = {}): ListedToken => ({
  id: 'atl-1',
  label: 'DeepTraQ Bitbucket Integration',
  createdAt: Date.parse('2026-06-01T09:00:00Z'),
  expiresAt: Date.parse('2027-06-01T09:00:00Z'),
  lastActiveAt: Date.parse('2026-11-30T12:00:00Z'),
  user: { id: 'acc-1', email: 'ada@example.com' },
  ...over,
});

const token = (over: Partial<TokenRecord> = {}): TokenRecord => ({
  id: 'taaaaaaaaaaaaaaaa',
  ownerId: 'U1',
  name: 'DeepTraQ Bitbucket Integration',
  scopes: ['read:repository:bitbucket'],
  expiresOn: '2027-06-01',
  createdAt: Date.parse('2026-06-01T09:05:00Z'),
  status: 'active',
  ...over,
});

describe('names', () => {
  it('compares case- and space-insensitively', () => {
    expect(normaliseTokenName('  DeepTraQ  Bitbucket\tIntegration ')).toBe(normaliseTokenName('deeptraq bitbucketintegration'));
    expect(normaliseTokenName('CI token')).not.toBe(normaliseTokenName('CI tokens'));
  });
  it('makes a recorded name from a label', () => {
    expect(tokenNameFromLabel('  my   token ')).toBe('my token');
    expect(tokenNameFromLabel('   ')).toBe('Unnamed API token');
    expect(tokenNameFromLabel('x'.repeat(300))).toHaveLength(100);
  });
});

describe('listedExpiry', () => {
  it('uses expiresAt when listed', () => {
    expect(listedExpiry(listed())).toEqual({ expiresOn: '2027-06-01', known: true });
  });
  it('assumes creation plus 365 days when expiresAt is missing, flagged as unknown', () => {
    expect(listedExpiry(listed({ expiresAt: undefined }))).toEqual({ expiresOn: '2027-06-01', known: false });
  });
});

describe('isUnused', () => {
  it('counts from the last use, or from creation when never used', () => {
    expect(isUnused(listed({ lastActiveAt: NOW - 90 * DAY }), 90, NOW)).toBe(true);
    expect(isUnused(listed({ lastActiveAt: NOW - 89 * DAY }), 90, NOW)).toBe(false);
    expect(isUnused(listed({ lastActiveAt: undefined, createdAt: NOW - 100 * DAY }), 90, NOW)).toBe(true);
    expect(isUnused(listed({ lastActiveAt: undefined, createdAt: NOW - 10 * DAY }), 90, NOW)).toBe(false);
  });
});

describe('findRecordedMatch', () => {
  it("finds the owner's live unlinked token of the same name, oldest first", () => {
    const older = token({ id: 'tbbbbbbbbbbbbbbbb', name: 'deeptraq bitbucket integration', createdAt: 1 });
    const newer = token({ id: 'tcccccccccccccccc', createdAt: 2 });
    expect(findRecordedMatch(listed(), [newer, older])?.id).toBe(older.id);
  });
  it('skips revoked, rotated and already linked tokens, and other names', () => {
    const link = { orgId: ORG, id: 'atl-9', expiryKnown: true, seenAt: 0 };
    expect(
      findRecordedMatch(listed(), [
        token({ status: 'revoked' }),
        token({ status: 'rotated' }),
        token({ atlassian: link }),
        token({ name: 'Something else' }),
      ]),
    ).toBeUndefined();
  });
});

describe('buildDiscoveredToken', () => {
  it('records a token with unknown scopes, source atlassian, linked, reminders counted from now', () => {
    expect(
      buildDiscoveredToken({ id: 'tddddddddddddddd2', orgId: ORG, ownerId: 'U1', listed: listed(), now: NOW, unusedDays: 90 }),
    ).toEqual({
      id: 'tddddddddddddddd2',
      ownerId: 'U1',
      name: 'DeepTraQ Bitbucket Integration',
      scopes: [],
      expiresOn: '2027-06-01',
      createdAt: Date.parse('2026-06-01T09:00:00Z'),
      status: 'active',
      source: 'atlassian',
      atlassian: { orgId: ORG, id: 'atl-1', expiryKnown: true, lastActiveAt: Date.parse('2026-11-30T12:00:00Z'), seenAt: NOW },
      reminder: { from: NOW },
    });
  });
  it('is expired when Atlassian says it already expired', () => {
    const t = buildDiscoveredToken({
      id: 'tddddddddddddddd2',
      orgId: ORG,
      ownerId: 'U1',
      listed: listed({ expiresAt: NOW - DAY }),
      now: NOW,
      unusedDays: 90,
    });
    expect(t.status).toBe('expired');
  });
});

describe('planSeenToken', () => {
  it('links an unlinked recorded token (history: linked)', () => {
    const change = planSeenToken(token(), listed(), ORG, NOW);
    expect(change?.expiryCorrected).toBe(false);
    expect(change?.next.atlassian).toEqual({
      orgId: ORG,
      id: 'atl-1',
      expiryKnown: true,
      lastActiveAt: Date.parse('2026-11-30T12:00:00Z'),
      seenAt: NOW,
    });
    expect(change?.events).toEqual([{ at: NOW, type: 'linked', detail: 'Atlassian token atl-1' }]);
  });

  it('changes nothing the second time over the same listing', () => {
    const first = planSeenToken(token(), listed(), ORG, NOW)!;
    expect(planSeenToken(first.next, listed(), ORG, NOW + 6 * 3600_000)).toBeUndefined();
  });

  it('corrects a wrong expiry and restarts reminders from now, keeping a claim in flight', () => {
    const sending = { threshold: 30, at: NOW - 1000, by: 'job-1' };
    const recorded = token({ expiresOn: '2027-05-01', reminder: { last: 30, from: 0, sending } });
    const change = planSeenToken(recorded, listed(), ORG, NOW)!;
    expect(change.expiryCorrected).toBe(true);
    expect(change.next.expiresOn).toBe('2027-06-01');
    expect(change.next.reminder).toEqual({ from: NOW, sending });
    expect(change.events.map((e) => e.type)).toEqual(['linked', 'corrected']);
    expect(change.events[1]?.detail).toBe('expiry 2027-05-01 → 2027-06-01 (Atlassian)');
    expect(change.owed).toEqual([{ id: `corrected-${NOW}`, kind: 'corrected', at: NOW, detail: '2027-05-01 → 2027-06-01' }]);
    expect(change.next.notices).toEqual(change.owed);
  });

  it('revives an expired record whose real expiry is later', () => {
    const change = planSeenToken(token({ expiresOn: '2026-11-01', status: 'expired' }), listed(), ORG, NOW)!;
    expect(change.next.status).toBe('active');
  });

  it('never corrects a recorded expiry from an assumed one', () => {
    const recorded = token({ expiresOn: '2027-01-15' });
    const change = planSeenToken(recorded, listed({ expiresAt: undefined }), ORG, NOW)!;
    expect(change.expiryCorrected).toBe(false);
    expect(change.next.expiresOn).toBe('2027-01-15');
    expect(change.next.atlassian?.expiryKnown).toBe(false);
  });

  it('does not correct a revoked or rotated token', () => {
    for (const status of ['revoked', 'rotated'] as const) {
      const change = planSeenToken(token({ status, expiresOn: '2027-01-01' }), listed(), ORG, NOW)!;
      expect(change.expiryCorrected).toBe(false);
      expect(change.next.expiresOn).toBe('2027-01-01');
    }
  });
});

describe('planVanishedToken', () => {
  const link = { orgId: ORG, id: 'atl-1', expiryKnown: true, seenAt: 0 };
  it('revokes a live linked token (history: revoked-by-sync)', () => {
    const change = planVanishedToken(token({ atlassian: link }), ORG, NOW)!;
    expect(change.next.status).toBe('revoked');
    expect(change.next.atlassian?.goneAt).toBe(NOW);
    expect(change.events).toEqual([{ at: NOW, type: 'revoked-by-sync', detail: 'Atlassian token atl-1 no longer listed' }]);
    expect(change.owed.map((n) => n.kind)).toEqual(['revoked']);
  });
  it('leaves unlinked, other-org, revoked and rotated tokens alone', () => {
    expect(planVanishedToken(token(), ORG, NOW)).toBeUndefined();
    expect(planVanishedToken(token({ atlassian: { ...link, orgId: 'org-2' } }), ORG, NOW)).toBeUndefined();
    expect(planVanishedToken(token({ atlassian: link, status: 'revoked' }), ORG, NOW)).toBeUndefined();
    expect(planVanishedToken(token({ atlassian: link, status: 'rotated' }), ORG, NOW)).toBeUndefined();
  });
});

describe('unused offer and notices', () => {
  it('offers a recorded token unused for the configured days once', () => {
    const old = listed({ lastActiveAt: undefined, createdAt: NOW - 200 * DAY, expiresAt: NOW + 100 * DAY });
    const recorded = token({ expiresOn: '2027-03-12' });
    const first = planSeenToken(recorded, old, ORG, NOW, 90)!;
    expect(first.unusedOffered).toBe(true);
    expect(first.owed).toEqual([{ id: `unused-${NOW}`, kind: 'unused', at: NOW, detail: 'never used' }]);
    expect(planSeenToken(first.next, old, ORG, NOW + DAY, 90)).toBeUndefined();
    // Not offered when recently used, nor for a token no longer live.
    expect(planSeenToken(recorded, listed({ expiresAt: NOW + 100 * DAY }), ORG, NOW, 90)?.unusedOffered).toBe(false);
    expect(planSeenToken(token({ status: 'revoked', expiresOn: '2027-03-12' }), old, ORG, NOW, 90)?.unusedOffered).toBe(false);
  });
  it('replaces an unsent notice of the same kind but keeps a claimed one (its message may be out)', () => {
    const a = oweNotice(undefined, 'corrected', 1, 'a');
    expect(oweNotice(a, 'corrected', 2, 'b')).toEqual([{ id: 'corrected-2', kind: 'corrected', at: 2, detail: 'b' }]);
    const claimed = [{ ...a[0]!, claimedAt: 5 }];
    expect(oweNotice(claimed, 'corrected', 6).map((n) => n.id)).toEqual(['corrected-1', 'corrected-6']);
    expect(oweNotice(a, 'revoked', 3).map((n) => n.kind)).toEqual(['corrected', 'revoked']);
  });
});

describe('buildDiscoveredToken: unused and unknown owners', () => {
  const build = (over: Partial<ListedToken>, owner: { id?: string } = { id: 'U1' }) =>
    buildDiscoveredToken({ id: 'tddddddddddddddd2', orgId: ORG, ownerId: owner.id, listed: listed(over), now: NOW, unusedDays: 90 });

  it('offers an unused token for removal once, noting when it was last used', () => {
    const t = build({ lastActiveAt: NOW - 100 * DAY });
    expect(t.notices).toEqual([{ id: `unused-${NOW}`, kind: 'unused', at: NOW, detail: 'last used 2026-08-24' }]);
    expect(t.atlassian?.unusedOfferedAt).toBe(NOW);
    expect(planSeenToken(t, listed({ lastActiveAt: NOW - 100 * DAY }), ORG, NOW + DAY, 90)).toBeUndefined();
    expect(build({}).notices).toBeUndefined();
  });

  it('records a token whose email no Slack member has as orphaned, owing the fallback channel a notice', () => {
    const t = build({}, {});
    expect(t.ownerId).toBe(UNKNOWN_OWNER_ID);
    expect(t.reminder).toEqual({ from: NOW, orphanedAt: NOW });
    expect(t.atlassian?.ownerEmail).toBe('ada@example.com');
    expect(t.notices?.map((n) => n.kind)).toEqual(['owner-unknown']);
  });
});

describe('planOwnerFound', () => {
  it('gives a token recorded with no Slack owner to the member who now has its email, and looks at its reminders again', () => {
    const orphan = buildDiscoveredToken({
      id: 'tddddddddddddddd2',
      orgId: ORG,
      ownerId: undefined,
      listed: listed(),
      now: NOW,
      unusedDays: 90,
    });
    const change = planOwnerFound(orphan, 'UNEW', NOW + DAY)!;
    expect(change.next.ownerId).toBe('UNEW');
    expect(change.next.reminder).toEqual({ from: NOW });
    expect(change.next.atlassian?.ownerEmail).toBeUndefined();
    expect(change.lookAgain).toBe(true);
    expect(change.events.map((e) => e.type)).toEqual(['adopted']);
    expect(planOwnerFound(change.next, 'UOTHER', NOW + 2 * DAY)).toBeUndefined();
  });
});
