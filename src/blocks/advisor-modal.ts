/**
 * The scope advisor modal, pushed on top of the request modal by "Help me choose scopes":
 * what the token will do, as capabilities in plain words grouped by resource (one checkboxes
 * input per group), and a live section with the minimal scopes, each with the capabilities and
 * spec operations that need it. Pure: model in, view JSON out.
 *
 * Slack limits kept by construction (reference/slack/limits.md): 9 groups of at most 10
 * capabilities (checkboxes take ≤ 10 options; a unit test checks the catalogue), option text and
 * descriptions cut to 75, one section per advised scope (≤ 34) cut to 3000, so at most
 * 3 + 9 + 1 + 34 + 1 blocks, well under 100.
 */
import type { ContextBlock, InputBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock } from '@slack/types';
import { type Capability, capabilitiesByGroup, capabilityScopes, explainCapabilities, findCapability } from '../domain/capabilities.js';
import { operationKey } from '../domain/scope-advisor.js';
import { describeRisk, findScope } from '../domain/scopes.js';
import { ADVISOR_ACTION, ADVISOR_BLOCK, CALLBACK } from './ids.js';
import type { RequestModalMetadata } from './request-modal.js';
import { context, escapeMrkdwn, plain, section, truncate } from './text.js';

/** Slack's limit on private_metadata. */
export const PRIVATE_METADATA_MAX = 3000;

/**
 * What the request modal showed when the advisor was opened: a pushed view's submission does
 * not carry the root view's state, so the advisor carries it forward to re-render the root with
 * the chosen scopes. Secrets are redacted by the caller before they get here.
 */
export interface AdvisorRootValues {
  metadata: RequestModalMetadata;
  presetId?: string;
  name?: string;
  expiresOn?: string;
  workspace?: string;
  /**
   * Dropped when it does not fit the 3000-character private_metadata: the purpose block keeps its
   * block id across the update, so Slack keeps what the user typed in it anyway.
   */
  purpose?: string;
}

/** The advisor's private_metadata. */
export interface AdvisorModalMetadata {
  /** The request modal (the root of the view stack) to update with the chosen scopes. */
  rootViewId: string;
  /** Who opened it; only they may use it. */
  userId: string;
  root: AdvisorRootValues;
}

/**
 * private_metadata for the advisor, at most 3000 characters: the purpose goes first when it
 * does not fit, then the workspace and the name (their blocks are re-rendered empty then).
 */
export function serializeAdvisorMetadata(metadata: AdvisorModalMetadata): string {
  const { purpose: _purpose, ...withoutPurpose } = metadata.root;
  const { workspace: _workspace, name: _name, ...bare } = withoutPurpose;
  for (const root of [metadata.root, withoutPurpose, bare]) {
    const text = JSON.stringify({ ...metadata, root });
    if (text.length <= PRIVATE_METADATA_MAX) return text;
  }
  return JSON.stringify({
    rootViewId: metadata.rootViewId,
    userId: metadata.userId,
    root: { metadata: { revision: metadata.root.metadata.revision } },
  });
}

export interface AdvisorModalModel {
  /** Chosen capability ids (unknown ids are ignored). */
  selected: readonly string[];
  metadata: AdvisorModalMetadata;
}

/** Block id of the checkboxes input for the group at `index` (catalogue order). */
export const advisorGroupBlockId = (index: number): string => `${ADVISOR_BLOCK.groupPrefix}${index}`;

const shortScope = (scope: string): string => scope.replace(/:bitbucket$/, '');

function capabilityOption(capability: Capability): PlainTextOption {
  const scopes = capabilityScopes(capability).map(shortScope);
  return {
    text: plain(truncate(capability.label, 75)),
    value: capability.id,
    description: plain(truncate(`needs ${scopes.join(' + ')}`, 75)),
  };
}

function groupInput(index: number, group: string, capabilities: readonly Capability[], selected: ReadonlySet<string>): InputBlock {
  const options = capabilities.map(capabilityOption);
  const initial = options.filter((o) => o.value !== undefined && selected.has(o.value));
  return {
    type: 'input',
    block_id: advisorGroupBlockId(index),
    optional: true,
    // Every change re-renders the live section of minimal scopes (views.update).
    dispatch_action: true,
    label: plain(truncate(group, 2000)),
    element: {
      type: 'checkboxes',
      action_id: ADVISOR_ACTION.capabilities,
      options,
      ...(initial.length > 0 ? { initial_options: initial } : {}),
    },
  };
}

/** Most operations listed per capability under a scope; the rest are counted. */
const OPERATIONS_SHOWN = 6;

/** The live result: the minimal scopes, each with what needs it. */
export function buildAdviceBlocks(selected: readonly string[]): KnownBlock[] {
  const ids = selected.filter((id) => findCapability(id) !== undefined);
  if (ids.length === 0) {
    return [section('*Minimal scopes*\nChoose what the token will do; the scopes it needs show up here.', ADVISOR_BLOCK.result)];
  }
  const reasons = explainCapabilities(ids);
  const head = section(
    `*Minimal scopes (${reasons.length})*: ${reasons.map((r) => `\`${r.scope}\``).join(', ')}\n` +
      'Each operation needs all of its scopes, so this is the smallest set that does everything you chose.',
    ADVISOR_BLOCK.result,
  );
  const perScope: SectionBlock[] = reasons.map((reason) => {
    const def = findScope(reason.scope);
    const lines = reason.needs.map(({ capability, operations, git }) => {
      const shown = operations.slice(0, OPERATIONS_SHOWN).map((op) => `\`${operationKey(op)}\``);
      const more = operations.length > OPERATIONS_SHOWN ? ` and ${operations.length - OPERATIONS_SHOWN} more` : '';
      const via = [git ? `${git} (Atlassian's docs; not a REST operation)` : '', shown.length > 0 ? `${shown.join(', ')}${more}` : '']
        .filter(Boolean)
        .join('; ');
      return `• ${escapeMrkdwn(capability.label)}: ${escapeMrkdwn(via)}`;
    });
    const title = `*\`${reason.scope}\`*${def ? ` · ${describeRisk(def.risk)}` : ''}`;
    return section(`${title}\n${lines.join('\n')}`);
  });
  return [head, ...perScope];
}

/** The advisor modal. */
export function buildAdvisorModal(model: AdvisorModalModel): ModalView {
  const selected = new Set(model.selected);
  const intro: ContextBlock = context(
    'Tick what the token will do. I work out the minimal Bitbucket scopes from the operations each one calls in ' +
      "Atlassian's API spec, and *Use these scopes* puts them in your request.",
    ADVISOR_BLOCK.intro,
  );
  const groups = capabilitiesByGroup().map(({ group, capabilities }, i) => groupInput(i, group, capabilities, selected));
  return {
    type: 'modal',
    callback_id: CALLBACK.advisorModal,
    title: plain('Help me choose scopes'),
    submit: plain('Use these scopes'),
    close: plain('Back'),
    private_metadata: serializeAdvisorMetadata(model.metadata),
    blocks: [intro, ...groups, { type: 'divider' }, ...buildAdviceBlocks([...selected])],
  };
}
