import { describe, expect, it } from 'vitest';
import { classifyExpiry, listLiveOwners, rankTokens, selectOpenRequests, summariseOrganisation } from '../../../src/domain/inventory.js';
import type { TokenRecord, TokenRequest } from '../../../src/domain/types.js';

const TODAY = '2026-03-01';

const token = (over: Partial<TokenRecord>): TokenRecord => ({
  id: 'taaaaaaaaaaaaaaaa',
  ownerId: 'U1',
  name: 'CI',
  scopes: ['read:repository:bitbucket'],
  expiresOn: '2026-06-01',
  createdAt: 0,
  status: 'active',
  ...over,
});

describe('classifyExpiry', () => {
  it.each([
    ['2026-02-28', 'expired', -1],
    ['2026-03-01', 'expiring', 0],
    ['2026-03-31', 'expiring', 30],
    ['2026-04-01', 'ok', 31],
  ] as const)('%s is %s with %i days left', (expiresOn, status, daysLeft) => {
    expect(classifyExpiry(expiresOn, TODAY)).toEqual({ status, daysLeft });
  });
});

describe('rankTokens', () => {
  it('drops rotated and revoked tokens and puts the most urgent first', () => {
    const ranked = rankTokens(
      [
        token({ name: 'later', expiresOn: '2026-09-01' }),
        token({ name: 'gone', status: 'revoked' }),
        token({ name: 'old', expiresOn: '2026-01-01', status: 'expired' }),
        token({ name: 'soon', expiresOn: '2026-03-05' }),
      ],
      TODAY,
    );
    expect(ranked.map((s) => [s.token.name, s.status])).toEqual([
      ['old', 'expired'],
      ['soon', 'expiring'],
      ['later', 'ok'],
    ]);
  });
});

describe('selectOpenRequests', () => {
  const req = (over: Partial<TokenRequest>): TokenRequest => ({
    id: 'raaaaaaaaaaaaaaaa',
    requesterId: 'U1',
    status: 'approved',
    presetId: 'custom',
    name: 'x',
    expiresOn: '2026-05-01',
    scopes: ['read:repository:bitbucket'],
    createdAt: 0,
    updatedAt: 0,
    ...over,
  });
  it('keeps requests waiting for approval or for the token, not decided or stale ones', () => {
    const open = selectOpenRequests(
      [
        req({ name: 'waiting', status: 'pending_approval' }),
        req({ name: 'to-create' }),
        req({ name: 'done', status: 'created', tokenId: 'taaaaaaaaaaaaaaaa' }),
        req({ name: 'rejected', status: 'rejected' }),
        req({ name: 'stale', expiresOn: '2026-02-01' }),
      ],
      TODAY,
    );
    expect(open.map((r) => r.name)).toEqual(['waiting', 'to-create']);
  });
});

describe('summariseOrganisation', () => {
  it('counts risk of unexpired tokens, lists those expiring within 30 days and those whose owner is gone', () => {
    const tokens = [
      token({ name: 'admin', scopes: ['admin:repository:bitbucket'], expiresOn: '2026-03-10' }),
      token({ name: 'write', ownerId: 'ULEFT', scopes: ['read:repository:bitbucket', 'write:repository:bitbucket'] }),
      token({ name: 'read', expiresOn: '2026-12-01' }),
      token({ name: 'expired', expiresOn: '2026-02-01', scopes: ['admin:repository:bitbucket'] }),
      token({ name: 'revoked', ownerId: 'ULEFT', status: 'revoked' }),
    ];
    const org = summariseOrganisation(tokens, TODAY, new Set(['ULEFT']));
    expect(org.total).toBe(4);
    expect(org.riskCounts.high + org.riskCounts.medium + org.riskCounts.low).toBe(3);
    expect(org.riskCounts.high).toBeGreaterThanOrEqual(1);
    expect(org.expiringSoon.map((s) => s.token.name)).toEqual(['admin']);
    expect(org.ownerGone.map((s) => s.token.name)).toEqual(['write']);
    expect(listLiveOwners(tokens)).toEqual(['U1', 'ULEFT']);
    expect(org.unknownScopes).toBe(0);
  });

  it('counts tokens with unknown scopes (found by the organization sync) apart from the risk levels', () => {
    const tokens = [
      token({ name: 'found', scopes: [], source: 'atlassian' }),
      token({ name: 'found expired', scopes: [], source: 'atlassian', expiresOn: '2026-02-01' }),
      token({ name: 'read' }),
    ];
    const org = summariseOrganisation(tokens, TODAY, new Set());
    expect(org.unknownScopes).toBe(1);
    expect(org.riskCounts).toEqual({ low: 1, medium: 0, high: 0 });
  });
});
