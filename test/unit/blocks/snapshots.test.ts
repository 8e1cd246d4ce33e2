import { describe, expect, it } from 'vitest';
import { buildRequestModal } from '../../../src/blocks/request-modal.js';
import { buildChecklistMessage } from '../../../src/blocks/checklist.js';
import { buildReminderMessage } from '../../../src/blocks/reminders.js';
import { buildApprovalMessage } from '../../../src/blocks/approval.js';
import { buildHomeView } from '../../../src/blocks/home.js';
import { buildChecklist } from '../../../src/domain/checklist.js';
import { assessRequest, DEFAULT_APPROVAL_POLICY } from '../../../src/domain/approval-policy.js';
import { rankTokens, summariseOrganisation } from '../../../src/domain/inventory.js';
import type { TokenRecord, TokenRequest } from '../../../src/domain/types.js';
import { checkSurface } from '../../support/block-kit-limits.js';

/**
 * The whole of each main surface, as Slack receives it, pinned by a file snapshot
 * (__snapshots__/snapshots.test.ts.snap): any change to a view shows up in review as a diff of
 * the JSON, not only where a substring test happens to look. Every input is fixed, including
 * the clock (NOW) and the time zones, so the output never depends on when the test runs.
 * After an intended change: `npx vitest run test/unit/blocks/snapshots.test.ts -u`, and read the diff.
 */

/** 2026-03-02 09:30 UTC, a Monday. */
const NOW = Date.UTC(2026, 2, 2, 9, 30);
const TODAY = '2026-03-02';

const request: TokenRequest = {
  id: 'rsnapshot0000001',
  requesterId: 'UREQUESTER',
  status: 'pending_approval',
  presetId: 'custom',
  name: 'Release pipeline <prod> & co',
  expiresOn: '2026-08-31',
  scopes: ['read:repository:bitbucket', 'write:repository:bitbucket', 'admin:repository:bitbucket'],
  workspace: 'acme-eng',
  purpose: 'Creates release branches and tags; *needs* admin for branch restrictions.',
  reviewReasons: assessRequest({ scopes: ['admin:repository:bitbucket'], expiresOn: '2026-08-31' }, DEFAULT_APPROVAL_POLICY, TODAY).reasons,
  createdAt: NOW - 3600_000,
  updatedAt: NOW - 3600_000,
};

const token = (id: string, ownerId: string, name: string, expiresOn: string, scopes: string[]): TokenRecord => ({
  id,
  ownerId,
  name,
  scopes,
  workspace: 'acme-eng',
  expiresOn,
  createdAt: NOW - 30 * 86_400_000,
  status: 'active',
  purpose: 'Snapshot fixture',
});

const tokens: TokenRecord[] = [
  token('tsnapshot0000001', 'UOWNER', 'Renovate', '2026-03-09', [
    'read:repository:bitbucket',
    'write:repository:bitbucket',
    'read:pullrequest:bitbucket',
    'write:pullrequest:bitbucket',
  ]),
  token('tsnapshot0000002', 'UOWNER', 'CI read-only', '2026-11-30', ['read:repository:bitbucket']),
  token('tsnapshot0000003', 'UOWNER', 'Old deploy key', '2026-02-20', ['read:repository:bitbucket']),
  token('tsnapshot0000004', 'ULEFT', 'Admin script', '2026-03-20', ['read:repository:bitbucket', 'admin:repository:bitbucket']),
];

describe('views and messages, pinned by snapshots', () => {
  it('request modal: a preset filled in, with the policy notice for a selection that needs review', () => {
    const view = buildRequestModal({
      presetId: 'custom',
      name: request.name,
      expiresOn: request.expiresOn,
      scopes: request.scopes,
      workspace: request.workspace,
      purpose: request.purpose,
      review: { ...assessRequest(request, DEFAULT_APPROVAL_POLICY, TODAY), configured: true },
      metadata: { channelId: 'C0SNAPSHOT', responseUrl: 'https://hooks.slack.com/commands/T0/1/abc', revision: 2 },
    });
    expect(checkSurface('modal', view)).toEqual([]);
    expect(view).toMatchSnapshot();
  });

  it('request modal: as /bitbucket-token opens it, empty', () => {
    const view = buildRequestModal({ presetId: 'custom', expiresOn: '2026-05-31', scopes: [], metadata: { revision: 0 } });
    expect(view).toMatchSnapshot();
  });

  it("checklist DM, approved, with the days left counted in the requester's zone", () => {
    const checklist = buildChecklist(
      { name: request.name, expiresOn: request.expiresOn, scopes: [...request.scopes], workspace: request.workspace },
      { now: new Date(NOW), timeZone: 'Europe/Berlin' },
    );
    const message = buildChecklistMessage(checklist, {
      requestId: request.id,
      tokenName: request.name,
      approvedNote: 'Approved by <@UAPPROVER>.',
    });
    expect(checkSurface('message', message)).toEqual([]);
    expect(message).toMatchSnapshot();
  });

  it('reminder DM, 7 days before expiry, for an owner in New York', () => {
    const message = buildReminderMessage({ token: tokens[0]!, threshold: 7, tz: 'America/New_York', now: NOW });
    expect(checkSurface('message', message)).toEqual([]);
    expect(message).toMatchSnapshot();
  });

  it('approval parent message, pending and then approved with fewer scopes', () => {
    const pending = buildApprovalMessage(request);
    expect(checkSurface('message', pending)).toEqual([]);
    expect(pending).toMatchSnapshot('pending');
    const approved = buildApprovalMessage({
      ...request,
      status: 'approved',
      decidedBy: 'UAPPROVER',
      decidedAt: NOW,
      approvedScopes: ['read:repository:bitbucket', 'write:repository:bitbucket'],
    });
    expect(approved).toMatchSnapshot('approved');
  });

  it('App Home of an admin approver: own tokens, open requests, the approval queue and the organisation', () => {
    const mine = tokens.filter((t) => t.ownerId === 'UOWNER');
    const view = buildHomeView({
      tokens: rankTokens(mine, TODAY),
      openRequests: [
        { ...request, requesterId: 'UOWNER', status: 'approved', id: 'rsnapshot0000002', name: 'Checklist sent, token not created yet' },
      ],
      approvalQueue: [request],
      org: summariseOrganisation(tokens, TODAY, new Set(['ULEFT'])),
    });
    expect(checkSurface('home', view)).toEqual([]);
    expect(view).toMatchSnapshot();
  });
});
