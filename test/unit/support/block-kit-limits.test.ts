import { describe, expect, it } from 'vitest';
import { checkSurface } from '../../support/block-kit-limits.js';

const pt = (text: string) => ({ type: 'plain_text', text });
const modal = (extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'cb',
  title: pt('Request a token'),
  submit: pt('Submit'),
  close: pt('Cancel'),
  blocks: [{ type: 'section', block_id: 'intro', text: { type: 'mrkdwn', text: 'hi' } }],
  ...extra,
});
const opt = (value: string, text = value) => ({ text: pt(text), value });

describe('checkSurface', () => {
  it('accepts a valid modal, home and message', () => {
    expect(checkSurface('modal', modal())).toEqual([]);
    expect(checkSurface('home', { type: 'home', blocks: [{ type: 'divider' }] })).toEqual([]);
    expect(checkSurface('message', { text: 'hello', blocks: JSON.stringify([{ type: 'header', text: pt('Hi') }]) })).toEqual([]);
  });

  it('rejects a 25-char modal title', () => {
    const errs = checkSurface('modal', modal({ title: pt('x'.repeat(25)) }));
    expect(errs).toEqual([expect.stringContaining('view.title.text')]);
    expect(checkSurface('modal', modal({ title: pt('x'.repeat(24)) }))).toEqual([]);
  });

  it('rejects 101 blocks in a modal and 51 in a message', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(checkSurface('modal', modal({ blocks: blocks(100) }))).toEqual([]);
    expect(checkSurface('modal', modal({ blocks: blocks(101) }))).toEqual([expect.stringMatching(/101 blocks > 100/)]);
    expect(checkSurface('message', { text: 'x', blocks: blocks(51) })).toEqual([expect.stringMatching(/51 blocks > 50/)]);
  });

  it('rejects duplicate block_ids', () => {
    const errs = checkSurface(
      'modal',
      modal({
        blocks: [
          { type: 'divider', block_id: 'a' },
          { type: 'divider', block_id: 'a' },
        ],
      }),
    );
    expect(errs).toEqual([expect.stringContaining('duplicate block_id')]);
  });

  it('rejects a 76-char option text', () => {
    const errs = checkSurface(
      'modal',
      modal({
        blocks: [
          {
            type: 'input',
            block_id: 'b',
            label: pt('Scopes'),
            element: { type: 'static_select', action_id: 'a', options: [opt('v', 'y'.repeat(76))] },
          },
        ],
      }),
    );
    expect(errs).toEqual([expect.stringMatching(/options\[0\]\.text\.text: 76 chars > 75/)]);
  });

  it('rejects initial_options not among options', () => {
    const errs = checkSurface(
      'modal',
      modal({
        blocks: [
          {
            type: 'input',
            block_id: 'b',
            label: pt('Scopes'),
            element: {
              type: 'multi_static_select',
              action_id: 'a',
              options: [opt('repo:read'), opt('repo:write')],
              initial_options: [opt('repo:read'), opt('repo:admin')],
            },
          },
        ],
      }),
    );
    expect(errs).toEqual([expect.stringContaining('"repo:admin" is not one of the options')]);
  });

  it('flags other documented limits', () => {
    const errs = checkSurface(
      'modal',
      modal({
        private_metadata: 'm'.repeat(3001),
        blocks: [
          { type: 'bogus' },
          {
            type: 'input',
            block_id: 'i1',
            element: { type: 'plain_text_input', action_id: 't', max_length: 10, initial_value: 'x'.repeat(11) },
          },
          { type: 'input', block_id: 'i2', label: pt('Date'), element: { type: 'datepicker', action_id: 'd', initial_date: '2026-13-01' } },
          {
            type: 'actions',
            block_id: 'act',
            elements: [
              { type: 'button', action_id: 'x', text: pt('Go'), style: 'secondary' },
              { type: 'button', action_id: 'x', text: pt('Go') },
            ],
          },
          { type: 'header', text: pt('h'.repeat(151)) },
          {
            type: 'input',
            block_id: 'cb',
            label: pt('c'),
            element: { type: 'checkboxes', action_id: 'c', options: Array.from({ length: 11 }, (_, i) => opt(`v${i}`)) },
          },
        ],
      }),
    );
    const joined = errs.join('\n');
    for (const needle of [
      'private_metadata',
      'unknown block type',
      'label: required',
      'initial_value: 11 chars > 10',
      'initial_date',
      'style',
      'duplicate action_id',
      '151 chars > 150',
      '11 options > 10',
    ]) {
      expect(joined).toContain(needle);
    }
  });

  it('message text over 4000 chars is a violation', () => {
    expect(checkSurface('message', { text: 'x'.repeat(4000) })).toEqual([]);
    expect(checkSurface('message', { text: 'x'.repeat(4001) })).toHaveLength(1);
  });
});
