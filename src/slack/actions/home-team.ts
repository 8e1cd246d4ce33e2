import { buildTeamModal } from '../../blocks/team-modal.js';
import { TOKEN_ID } from '../../domain/record-ids.js';
import { tokenPeople } from '../../domain/team.js';
import type { TokenRecord } from '../../domain/types.js';
import { createRecordButtonListener } from '../kit/record-button.js';
import type { Services } from '../kit/services.js';

/**
 * App Home, "Co-owners & channel" on a token: its owner or a co-owner gets the small modal
 * that edits the token's co-owners and team channel (views/team-submit.ts saves it).
 */
export const createHomeEditTeamHandler = (deps: Pick<Services, 'tokens' | 'logger' | 'wallClock' | 'modalClient'>) =>
  createRecordButtonListener<TokenRecord>(deps, {
    idPattern: TOKEN_ID,
    load: (id) => deps.tokens.get(id),
    invalidText: 'That button is not valid any more.',
    missingText: 'I cannot find that token any more.',
    refuse: (token, userId) =>
      tokenPeople(token).includes(userId) ? undefined : `Only <@${token.ownerId}> or a co-owner can change who shares this token.`,
    async act(press) {
      await press.openModal((trigger, modals) => modals.views.open({ trigger_id: trigger, view: buildTeamModal(press.record) }));
    },
  });
