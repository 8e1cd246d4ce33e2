import type { ModalView } from '@slack/types';
import type { TokenRecord } from '../domain/types.js';
import { CALLBACK, TEAM_ACTION, TEAM_BLOCK } from './ids.js';
import { buildTeamInputs } from './team-inputs.js';
import { context, escapeMrkdwn, plain, section } from './text.js';

/** What the team modal carries: the token it edits (the submission loads it again). */
export interface TeamModalMetadata {
  tokenId: string;
}

/** The App Home's "Co-owners & channel" modal: the token's co-owners and team channel, editable. */
export function buildTeamModal(token: TokenRecord): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.teamModal,
    title: plain('Co-owners & channel'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ tokenId: token.id } satisfies TeamModalMetadata),
    blocks: [
      section(`Who shares *${escapeMrkdwn(token.name)}* with its owner <@${token.ownerId}>, and where its reminders are posted.`),
      ...buildTeamInputs(
        {
          coOwnersBlock: TEAM_BLOCK.coOwners,
          coOwnersAction: TEAM_ACTION.coOwners,
          channelBlock: TEAM_BLOCK.channel,
          channelAction: TEAM_ACTION.channel,
        },
        token,
      ),
      context('Co-owners get the reminders too and may answer them; the first still in Slack takes over if the owner leaves.'),
    ],
  };
}
