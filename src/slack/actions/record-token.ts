import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { REQUEST_ID, tokenIdForRequest } from '../../domain/record-ids.js';
import { planReminders } from '../../domain/reminders.js';
import type { TokenRecord } from '../../domain/types.js';
import { buildNotYoursMessage, buildPlainMessage, buildTokenRecordedMessage } from '../../blocks/messages.js';
import { context, type Block } from '../../blocks/text.js';
import { BLOCK } from '../../blocks/ids.js';
import { blockActionSchema } from '../kit/payloads.js';
import { buildChecklistFor, respondEphemeral } from '../../slack-api/checklist.js';
import type { Deps } from '../kit/services.js';
import { refreshHome } from '../../slack-api/home.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/**
 * "I've created the token": records the token's metadata (never the secret). Only the
 * requester may press it; pressing twice, or Slack redelivering, records once.
 */
export function createRecordTokenHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const reply = (message: Parameters<typeof respondEphemeral>[1]) => respondEphemeral(respond as never, message, deps.logger);
    const parsed = blockActionSchema.safeParse(body);
    const requestId = parsed.success ? parsed.data.actions[0]?.value : undefined;
    if (!parsed.success || !requestId || !REQUEST_ID.test(requestId)) {
      await reply(buildPlainMessage('That button is not valid any more. Run /bitbucket-token to start again.'));
      return;
    }
    const userId = parsed.data.user.id;
    const request = await deps.requests.get(requestId);
    if (!request) {
      await reply(buildPlainMessage('I cannot find that request any more. Run /bitbucket-token to start again.'));
      return;
    }
    if (request.requesterId !== userId) {
      await reply(buildNotYoursMessage(request.requesterId, 'record this token'));
      return;
    }
    const now = new Date();
    const result = await deps.tokens.recordFromRequest(
      requestId,
      (req): TokenRecord => ({
        id: tokenIdForRequest(req.id),
        ownerId: req.requesterId,
        name: req.name,
        scopes: req.approvedScopes ?? req.scopes,
        workspace: req.workspace,
        expiresOn: req.expiresOn,
        createdAt: now.getTime(),
        requestId: req.id,
        status: 'active',
        purpose: req.purpose,
      }),
      now.getTime(),
    );
    if (!result) return;
    if ('refused' in result) {
      await reply(buildPlainMessage(`This request is ${result.refused.replace('_', ' ')}, so there is no token to record.`));
      return;
    }
    const timeZone = await deps.users.timeZoneOf(userId);
    const plan = planReminders(result.token, deps.config.reminders, timeZone);
    const message = buildTokenRecordedMessage(result.token, plan, !result.created);
    if (!result.created) {
      await reply(message);
      return;
    }
    deps.logger.info({ tokenId: result.token.id, requestId }, 'token recorded');
    refreshHome(client, deps, userId);
    const channel = parsed.data.channel?.id ?? parsed.data.container?.channel_id;
    const ts = parsed.data.message?.ts ?? parsed.data.container?.message_ts;
    if (channel && ts) {
      // Rebuilt from the stored request, never copied from the payload: the message's
      // blocks arrive from the client and may have been tampered with.
      const kept = (buildChecklistFor(request).blocks as Block[]).filter((b) => b.block_id !== BLOCK.checklistActions);
      kept.push(context(':white_check_mark: Token recorded. I will remind you before it expires.'));
      await client.chat.update({ channel, ts, text: message.text, blocks: kept as never }).catch((err) => deps.logger.warn({ err }, 'could not update checklist message'));
    }
    await client.chat.postMessage({ channel: userId, text: message.text, blocks: message.blocks as never });
  };
}
