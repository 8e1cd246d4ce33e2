import { describe, expect, it } from 'vitest';
import { LIMITS, buildChecklistMessage } from '../../../src/blocks/checklist.js';
import { buildChecklist } from '../../../src/domain/checklist.js';
import { SCOPES } from '../../../src/domain/scopes.js';
import { ACTION, BLOCK } from '../../../src/blocks/ids.js';

type Block = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<Record<string, unknown> & { text: { text: string } }>;
};

function checkLimits(msg: { text: string; blocks: object[] }) {
  const blocks = msg.blocks as Block[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  const ids = blocks.map((b) => b.block_id).filter(Boolean);
  expect(new Set(ids).size).toBe(ids.length);
  expect(msg.text.length).toBeLessThanOrEqual(4000);
  for (const b of blocks) {
    if (b.type === 'header') expect(b.text?.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'section') {
      expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
  }
  return blocks;
}

describe('buildChecklistMessage', () => {
  const checklist = buildChecklist({
    name: 'DeepTraQ Bitbucket Integration',
    expiresOn: '2026-05-29',
    scopes: ['read:repository:bitbucket', 'write:repository:bitbucket'],
    workspace: 'acme-eng',
  });

  it('renders header, all 14 steps, fields, warning and the record button', () => {
    const msg = buildChecklistMessage(checklist, {
      requestId: 'req_123',
      tokenName: 'DeepTraQ Bitbucket Integration',
      approvedNote: 'Approved by <@U999>.',
    });
    const blocks = checkLimits(msg);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Your Bitbucket API token checklist' } });
    const all = JSON.stringify(blocks);
    for (let n = 1; n <= 14; n++) expect(all).toContain(`${n}. `);
    const stepText = blocks
      .filter((b) => b.block_id?.startsWith('checklist_steps'))
      .map((b) => b.text?.text ?? '')
      .join('\n');
    const order = [...stepText.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(all).toContain('Fri 29 May 2026');
    expect(stepText).toContain('`read:repository:bitbucket`, `write:repository:bitbucket`');
    expect(blocks[1]?.text?.text).toContain('Approved by <@U999>.');

    const fieldsBlock = blocks.find((b) => b.fields);
    expect(fieldsBlock?.fields?.map((f) => f.text.split('\n')[0])).toEqual([
      '*Token Name*',
      '*Expiration Date*',
      '*Token Type*',
      '*Scopes*',
      '*Repository Access*',
      '*Workspace*',
    ]);
    expect(all).toMatch(/only once/);

    const actions = blocks.at(-1);
    expect(actions).toMatchObject({ type: 'actions', block_id: BLOCK.checklistActions });
    expect(actions?.elements).toHaveLength(1);
    expect(actions?.elements?.[0]).toMatchObject({
      type: 'button',
      action_id: ACTION.recordToken,
      style: 'primary',
      value: 'req_123',
      text: { type: 'plain_text', text: "I've created the token" },
    });
    expect(msg.text).toContain('DeepTraQ Bitbucket Integration');
  });

  it('escapes user text so it cannot ping or link', () => {
    const evil = buildChecklist({ name: '<!channel> & <https://x.io|click>', expiresOn: '2026-05-29', scopes: ['read:user:bitbucket'] });
    const msg = buildChecklistMessage(evil, { requestId: 'r1', tokenName: '<!channel> & <https://x.io|click>' });
    const all = JSON.stringify(msg.blocks) + msg.text;
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt; &amp;');
  });

  it('stays within limits with every scope and the longest values', () => {
    const big = buildChecklist({
      name: 'N'.repeat(100),
      expiresOn: '2027-02-28',
      scopes: SCOPES.map((s) => s.name),
      workspace: 'w'.repeat(62),
    });
    const msg = buildChecklistMessage(big, {
      requestId: 'r'.repeat(64),
      tokenName: 'N'.repeat(100),
      approvedNote: 'A'.repeat(3000),
    });
    const blocks = checkLimits(msg);
    const stepText = blocks
      .filter((b) => b.block_id?.startsWith('checklist_steps'))
      .map((b) => b.text?.text ?? '')
      .join('\n');
    for (const s of SCOPES) expect(stepText).toContain(s.name);
    expect(LIMITS.blocks).toBe(50);
  });
});
