import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { validateRequest } from '../../domain/validation.js';
import { createRequestId } from '../../domain/record-ids.js';
import type { TokenRequest } from '../../domain/types.js';
import { buildRequestConfirmation } from '../../blocks/messages.js';
import { viewSubmissionSchema } from '../payloads.js';
import { readModalMetadata, readRequestState, toBlockErrors } from './request-state.js';
import { deliverChecklist, replyEphemeral } from '../notify.js';
import { REQUEST_BLOCK } from '../ids.js';
import { refreshHome } from '../home.js';
import type { Deps } from '../deps.js';

type Args = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/**
 * Submitting the request modal: validate (errors next to the fields), store, close the
 * modal, then DM the checklist and confirm in the channel the command came from.
 */
export function createRequestSubmitHandler(deps: Deps) {
  return async ({ ack, body, client, logger }: Args): Promise<void> => {
    const parsed = viewSubmissionSchema.safeParse(body);
    if (!parsed.success) {
      await ack({
        response_action: 'errors',
        errors: { [REQUEST_BLOCK.name]: 'This form could not be read. Close it and run the command again.' },
      });
      return;
    }
    const { user, view } = parsed.data;
    const { raw, blockIds } = readRequestState(view.state.values);
    const metadata = readModalMetadata(view.private_metadata);
    const now = new Date();
    const timeZone = await deps.users.timeZoneOf(user.id);
    const result = validateRequest(raw, { now, timeZone });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: toBlockErrors(result.errors, blockIds) });
      return;
    }
    const request: TokenRequest = {
      ...result.value,
      id: createRequestId(),
      requesterId: user.id,
      channelId: metadata.channelId,
      status: 'approved',
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
      ...(metadata.renewsTokenId ? { renewsTokenId: metadata.renewsTokenId } : {}),
    };
    try {
      await deps.requests.create(request);
    } catch (err) {
      logger.error({ err }, 'could not store request');
      await ack({
        response_action: 'errors',
        errors: { [blockIds.name]: 'I could not save your request just now. Nothing was lost: press the button again in a moment.' },
      });
      return;
    }
    await ack();
    deps.logger.info({ requestId: request.id, userId: user.id, scopes: request.scopes }, 'request stored');
    refreshHome(client, deps, user.id);
    const sent = await deliverChecklist({ client: deps.quickClient ?? client, scheduler: deps.scheduler, logger: deps.logger, responseUrl: metadata.responseUrl }, request);
    if (sent) await replyEphemeral(metadata.responseUrl, buildRequestConfirmation(request.name), deps.logger);
  };
}
