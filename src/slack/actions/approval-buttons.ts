import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRequestModal } from '../../blocks/request-modal.js';
import { buildNarrowModal, buildRefusalModal, buildRejectModal } from '../../blocks/approval.js';
import { buildNotYoursMessage, buildPlainMessage, type Message } from '../../blocks/messages.js';
import { respondEphemeral } from '../../slack-api/checklist.js';
import { daysBetween, todayIn } from '../../domain/dates.js';
import { defaultExpiry } from '../../domain/validation.js';
import type { Block } from '../../blocks/text.js';
import type { TokenRequest } from '../../domain/types.js';
import { INVALID_BUTTON, UNKNOWN_REQUEST, checkApprover, decideRequest, describeRefusal, readRequestButton } from '../kit/decide.js';
import { assessForModal } from './policy-notice.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** A courtesy reply through response_url: a missing or unreachable one is logged, not a listener error. */
const ephemeral = (deps: Deps, respond: Args['respond'], text: string | Message) =>
  respondEphemeral(respond as never, typeof text === 'string' ? buildPlainMessage(text) : text, deps.logger);

/** Approve: only an approver, never on their own request; one decision wins. */
export function createApproveHandler(deps: Deps) {
  return async ({ ack, body, respond }: Args): Promise<void> => {
    await ack();
    const click = readRequestButton(body);
    if (!click) return void (await ephemeral(deps, respond, INVALID_BUTTON));
    const refused = await checkApprover(deps, click.userId);
    if (refused) return void (await ephemeral(deps, respond, refused));
    const result = await decideRequest(deps, click.requestId, { kind: 'approve', by: click.userId });
    if (!result.ok) await ephemeral(deps, respond, result.message);
  };
}

/** A click that needs a trigger_id and an existing request; answers the user itself otherwise. */
async function loadClickedRequest(deps: Deps, body: unknown, respond: Args['respond']) {
  const click = readRequestButton(body);
  if (!click?.triggerId) return void (await ephemeral(deps, respond, INVALID_BUTTON));
  const request = await deps.requests.get(click.requestId);
  if (!request) return void (await ephemeral(deps, respond, UNKNOWN_REQUEST));
  return { ...click, triggerId: click.triggerId, request };
}

/**
 * Reject / approve fewer scopes: open the modal at once (the trigger_id lives 3 s), then
 * check who is asking and replace the modal with an explanation when they may not decide.
 * The submission checks again: it is the one that counts.
 */
export function createDecisionModalHandler(deps: Deps, build: (request: TokenRequest) => Block) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const click = await loadClickedRequest(deps, body, respond);
    if (!click) return;
    const { request } = click;
    if (request.status !== 'pending_approval') return void (await ephemeral(deps, respond, describeRefusal(request, 'not_pending')));
    const opened = await client.views.open({ trigger_id: click.triggerId, view: build(request) as never });
    const refused = request.requesterId === click.userId ? describeRefusal(request, 'own_request') : await checkApprover(deps, click.userId);
    if (refused && opened.view?.id) {
      await client.views.update({ view_id: opened.view.id, view: buildRefusalModal(refused) as never });
    }
  };
}

export const createRejectHandler = (deps: Deps) => createDecisionModalHandler(deps, buildRejectModal);
export const createNarrowHandler = (deps: Deps) => createDecisionModalHandler(deps, buildNarrowModal);

/** The requester cancels their pending request (button in their DM). */
export function createCancelHandler(deps: Deps) {
  return async ({ ack, body, respond }: Args): Promise<void> => {
    await ack();
    const click = readRequestButton(body);
    if (!click) return void (await ephemeral(deps, respond, INVALID_BUTTON));
    const result = await decideRequest(deps, click.requestId, { kind: 'cancel', by: click.userId });
    await ephemeral(deps, respond, result.ok ? `Cancelled your request *${result.request.name}*. Approvers can see it in the thread.` : result.message);
  };
}

/** "New request (pre-filled)": the request modal with the old request's values. */
export function createRequestAgainHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const click = await loadClickedRequest(deps, body, respond);
    if (!click) return;
    const { request } = click;
    if (request.requesterId !== click.userId) return void (await ephemeral(deps, respond, buildNotYoursMessage(request.requesterId, 'reuse this request')));
    const now = new Date();
    // An expiry that has come too close is replaced by the default, which validation accepts.
    const expiresOn = daysBetween(todayIn('UTC', now), request.expiresOn) >= 1 ? request.expiresOn : defaultExpiry('UTC', now);
    const values = { presetId: request.presetId, name: request.name, expiresOn, scopes: request.scopes, workspace: request.workspace, purpose: request.purpose };
    const view = buildRequestModal({ ...values, review: assessForModal(deps, values, now), metadata: { revision: 0, ...(request.renewsTokenId ? { renewsTokenId: request.renewsTokenId } : {}) } });
    await client.views.open({ trigger_id: click.triggerId, view: view as never });
  };
}
