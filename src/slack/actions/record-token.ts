import { REQUEST_ID, tokenIdForRequest } from '../../domain/record-ids.js';
import { planReminders } from '../../domain/reminders.js';
import type { TokenRecord, TokenRequest } from '../../domain/types.js';
import { buildNotYoursMessage, buildTokenRecordedMessage } from '../../blocks/messages.js';
import { buildChecklistForRequest } from '../../blocks/checklist.js';
import { context } from '../../blocks/text.js';
import { BLOCK } from '../../blocks/ids.js';
import { createRecordButtonListener } from '../kit/record-button.js';
import type { Services } from '../kit/services.js';

/**
 * "I've created the token": records the token's metadata (never the secret). Only the
 * requester may press it; pressing twice, or Slack redelivering, records once.
 */
export function createRecordTokenHandler(
  deps: Pick<Services, 'requests' | 'tokens' | 'users' | 'home' | 'config' | 'logger' | 'clock' | 'wallClock' | 'modalClient'>,
) {
  return createRecordButtonListener<TokenRequest>(deps, {
    idPattern: REQUEST_ID,
    load: (id) => deps.requests.get(id),
    invalidText: 'That button is not valid any more. Run /bitbucket-token to start again.',
    missingText: 'I cannot find that request any more. Run /bitbucket-token to start again.',
    refuse: (request, userId) =>
      request.requesterId === userId ? undefined : buildNotYoursMessage(request.requesterId, 'record this token'),
    async act({ record: request, userId, client, channel, ts, reply }) {
      const now = deps.clock.now();
      const result = await deps.tokens.recordFromRequest(
        request.id,
        (req): TokenRecord => ({
          id: tokenIdForRequest(req.id),
          ownerId: req.requesterId,
          name: req.name,
          scopes: req.approvedScopes ?? req.scopes,
          workspace: req.workspace,
          expiresOn: req.expiresOn,
          createdAt: now,
          requestId: req.id,
          status: 'active',
          purpose: req.purpose,
          ...(req.places ? { places: req.places } : {}),
          ...(req.coOwners ? { coOwners: req.coOwners } : {}),
          ...(req.teamChannelId ? { teamChannelId: req.teamChannelId } : {}),
        }),
        now,
      );
      if (!result) return;
      if ('refused' in result) return reply(`This request is ${result.refused.replace('_', ' ')}, so there is no token to record.`);
      const timeZone = await deps.users.timeZoneOf(userId);
      const plan = planReminders(result.token, deps.config.reminders, timeZone);
      const message = buildTokenRecordedMessage(result.token, plan, !result.created);
      if (!result.created) return reply(message);
      deps.logger.info({ tokenId: result.token.id, requestId: request.id }, 'token recorded');
      deps.home.refresh(userId);
      if (channel && ts) {
        // Rebuilt from the stored request, never copied from the payload: the message's
        // blocks arrive from the client and may have been tampered with.
        const kept = buildChecklistForRequest(request).blocks.filter((b) => b.block_id !== BLOCK.checklistActions);
        kept.push(context(':white_check_mark: Token recorded. I will remind you before it expires.'));
        await client.chat
          .update({ channel, ts, text: message.text, blocks: kept })
          .catch((err) => deps.logger.warn({ err }, 'could not update checklist message'));
      }
      await client.chat.postMessage({ channel: userId, text: message.text, blocks: message.blocks });
    },
  });
}
