import { CALLBACK, REQUEST_ACTION, REQUEST_BLOCK } from './ids.js';
import { PRESETS, findPreset } from '../domain/presets.js';
import { SCOPE_GROUPS, SCOPES, describeRisk } from '../domain/scopes.js';
import type { ScopeDef } from '../domain/types.js';
import { NAME_MAX, PLACE_MAX, PLACES_MAX, PURPOSE_MAX, WORKSPACE_MAX } from '../domain/validation.js';
import type { ContextBlock, InputBlock, KnownBlock, ModalView, PlainTextElement, PlainTextOption } from '@slack/types';
import { context, plain, truncate } from './text.js';
import { REQUEST_TEAM_IDS, buildTeamInputs } from './team-inputs.js';

/** What the request modal carries between Slack round trips (private_metadata, ≤ 3000 chars). */
export interface RequestModalMetadata {
  /** Channel the command was typed in. */
  channelId?: string;
  /** The command's response_url, for the ephemeral confirmation in that channel. */
  responseUrl?: string;
  /** Token this request renews (set by the reminder's Renew button). */
  renewsTokenId?: string;
  /**
   * Bumped whenever a preset is chosen. Slack keeps what a user typed in an input across
   * views.update unless its block_id changes, so the name and scope blocks carry this as a
   * suffix to make the preset's values show up.
   */
  revision: number;
}

/** The approval policy's verdict on the current selection, shown above the purpose field. */
export interface ModalReview {
  needsApproval: boolean;
  reasons: readonly string[];
  /** False when approvals are needed but no channel/approvers are set up. */
  configured: boolean;
}

/** The notice telling the requester, before they submit, whether an approver must review. */
function policyNotice(review: ModalReview): ContextBlock {
  const text = !review.needsApproval
    ? ':white_check_mark: No review needed: you get the checklist as soon as you submit.'
    : review.configured
      ? `:mag: *This selection needs an approver's review* before you get the checklist. ${review.reasons.join(' ')} A justification is required.`
      : `:no_entry: *This selection needs an approver's review, but approvals are not set up* in this workspace. ${review.reasons.join(' ')} Choose lower-risk scopes or a shorter expiry, or ask your Slack admin.`;
  return context(text, REQUEST_BLOCK.policyNotice);
}

export interface RequestModalModel {
  presetId: string;
  name?: string;
  expiresOn: string;
  scopes: readonly string[];
  workspace?: string;
  purpose?: string;
  /** "Stored in" places (a renewal starts from the old token's). */
  places?: readonly string[];
  /** Co-owners and team channel (a renewal starts from the old token's). */
  coOwners?: readonly string[];
  teamChannelId?: string;
  /** Policy verdict for the current selection; no notice when absent. */
  review?: ModalReview;
  metadata: RequestModalMetadata;
}

/** Room for PLACES_MAX places of PLACE_MAX characters, one per line. */
const PLACES_TEXT_MAX = PLACES_MAX * (PLACE_MAX + 1);

/** The optional "Stored in" input (request and record modals): one place per line. */
export function buildPlacesInput(blockId: string, actionId: string, places?: readonly string[]): InputBlock {
  const initial = places && places.length > 0 ? places.join('\n').slice(0, PLACES_TEXT_MAX) : undefined;
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plain('Stored in'),
    hint: plain(
      `Where the token will live, one place per line (up to ${PLACES_MAX}): the places to update when it is rotated. Describe the place; never paste the token.`,
    ),
    element: {
      type: 'plain_text_input',
      action_id: actionId,
      multiline: true,
      max_length: PLACES_TEXT_MAX,
      ...(initial ? { initial_value: initial } : {}),
      placeholder: plain('Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web\nVault secret/ci/deeptraq'),
    },
  };
}

/** Block id of a resettable block at a revision (`token_name`, `token_name-2`, ...). */
export const revisedBlockId = (base: string, revision: number): string => (revision > 0 ? `${base}-${revision}` : base);

function scopeOption(scope: ScopeDef): PlainTextOption {
  return {
    text: plain(scope.name),
    value: scope.name,
    description: plain(truncate(`${describeRisk(scope.risk)} · ${scope.summary}`, 75)),
  };
}

/** All scopes as option groups by resource (13 groups, 34 options). */
export function buildScopeOptionGroups(): { label: PlainTextElement; options: PlainTextOption[] }[] {
  return SCOPE_GROUPS.map((group) => ({
    label: plain(truncate(group, 75)),
    options: SCOPES.filter((s) => s.group === group).map(scopeOption),
  }));
}

function presetOption(id: string): PlainTextOption {
  const preset = findPreset(id) ?? PRESETS[0]!;
  return { text: plain(truncate(preset.label, 75)), value: preset.id };
}

