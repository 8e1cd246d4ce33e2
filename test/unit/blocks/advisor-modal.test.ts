import { describe, expect, it } from 'vitest';
import {
  type AdvisorModalMetadata,
  PRIVATE_METADATA_MAX,
  buildAdvisorModal,
  serializeAdvisorMetadata,
} from '../../../src/blocks/advisor-modal.js';
import { buildScopeAdviceMessage } from '../../../src/blocks/messages.js';
import { ADVISOR_ACTION, ADVISOR_BLOCK } from '../../../src/blocks/ids.js';
import { CAPABILITIES, adviseScopes, capabilitiesByGroup } from '../../../src/domain/capabilities.js';
import { OPERATIONS, adviseOperations, operationKey } from '../../../src/domain/scope-advisor.js';
import { checkSurface } from '../../support/block-kit-limits.js';

const ALL = CAPABILITIES.map((c) => c.id);

const metadata = (over: Partial<AdvisorModalMetadata['root']> = {}): AdvisorModalMetadata => ({
  rootViewId: 'V000000001',
  userId: 'U1',
  root: {
    metadata: { channelId: 'C1', responseUrl: `https://hooks.slack.test/commands/${'x'.repeat(900)}`, revision: 3 },
    presetId: 'custom',
    name: 'n'.repeat(100),
    expiresOn: '2026-06-01',
    workspace: 'w'.repeat(62),
    ...over,
  },
});

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  element?: { type: string; action_id: string; options: Array<{ value: string }>; initial_options?: Array<{ value: string }> };
};

describe('scope advisor modal', () => {
  it('stays within Slack limits with nothing, each capability alone, and the whole catalogue ticked', () => {
    for (const selected of [[], ...ALL.map((id) => [id]), ALL]) {
      const view = buildAdvisorModal({ selected, metadata: metadata({ purpose: 'p'.repeat(3000) }) });
      expect(checkSurface('modal', view), selected.join(',')).toEqual([]);
      expect(view.blocks.length).toBeLessThanOrEqual(100);
    }
  });

  it('offers every capability once, each group in one checkboxes input of at most 10 options', () => {
    const view = buildAdvisorModal({ selected: [], metadata: metadata() });
    const inputs = (view.blocks as Block[]).filter((b) => b.type === 'input');
    expect(inputs).toHaveLength(capabilitiesByGroup().length);
    for (const input of inputs) {
      expect(input.element!.type).toBe('checkboxes');
      expect(input.element!.action_id).toBe(ADVISOR_ACTION.capabilities);
      expect(input.element!.options.length).toBeLessThanOrEqual(10);
    }
    expect(inputs.flatMap((i) => i.element!.options.map((o) => o.value)).sort()).toEqual([...ALL].sort());
  });

  it('shows exactly adviseScopes(selection) in the live section and keeps the ticks', () => {
    const selected = ['pr-comment', 'git-clone', 'deploy-key-add'].filter((id) => ALL.includes(id));
    expect(selected.length).toBeGreaterThan(0);
    const view = buildAdvisorModal({ selected, metadata: metadata() });
    const blocks = view.blocks as Block[];
    const result = blocks.find((b) => b.block_id === ADVISOR_BLOCK.result)!;
    const shown = [...result.text!.text.matchAll(/`([a-z-]+:[a-z-]+:bitbucket)`/g)].map((m) => m[1]);
    expect(shown).toEqual(adviseScopes(selected));
    const ticked = blocks.flatMap((b) => b.element?.initial_options?.map((o) => o.value) ?? []);
    expect(ticked.sort()).toEqual([...selected].sort());
  });

  it('keeps private_metadata under 3000 characters, dropping the purpose first', () => {
    const long = metadata({ purpose: '"'.repeat(3000) });
    const text = serializeAdvisorMetadata(long);
    expect(text.length).toBeLessThanOrEqual(PRIVATE_METADATA_MAX);
    const parsed = JSON.parse(text) as AdvisorModalMetadata;
    expect(parsed.root.purpose).toBeUndefined();
    expect(parsed.root.name).toBe(long.root.name);
    expect(parsed.rootViewId).toBe('V000000001');
    const short = metadata({ purpose: 'why' });
    expect(JSON.parse(serializeAdvisorMetadata(short))).toEqual(short);
  });
});

describe('scopes sub-command answer', () => {
  it('stays within message limits for every scoped operation of the spec at once', () => {
    const calls = OPERATIONS.filter((op) => op.scopes.length > 0 && !op.path.includes('{path}')).map(operationKey);
    const advice = adviseOperations(calls);
    expect(advice.ok).toBe(true);
    expect(checkSurface('message', buildScopeAdviceMessage(advice))).toEqual([]);
  });
});
