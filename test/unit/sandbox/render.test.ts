import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAdvisorModal, type AdvisorModalMetadata } from '../../../src/blocks/advisor-modal.js';
import {
  buildApprovalMessage,
  buildClosedDm,
  buildNarrowModal,
  buildNudge,
  buildPendingDm,
  buildRefusalModal,
  buildRejectModal,
  buildThreadNote,
} from '../../../src/blocks/approval.js';
import { buildChecklistMessage } from '../../../src/blocks/checklist.js';
import { buildHomeView } from '../../../src/blocks/home.js';
import { buildTokenListMessage } from '../../../src/blocks/inventory.js';
import { buildBusyMessage, buildHelpMessage, buildLeakWarning, buildSecretWarning } from '../../../src/blocks/messages.js';
import { buildRecordModal } from '../../../src/blocks/record-modal.js';
import { buildOrphanReminderMessage, buildReminderMessage, buildRotatedModal } from '../../../src/blocks/reminders.js';
import { buildRequestModal } from '../../../src/blocks/request-modal.js';
import { assessRequest, DEFAULT_APPROVAL_POLICY } from '../../../src/domain/approval-policy.js';
import { buildChecklist } from '../../../src/domain/checklist.js';
import { rankTokens, summariseOrganisation } from '../../../src/domain/inventory.js';
import type { TokenRecord, TokenRequest } from '../../../src/domain/types.js';
import { mrkdwn, RENDERED_BLOCKS, RENDERED_ELEMENTS, renderBlocks } from '../../../src/sandbox/page/render.js';

/**
 * The sandbox page's Block Kit renderer against what the bot really sends: every surface its
 * builders produce renders without an "unsupported" marker, and every Block Kit type named in
 * src/blocks is one the renderer draws, so a new block or element type fails here first.
 */

const NOW = Date.UTC(2026, 2, 2, 9, 30);
const TODAY = '2026-03-02';
const request: TokenRequest = {
  id: 'rrender000000001',
  requesterId: 'UREQ',
  status: 'pending_approval',
  presetId: 'custom',
  name: 'Release <bot> & co',
  expiresOn: '2026-08-31',
  scopes: ['read:repository:bitbucket', 'admin:repository:bitbucket'],
  workspace: 'acme',
  purpose: 'Branch restrictions',
  reviewReasons: assessRequest({ scopes: ['admin:repository:bitbucket'], expiresOn: '2026-08-31' }, DEFAULT_APPROVAL_POLICY, TODAY).reasons,
  createdAt: NOW,
  updatedAt: NOW,
};
const token: TokenRecord = {
  id: 'trender000000001',
  ownerId: 'UREQ',
  name: 'Renovate',
  scopes: ['read:repository:bitbucket'],
  workspace: 'acme',
  expiresOn: '2026-03-09',
  createdAt: NOW - 86_400_000,
  status: 'active',
};
const approvers = { userIds: ['UAPP'] };

type Surface = { blocks?: unknown; text?: string };
const surfaces: Record<string, Surface> = {
  requestModalEmpty: buildRequestModal({ presetId: 'custom', expiresOn: '2026-05-31', scopes: [], metadata: { revision: 0 } }),
  requestModalReview: buildRequestModal({
    presetId: 'custom',
    name: request.name,
    expiresOn: request.expiresOn,
    scopes: request.scopes,
    review: { ...assessRequest(request, DEFAULT_APPROVAL_POLICY, TODAY), configured: true },
    metadata: { revision: 1 },
  }),
  advisorModal: buildAdvisorModal({
    selected: [],
    metadata: { rootViewId: 'V1', userId: 'UREQ', root: {} } as unknown as AdvisorModalMetadata,
  }),
  recordModal: buildRecordModal(),
  rotatedModal: buildRotatedModal(token, '2026-06-01', { tokenId: token.id }),
  rejectModal: buildRejectModal(request),
  narrowModal: buildNarrowModal(request),
  refusalModal: buildRefusalModal('Not allowed.'),
  checklist: buildChecklistMessage(
    buildChecklist(
      { name: request.name, expiresOn: request.expiresOn, scopes: [...request.scopes], workspace: 'acme' },
      { now: new Date(NOW), timeZone: 'UTC' },
    ),
    { requestId: request.id, tokenName: request.name },
  ),
  approval: buildApprovalMessage(request),
  threadNote: buildThreadNote({ ...request, status: 'approved', decidedBy: 'UAPP', decidedAt: NOW }),
  nudge: buildNudge(request, approvers),
  pendingDm: buildPendingDm(request, 'https://acme.slack.test/archives/C1/p1', approvers),
  closedDm: buildClosedDm({ ...request, status: 'rejected', decidedBy: 'UAPP', decidedAt: NOW, reason: 'too broad' }),
  reminder: buildReminderMessage({ token, threshold: 7, tz: 'UTC', now: NOW }),
  orphanReminder: buildOrphanReminderMessage({ token, threshold: 7, tz: 'UTC', now: NOW }),
  home: buildHomeView({
    tokens: rankTokens([token], TODAY),
    openRequests: [request],
    approvalQueue: [request],
    org: summariseOrganisation([token], TODAY, new Set()),
  }),
  tokenList: buildTokenListMessage(rankTokens([token], TODAY)),
  help: buildHelpMessage(),
  secretWarning: buildSecretWarning(),
  busy: buildBusyMessage('/bitbucket-token DeepTraQ'),
  leakWarning: buildLeakWarning(1),
};

function typesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) typesIn(v, found);
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (typeof o['type'] === 'string') found.add(o['type']);
    for (const v of Object.values(o)) typesIn(v, found);
  }
  return found;
}

const SURFACE_TYPES = new Set(['modal', 'home', 'plain_text_input_state']);
const drawn = new Set([...RENDERED_BLOCKS, ...RENDERED_ELEMENTS]);

describe('the sandbox renderer', () => {
  it.each(Object.entries(surfaces))('draws every block of %s', (_name, surface) => {
    // Text-only messages are drawn from their mrkdwn text.
    const html = surface.blocks ? renderBlocks(surface.blocks, { idPrefix: 't', emoji: { warning: '⚠️' } }) : mrkdwn(surface.text);
    expect(html).not.toContain('data-unsupported');
    expect(html.length).toBeGreaterThan(0);
    // Every input is labelled by its label: a <label for> naming an element that exists, or a group labelled by it.
    for (const [, id] of html.matchAll(/<label class="label" id="[^"]+" for="([^"]+)"/g)) expect(html).toContain(`id="${id}"`);
    for (const [, id] of html.matchAll(/<span class="label" id="([^"]+)"/g)) expect(html).toContain(`aria-labelledby="${id}"`);
  });

  it('draws every Block Kit type the builders use and every type named in src/blocks', () => {
    const used = new Set<string>();
    for (const surface of Object.values(surfaces)) typesIn(surface.blocks, used);
    const dir = resolve(import.meta.dirname, '../../../src/blocks');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const [, type] of readFileSync(join(dir, file), 'utf8').matchAll(/type: '([a-z_]+)'/g)) used.add(type!);
    }
    const missing = [...used].filter((t) => !drawn.has(t) && !SURFACE_TYPES.has(t));
    expect(missing).toEqual([]);
  });

  it('renders mrkdwn: bold, italic, strike, code, links, mentions, quotes and emoji, escaping the rest', () => {
    const ctx = { emoji: { white_check_mark: '✅' }, userName: (id: string) => (id === 'U1' ? 'Riya' : id) };
    expect(mrkdwn('*bold* _it_ ~old~ `x<y`', ctx)).toBe('<strong>bold</strong> <em>it</em> <del>old</del> <code>x&lt;y</code>');
    expect(mrkdwn('<https://a.test/x?a=1&amp;b=2|the *docs*> by <@U1>', ctx)).toBe(
      '<a href="https://a.test/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">the <strong>docs</strong></a> by <span class="mention">@Riya</span>',
    );
    expect(mrkdwn(':white_check_mark: done :not_an_emoji:', ctx)).toBe(
      '<span class="emoji" role="img" aria-label="white check mark">✅</span> done :not_an_emoji:',
    );
    expect(mrkdwn('&gt; quoted\nnext', ctx)).toBe('<blockquote>quoted</blockquote><br>next');
    expect(mrkdwn('<javascript:alert(1)|x> <img src=x onerror=alert(1)> "q"', ctx)).toBe('x img src=x onerror=alert(1) &quot;q&quot;');
  });

  it('keeps what a person typed (values by block and action id) and shows errors under their field', () => {
    const view = buildRecordModal();
    const blocks = view.blocks as Array<{ type: string; block_id?: string; element?: { action_id?: string } }>;
    const input = blocks.find((b) => b.type === 'input' && b.element)!;
    const html = renderBlocks(view.blocks, {
      idPrefix: 'r',
      values: { [input.block_id!]: { [input.element!.action_id!]: 'typed <here>' } },
      errors: { [input.block_id!]: 'Give the token a name' },
    });
    expect(html).toContain('typed &lt;here&gt;');
    expect(html).toMatch(/aria-invalid="true"[^>]*>|role="alert">Give the token a name/);
    expect(html).toContain('role="alert">Give the token a name</div>');
  });
});
