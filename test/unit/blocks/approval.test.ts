import { describe, expect, it } from 'vitest';
import {
  buildApprovalMessage,
  buildClosedDm,
  buildNarrowModal,
  buildPendingDm,
  buildRejectModal,
  describeApprovers,
} from '../../../src/blocks/approval.js';
import { SCOPES } from '../../../src/domain/scopes.js';
import type { TokenRequest } from '../../../src/domain/types.js';
import { checkSurface } from '../../support/block-kit-limits.js';

const worst: TokenRequest = {
  id: 'rabcdefghijklmnop',
  requesterId: 'U1',
  status: 'pending_approval',
  presetId: 'custom',
  name: 'n'.repeat(100),
  expiresOn: '2027-01-01',
  scopes: SCOPES.map((s) => s.name),
  workspace: 'w'.repeat(62),
  purpose: '<b>&'.repeat(750),
  reviewReasons: ['a'.repeat(500), 'b'.repeat(500)],
  createdAt: 1,
  updatedAt: 1,
};

describe('approval blocks', () => {
  it('stay within Block Kit limits for the largest possible request, in every state', () => {
    for (const status of ['pending_approval', 'approved', 'rejected', 'cancelled', 'expired'] as const) {
      const request = {
        ...worst,
        status,
        decidedBy: 'U2',
        decidedAt: 1_800_000_000_000,
        reason: 'r'.repeat(2000),
        approvedScopes: [SCOPES[0]!.name],
      };
      expect(checkSurface('message', buildApprovalMessage(request)), status).toEqual([]);
    }
    expect(
      checkSurface('message', buildPendingDm(worst, 'https://x.slack.com/archives/C1/p1', { userIds: ['U1', 'U2'], usergroupId: 'S1' })),
    ).toEqual([]);
    expect(checkSurface('message', buildClosedDm({ ...worst, status: 'rejected', decidedBy: 'U2', reason: 'r'.repeat(2000) }))).toEqual([]);
    expect(checkSurface('modal', buildRejectModal(worst))).toEqual([]);
    expect(checkSurface('modal', buildNarrowModal(worst))).toEqual([]);
  });

  it('escapes the justification and shows buttons only while pending', () => {
    const pending = JSON.stringify(buildApprovalMessage(worst).blocks);
    expect(pending).toContain('&lt;b&gt;&amp;');
    expect(pending).toContain('approval_approve');
    expect(JSON.stringify(buildApprovalMessage({ ...worst, status: 'approved', decidedBy: 'U2' }).blocks)).not.toContain(
      'approval_approve',
    );
  });

  it('names the approvers', () => {
    expect(describeApprovers({ userIds: [] })).toMatch(/nobody/);
    expect(describeApprovers({ userIds: ['U1'] })).toBe('<@U1>');
    expect(describeApprovers({ userIds: ['U1', 'U2'], usergroupId: 'S1' })).toBe('<@U1>, <@U2> or members of <!subteam^S1>');
  });
});
