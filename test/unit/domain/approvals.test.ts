import { describe, expect, it } from 'vitest';
import { applyDecision, checkNarrowedScopes, removedScopes } from '../../../src/domain/approvals.js';
import type { TokenRequest } from '../../../src/domain/types.js';

const request: TokenRequest = {
  id: 'rabcdefghijklmnop',
  requesterId: 'U1',
  status: 'pending_approval',
  presetId: 'custom',
  name: 'Admin bot',
  expiresOn: '2026-06-01',
  scopes: ['read:repository:bitbucket', 'write:repository:bitbucket', 'admin:repository:bitbucket'],
  createdAt: 1,
  updatedAt: 1,
};

describe('applyDecision', () => {
  it('approves for another user, granting the requested scopes', () => {
    const result = applyDecision(request, { kind: 'approve', by: 'U2' }, 5);
    expect(result).toEqual({
      ok: true,
      next: expect.objectContaining({ status: 'approved', decidedBy: 'U2', decidedAt: 5, updatedAt: 5, approvedScopes: request.scopes }),
    });
  });

  it('refuses self-approval and self-rejection', () => {
    expect(applyDecision(request, { kind: 'approve', by: 'U1' }, 5)).toEqual({ ok: false, refusal: 'own_request' });
    expect(applyDecision(request, { kind: 'reject', by: 'U1', reason: 'x' }, 5)).toEqual({ ok: false, refusal: 'own_request' });
  });

  it('refuses any decision once the request is no longer pending', () => {
    for (const status of ['approved', 'rejected', 'cancelled', 'expired', 'created'] as const) {
      const decided = { ...request, status };
      expect(applyDecision(decided, { kind: 'approve', by: 'U2' }, 5)).toEqual({ ok: false, refusal: 'not_pending' });
      expect(applyDecision(decided, { kind: 'cancel', by: 'U1' }, 5)).toEqual({ ok: false, refusal: 'not_pending' });
      expect(applyDecision(decided, { kind: 'expire' }, 5)).toEqual({ ok: false, refusal: 'not_pending' });
    }
  });

  it('narrows to a valid subset and refuses an invalid one', () => {
    const narrowed = applyDecision(
      request,
      { kind: 'approve', by: 'U2', scopes: ['write:repository:bitbucket', 'read:repository:bitbucket'] },
      5,
    );
    expect(narrowed.ok && narrowed.next.approvedScopes).toEqual(['read:repository:bitbucket', 'write:repository:bitbucket']);
    expect(applyDecision(request, { kind: 'approve', by: 'U2', scopes: ['write:repository:bitbucket'] }, 5)).toEqual({
      ok: false,
      refusal: 'bad_scopes',
    });
  });

  it('lets only the requester cancel; rejection keeps the reason; expiry needs nobody', () => {
    expect(applyDecision(request, { kind: 'cancel', by: 'U2' }, 5)).toEqual({ ok: false, refusal: 'not_requester' });
    expect(applyDecision(request, { kind: 'cancel', by: 'U1' }, 5)).toMatchObject({
      ok: true,
      next: { status: 'cancelled', decidedBy: 'U1' },
    });
    expect(applyDecision(request, { kind: 'reject', by: 'U2', reason: 'too broad' }, 5)).toMatchObject({
      ok: true,
      next: { status: 'rejected', reason: 'too broad' },
    });
    const expired = applyDecision(request, { kind: 'expire' }, 5);
    expect(expired).toMatchObject({ ok: true, next: { status: 'expired', decidedAt: 5 } });
    expect(expired.ok && expired.next.decidedBy).toBeUndefined();
  });
});

describe('checkNarrowedScopes', () => {
  it('refuses an empty set, unrequested scopes and write without read', () => {
    expect(checkNarrowedScopes(request.scopes, [])).toHaveProperty('error');
    expect(checkNarrowedScopes(request.scopes, ['delete:repository:bitbucket'])).toEqual({
      error: expect.stringContaining('delete:repository:bitbucket'),
    });
    expect(checkNarrowedScopes(request.scopes, ['write:repository:bitbucket'])).toEqual({
      error: expect.stringContaining('read:repository:bitbucket'),
    });
    expect(checkNarrowedScopes(request.scopes, ['read:repository:bitbucket', 'read:repository:bitbucket'])).toEqual({
      scopes: ['read:repository:bitbucket'],
    });
  });

  it('keeps permission scopes with their admin scope, and approves a write alone when that is what was asked', () => {
    const asked = ['admin:repository:bitbucket', 'write:permission:bitbucket', 'write:pipeline:bitbucket'];
    expect(checkNarrowedScopes(asked, ['write:permission:bitbucket'])).toEqual({
      error: expect.stringContaining('only works together with admin:repository:bitbucket'),
    });
    expect(checkNarrowedScopes(asked, ['write:pipeline:bitbucket'])).toEqual({ scopes: ['write:pipeline:bitbucket'] });
  });

  it('never echoes a selected value that is not a scope (found by the approval-modal fuzz)', () => {
    const token = `ATATT3${'x'.repeat(40)}`;
    const result = checkNarrowedScopes(request.scopes, [
      'read:repository:bitbucket',
      token,
      'y'.repeat(20_000),
      'delete:repository:bitbucket',
    ]);
    expect(result).toEqual({ error: 'Only requested scopes can be approved; not delete:repository:bitbucket, 2 unknown values.' });
  });

  it('lists the removed scopes', () => {
    expect(removedScopes({ scopes: request.scopes, approvedScopes: ['read:repository:bitbucket'] })).toEqual([
      'write:repository:bitbucket',
      'admin:repository:bitbucket',
    ]);
    expect(removedScopes({ scopes: request.scopes })).toEqual([]);
  });
});