/** The request modal's private_metadata for `metadata`. */
export function encodeRequestModalMetadata(metadata: RequestModalMetadata): string {
  return JSON.stringify(metadata);
}

/** The `/bitbucket-token` request modal. Pure: model in, view JSON out. */
export function buildRequestModal(model: RequestModalModel): ModalView {
  const preset = findPreset(model.presetId);
  const rev = model.metadata.revision;
  const selected = SCOPES.filter((s) => model.scopes.includes(s.name)).map(scopeOption);
  const blocks: KnownBlock[] = [
    context(
      'Tell me what the token is for and I will send you a personalised checklist for creating a ' +
        'least-privilege Bitbucket API token. I never ask for the token itself.',
    ),
    {
      type: 'input',
      block_id: REQUEST_BLOCK.preset,
      dispatch_action: true,
      label: plain('Integration'),
      hint: plain(truncate(preset?.rationale ?? 'Pick the closest integration to pre-select its scopes.', 2000)),
      element: {
        type: 'static_select',
        action_id: REQUEST_ACTION.preset,
        options: PRESETS.map((p) => presetOption(p.id)),
        ...(preset ? { initial_option: presetOption(preset.id) } : {}),
      },
    },
    {
      type: 'input',
      block_id: revisedBlockId(REQUEST_BLOCK.name, rev),
      label: plain('Token name'),
      hint: plain("Shown in Atlassian's token list; say which integration uses it."),
      element: {
        type: 'plain_text_input',
        action_id: REQUEST_ACTION.name,
        max_length: NAME_MAX,
        ...(model.name ? { initial_value: truncate(model.name, NAME_MAX) } : {}),
        placeholder: plain('DeepTraQ Bitbucket Integration'),
      },
    },
    {
      type: 'input',
      block_id: REQUEST_BLOCK.expiry,
      // Changing the date re-evaluates the approval policy (views.update with a new notice).
      dispatch_action: true,
      label: plain('Expiration date'),
      hint: plain('Between tomorrow and 365 days from today. Shorter is safer; you will be reminded before it expires.'),
      element: { type: 'datepicker', action_id: REQUEST_ACTION.expiry, initial_date: model.expiresOn },
    },
    {
      type: 'input',
      block_id: revisedBlockId(REQUEST_BLOCK.scopes, rev),
      dispatch_action: true,
      label: plain('Scopes'),
      hint: plain('Bitbucket scopes do not imply each other: a write scope usually needs its read scope too.'),
      element: {
        type: 'multi_static_select',
        action_id: REQUEST_ACTION.scopes,
        placeholder: plain('Search scopes, e.g. repository'),
        option_groups: buildScopeOptionGroups(),
        ...(selected.length > 0 ? { initial_options: selected } : {}),
      },
    },
    {
      // Pushes the scope advisor (views.push); its "Use these scopes" updates this view.
      type: 'actions',
      block_id: REQUEST_BLOCK.advisor,
      elements: [{ type: 'button', action_id: REQUEST_ACTION.openAdvisor, text: plain('Help me choose scopes'), value: 'open' }],
    },
    {
      type: 'input',
      block_id: REQUEST_BLOCK.workspace,
      optional: true,
      label: plain('Workspace'),
      hint: plain('The Bitbucket workspace slug the token is for, if it is limited to one.'),
      element: {
        type: 'plain_text_input',
        action_id: REQUEST_ACTION.workspace,
        max_length: WORKSPACE_MAX,
        ...(model.workspace ? { initial_value: truncate(model.workspace, WORKSPACE_MAX) } : {}),
        placeholder: plain('acme'),
      },
    },
    buildPlacesInput(REQUEST_BLOCK.places, REQUEST_ACTION.places, model.places),
    ...buildTeamInputs(REQUEST_TEAM_IDS(REQUEST_BLOCK, REQUEST_ACTION), model),
    ...(model.review ? [policyNotice(model.review)] : []),
    {
      type: 'input',
      block_id: REQUEST_BLOCK.purpose,
      optional: !model.review?.needsApproval,
      label: plain(model.review?.needsApproval ? 'Justification (required for review)' : 'Purpose / justification'),
      element: {
        type: 'plain_text_input',
        action_id: REQUEST_ACTION.purpose,
        multiline: true,
        max_length: PURPOSE_MAX,
        ...(model.purpose ? { initial_value: truncate(model.purpose, PURPOSE_MAX) } : {}),
        placeholder: plain('What will use this token, and why these scopes?'),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: CALLBACK.requestModal,
    title: plain('Bitbucket API token'),
    submit: plain('Get checklist'),
    close: plain('Cancel'),
    private_metadata: encodeRequestModalMetadata(model.metadata),
    blocks,
  };
}
