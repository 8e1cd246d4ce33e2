import { describe, expect, it } from 'vitest';
import { buildOrphanReminderMessage, buildReminderMessage } from '../../../src/blocks/reminders.js';
import { ownerMention } from '../../../src/blocks/text.js';
import { UNKNOWN_OWNER_ID } from '../../../src/domain/org-sync.js';
import type { TokenRecord } from '../../../src/domain/types.js';

const NOW = Date.UTC(2026, 2, 2, 10);
const token: TokenRecord = {
  id: 'treminder0000001',
  ownerId: 'UREQ',
  name: 'Renovate',
  scopes: [],
  workspace: 'acme',
  expiresOn: '2026-03-09',
  createdAt: NOW - 86_400_000,
  status: 'active',
};
// Found by the organization sync; no Slack member has its Atlassian email.
const unowned: TokenRecord = {
  ...token,
  ownerId: UNKNOWN_OWNER_ID,
  atlassian: { orgId: 'org', id: 'tok-1', expiryKnown: true, seenAt: NOW, ownerEmail: 'carol<x>@elsewhere.example' },
};

describe('who owns a token, in message text', () => {
  it('mentions a Slack owner', () => {
    expect(ownerMention(token)).toBe('<@UREQ>');
  });

  it('names the Atlassian email of an owner not in Slack instead of mentioning the placeholder id', () => {
    expect(ownerMention(unowned)).toBe('carol&lt;x&gt;@elsewhere.example (not in Slack)');
    expect(ownerMention({ ownerId: UNKNOWN_OWNER_ID })).toBe('an owner not in Slack');
  });

  it('asks the fallback channel about a token whose owner was never in Slack, without an unknown-user mention', () => {
    const text = buildOrphanReminderMessage({ token: unowned, threshold: 7, tz: 'UTC', now: NOW }).text;
    expect(text).not.toContain(UNKNOWN_OWNER_ID);
    expect(text).toContain('carol&lt;x&gt;@elsewhere.example (not in Slack)');
    expect(text).toContain('no member of this workspace has that email');
    expect(buildOrphanReminderMessage({ token, threshold: 7, tz: 'UTC', now: NOW }).text).toContain(
      '<@UREQ> owned the Bitbucket API token *Renovate*',
    );
  });

  it('names the owner in a team channel copy the same way', () => {
    const text = buildReminderMessage({ token: unowned, threshold: 7, tz: 'UTC', now: NOW, audience: 'channel' }).text;
    expect(text).toContain('(owner carol&lt;x&gt;@elsewhere.example (not in Slack))');
  });
});
