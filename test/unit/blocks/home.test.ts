import { describe, expect, it } from 'vitest';
import { buildHomeView, HOME_MAX_BLOCKS } from '../../../src/blocks/home.js';
import { buildTokenListMessage } from '../../../src/blocks/inventory.js';
import { rankTokens, summariseOrganisation } from '../../../src/domain/inventory.js';
import { SCOPES } from '../../../src/domain/scopes.js';
import type { TokenRecord, TokenRequest } from '../../../src/domain/types.js';
import { addDays } from '../../../src/domain/dates.js';
import { checkSurface } from '../../support/block-kit-limits.js';
import { ACTION } from '../../../src/blocks/ids.js';

const TODAY = '2026-03-01';
const ALL_SCOPES = SCOPES.map((s) => s.name);

function manyTokens(n: number, ownerId = 'U1'): TokenRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${String(i).padStart(16, 'a').replace(/\d/g, 'b')}`,
    ownerId: i % 7 === 0 ? 'ULEFT' : ownerId,
    name: `Integration <${i}> & ${'long name '.repeat(8)}`.slice(0, 100),
    scopes: ALL_SCOPES,
    workspace: 'acme-engineering',
    expiresOn: addDays(TODAY, (i % 400) - 30),
    createdAt: i,
    status: 'active' as const,
  }));
}

function manyRequests(n: number): TokenRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 'raaaaaaaaaaaaaaaa',
    requesterId: `U${i}`,
    status: 'pending_approval' as const,
    presetId: 'custom',
    name: `Request ${i} ${'x'.repeat(90)}`,
    expiresOn: '2026-06-01',
    scopes: ALL_SCOPES,
    createdAt: i,
    updatedAt: i,
  }));
}

const texts = (view: { blocks: unknown[] }) => JSON.stringify(view.blocks);

describe('buildHomeView', () => {
  it('stays within 100 blocks and every Home limit for 500 tokens, requests and an admin view', () => {
    const tokens = manyTokens(500);
    const view = buildHomeView({
      tokens: rankTokens(tokens, TODAY),
      openRequests: manyRequests(200),
      approvalQueue: manyRequests(300),
      org: summariseOrganisation(tokens, TODAY, new Set(['ULEFT'])),
    }) as { type: string; blocks: unknown[] };
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    expect(checkSurface('home', view)).toEqual([]);
    expect(texts(view)).toContain('…and 485 more');
    // Names are user text: escaped, never raw mrkdwn control characters.
    expect(texts(view)).toContain('Integration &lt;0&gt; &amp;');
    expect(texts(view)).toContain('Owner no longer in Slack (72)');
  });

  it('shows an empty state with both buttons for a new user and no admin or approver sections', () => {
    const view = buildHomeView({ tokens: [], openRequests: [] }) as { blocks: unknown[] };
    const json = texts(view);
    expect(json).toContain('no recorded tokens');
    expect(json).toContain(ACTION.homeNewRequest);
    expect(json).toContain(ACTION.homeRecordExisting);
    expect(json).not.toContain('Organisation');
    expect(json).not.toContain('Waiting for your approval');
    expect(checkSurface('home', view)).toEqual([]);
  });

  it('renders the approval queue when given, with the requester', () => {
    const json = texts(buildHomeView({ tokens: [], openRequests: [], approvalQueue: manyRequests(1) }) as { blocks: unknown[] });
    expect(json).toContain('Waiting for your approval (1)');
    expect(json).toContain('from <@U0>');
  });
});

describe('buildTokenListMessage', () => {
  it('keeps a 500-token list within a message’s 50 blocks and says how many were left out', () => {
    const msg = buildTokenListMessage(rankTokens(manyTokens(500), TODAY));
    expect(msg.blocks!.length).toBeLessThanOrEqual(50);
    expect(checkSurface('message', msg)).toEqual([]);
    expect(JSON.stringify(msg.blocks)).toContain('…and 455 more');
    expect(msg.text).toContain('500 tokens');
  });
});
