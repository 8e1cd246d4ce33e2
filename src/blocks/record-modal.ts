import { CALLBACK, RECORD_ACTION, RECORD_BLOCK } from './ids.js';
import { NAME_MAX, WORKSPACE_MAX } from '../domain/limits.js';
import { buildPlacesInput, buildScopeOptionGroups } from './request-modal.js';
import type { ModalView } from '@slack/types';
import { context, plain } from './text.js';
import { REQUEST_TEAM_IDS, buildTeamInputs } from './team-inputs.js';

/** The modal that records a token created without the bot, so it gets reminders too. Pure. */
export function buildRecordModal(): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.recordModal,
    title: plain('Record a token'),
    submit: plain('Record'),
    close: plain('Cancel'),
    blocks: [
      context(
        'Record an API token you already created so I can remind you before it expires. ' +
          'Describe it only: never paste the token itself.',
      ),
      {
        type: 'input',
        block_id: RECORD_BLOCK.name,
        label: plain('Token name'),
        hint: plain('The name it has in your Atlassian account (Security → API tokens).'),
        element: {
          type: 'plain_text_input',
          action_id: RECORD_ACTION.name,
          max_length: NAME_MAX,
          placeholder: plain('CI Bitbucket Integration'),
        },
      },
      {
        type: 'input',
        block_id: RECORD_BLOCK.scopes,
        label: plain('Scopes'),
        hint: plain('The scopes the token was created with.'),
        element: {
          type: 'multi_static_select',
          action_id: RECORD_ACTION.scopes,
          placeholder: plain('Search scopes, e.g. repository'),
          option_groups: buildScopeOptionGroups(),
        },
      },
      {
        type: 'input',
        block_id: RECORD_BLOCK.expiry,
        label: plain('Expiration date'),
        hint: plain("As shown in Atlassian's token list: today or up to 365 days ahead."),
        element: { type: 'datepicker', action_id: RECORD_ACTION.expiry },
      },
      {
        type: 'input',
        block_id: RECORD_BLOCK.workspace,
        optional: true,
        label: plain('Workspace'),
        hint: plain('The Bitbucket workspace slug the token is used with, if any.'),
        element: { type: 'plain_text_input', action_id: RECORD_ACTION.workspace, max_length: WORKSPACE_MAX, placeholder: plain('acme') },
      },
      buildPlacesInput(RECORD_BLOCK.places, RECORD_ACTION.places),
      ...buildTeamInputs(REQUEST_TEAM_IDS(RECORD_BLOCK, RECORD_ACTION)),
    ],
  };
}
