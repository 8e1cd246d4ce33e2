import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assessRequest, riskyScopes, DEFAULT_APPROVAL_POLICY, type ApprovalPolicy } from '../../../src/domain/approval-policy.js';
import { addDays } from '../../../src/domain/dates.js';
import { SCOPES } from '../../../src/domain/scopes.js';

const today = '2026-03-01';
const risky: ApprovalPolicy = DEFAULT_APPROVAL_POLICY;
const read = ['read:repository:bitbucket'];

describe('assessRequest', () => {
  it('auto-approves read/write scopes with an expiry up to 90 days', () => {
    const verdict = assessRequest({ scopes: [...read, 'write:repository:bitbucket'], expiresOn: addDays(today, 90) }, risky, today);
    expect(verdict).toEqual({ needsApproval: false, reasons: [] });
  });

  it.each([
    ['admin:repository:bitbucket'],
    ['delete:repository:bitbucket'],
    ['admin:workspace:bitbucket'],
    ['delete:issue:bitbucket'],
    ['write:permission:bitbucket'],
    ['delete:permission:bitbucket'],
  ])('flags %s', (scope) => {
    const verdict = assessRequest({ scopes: [...read, scope], expiresOn: addDays(today, 30) }, risky, today);
    expect(verdict.needsApproval).toBe(true);
    expect(verdict.reasons.join(' ')).toContain(scope);
  });

  it('flags an expiry more than the configured days ahead, and only then', () => {
    expect(assessRequest({ scopes: read, expiresOn: addDays(today, 91) }, risky, today)).toMatchObject({
      needsApproval: true,
      reasons: [expect.stringMatching(/91 days/)],
    });
    expect(assessRequest({ scopes: read, expiresOn: addDays(today, 31) }, { mode: 'risky', maxDays: 30 }, today).needsApproval).toBe(true);
    expect(assessRequest({ scopes: read, expiresOn: addDays(today, 30) }, { mode: 'risky', maxDays: 30 }, today).needsApproval).toBe(false);
  });

  it('gives one reason per cause', () => {
    const verdict = assessRequest(
      { scopes: ['admin:repository:bitbucket', 'delete:repository:bitbucket'], expiresOn: addDays(today, 200) },
      risky,
      today,
    );
    expect(verdict.reasons).toHaveLength(2);
    expect(verdict.reasons[0]).toMatch(/Scopes admin:repository:bitbucket, delete:repository:bitbucket are high risk/);
  });

  it('mode none never asks; mode all always asks, with a reason', () => {
    const riskyRequest = { scopes: ['admin:repository:bitbucket'], expiresOn: addDays(today, 300) };
    expect(assessRequest(riskyRequest, { mode: 'none', maxDays: 90 }, today)).toEqual({ needsApproval: false, reasons: [] });
    const all = assessRequest({ scopes: read, expiresOn: addDays(today, 10) }, { mode: 'all', maxDays: 90 }, today);
    expect(all.needsApproval).toBe(true);
    expect(all.reasons).toEqual([expect.stringMatching(/APPROVAL_POLICY=all/)]);
  });

  it('ignores an unreadable expiry instead of throwing', () => {
    expect(assessRequest({ scopes: read, expiresOn: 'soon' }, risky, today).needsApproval).toBe(false);
  });

  it('in risky mode, needs approval exactly when a scope is high risk or the expiry is too far', () => {
    fc.assert(
      fc.property(fc.subarray(SCOPES.map((s) => s.name)), fc.integer({ min: 1, max: 365 }), (scopes, days) => {
        const verdict = assessRequest({ scopes, expiresOn: addDays(today, days) }, risky, today);
        const expected = scopes.some((s) => SCOPES.find((d) => d.name === s)!.risk === 'high') || days > 90;
        expect(verdict.needsApproval).toBe(expected);
        expect(verdict.reasons.length > 0).toBe(expected);
      }),
    );
  });
});

describe('riskyScopes', () => {
  it('keeps admin, delete and write:permission, in the given order', () => {
    expect(
      riskyScopes(['read:repository:bitbucket', 'write:permission:bitbucket', 'admin:project:bitbucket', 'write:repository:bitbucket']),
    ).toEqual(['write:permission:bitbucket', 'admin:project:bitbucket']);
  });
});
