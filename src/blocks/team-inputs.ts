import type { InputBlock } from '@slack/types';
import { CO_OWNERS_MAX } from '../domain/limits.js';
import { plain } from './text.js';

/** Block and action ids of the two team inputs in one modal. */
export interface TeamInputIds {
  coOwnersBlock: string;
  coOwnersAction: string;
  channelBlock: string;
  channelAction: string;
}

/**
 * The optional "Co-owners" (up to CO_OWNERS_MAX people) and "Team channel" inputs, shared by
 * the request, record and team modals. Slack's own selects list only real people and channels;
 * the submission still checks each pick (bots, people who left, channels the bot is not in).
 */
export function buildTeamInputs(ids: TeamInputIds, initial: { coOwners?: readonly string[]; teamChannelId?: string } = {}): InputBlock[] {
  return [
    {
      type: 'input',
      block_id: ids.coOwnersBlock,
      optional: true,
      label: plain('Co-owners'),
      hint: plain(`Up to ${CO_OWNERS_MAX} people who share this token: they get its reminders too, and may answer them.`),
      element: {
        type: 'multi_users_select',
        action_id: ids.coOwnersAction,
        max_selected_items: CO_OWNERS_MAX,
        placeholder: plain('Choose people'),
        ...(initial.coOwners?.length ? { initial_users: initial.coOwners.slice(0, CO_OWNERS_MAX) } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.channelBlock,
      optional: true,
      label: plain('Team channel'),
      hint: plain('One post per reminder goes here. Invite the bot to the channel first (/invite in the channel).'),
      element: {
        type: 'conversations_select',
        action_id: ids.channelAction,
        placeholder: plain('Choose a channel'),
        filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
        ...(initial.teamChannelId ? { initial_conversation: initial.teamChannelId } : {}),
      },
    },
  ];
}

export const REQUEST_TEAM_IDS = (
  b: { coOwners: string; teamChannel: string },
  a: { coOwners: string; teamChannel: string },
): TeamInputIds => ({
  coOwnersBlock: b.coOwners,
  coOwnersAction: a.coOwners,
  channelBlock: b.teamChannel,
  channelAction: a.teamChannel,
});
