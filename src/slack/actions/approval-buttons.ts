import type { ModalView } from '@slack/types';
import { buildNarrowModal, buildRefusalModal, buildRejectModal } from '../../blocks/approval.js';
import { buildNotYoursMessage } from '../../blocks/messages.js';
import { daysBetween, todayIn } from '../../domain/dates.js';
import { REQUEST_ID } from '../../domain/record-ids.js';
import { defaultExpiry } from '../../domain/validation.js';
import type { TokenRequest } from '../../domain/types.js';
import { INVALID_BUTTON, UNKNOWN_REQUEST, checkApprover, decideRequest, describeRefusal } from '../kit/decide.js';
import { rebuildRequestModal } from '../kit/policy-review.js';
import { createRecordButtonListener, type RecordButton } from '../kit/record-button.js';
import type { Services } from '../kit/services.js';

/*
 * The buttons on an approval request (Approve, Approve fewer scopes, Reject) and in the
 * requester's DMs (Cancel request, New request). Each carries a request id; decisions are
 * compare-and-set in the store, so of simultaneous clicks exactly one wins.
 */

type DecideServices = Pick<Services, 'requests' | 'jobs' | 'approvers' | 'logger' | 'clock' | 'wallClock' | 'modalClient'>;

/** A button carrying a request id, answered like every record button. */
const requestButton = (
  deps: Pick<Services, 'requests' | 'logger' | 'wallClock' | 'modalClient'>,
  button: Pick<RecordButton<TokenRequest>, 'refuse' | 'act'>,
) =>
  createRecordButtonListener<TokenRequest>(deps, {
    idPattern: REQUEST_ID,
    load: (id) => deps.requests.get(id),
    invalidText: INVALID_BUTTON,
    missingText: UNKNOWN_REQUEST,
    ...button,
  });

/** Approve: only an approver, never on their own request; one decision wins. */
export const createApproveHandler = (deps: DecideServices) =>
  requestButton(deps, {
    refuse: (_request, userId) => checkApprover(deps, userId),
    async act({ record, userId, reply }) {
      const result = await decideRequest(deps, record.id, { kind: 'approve', by: userId });
      if (!result.ok) await reply(result.message);
    },
  });

/**
 * Reject / approve fewer scopes: open the modal at once (the trigger_id lives 3 s), then
 * check who is asking and replace the modal with an explanation when they may not decide.
 * The submission checks again: it is the one that counts.
 */
const createDecisionModalHandler = (deps: DecideServices, build: (request: TokenRequest) => ModalView) =>
  requestButton(deps, {
    refuse: (request) => (request.status === 'pending_approval' ? undefined : describeRefusal(request, 'not_pending')),
    async act({ record: request, userId, client, openModal }) {
      const opened = await openModal((trigger, modals) => modals.views.open({ trigger_id: trigger, view: build(request) }));
      if (!opened) return;
      const refused = request.requesterId === userId ? describeRefusal(request, 'own_request') : await checkApprover(deps, userId);
      if (refused && opened.view?.id) await client.views.update({ view_id: opened.view.id, view: buildRefusalModal(refused) });
    },
  });

export const createRejectHandler = (deps: DecideServices) => createDecisionModalHandler(deps, buildRejectModal);
export const createNarrowHandler = (deps: DecideServices) => createDecisionModalHandler(deps, buildNarrowModal);

/** The requester cancels their pending request (button in their DM); the domain refuses anyone else. */
export const createCancelHandler = (deps: DecideServices) =>
  requestButton(deps, {
    refuse: () => undefined,
    async act({ record, userId, reply }) {
      const result = await decideRequest(deps, record.id, { kind: 'cancel', by: userId });
      await reply(result.ok ? `Cancelled your request *${result.request.name}*. Approvers can see it in the thread.` : result.message);
    },
  });

/** "New request (pre-filled)": the request modal with the old request's values. */
export const createRequestAgainHandler = (
  deps: Pick<Services, 'requests' | 'logger' | 'clock' | 'wallClock' | 'config' | 'approvers' | 'modalClient'>,
) =>
  requestButton(deps, {
    refuse: (request, userId) =>
      request.requesterId === userId ? undefined : buildNotYoursMessage(request.requesterId, 'reuse this request'),
    async act({ record: request, openModal }) {
      const now = new Date(deps.clock.now());
      // An expiry that has come too close is replaced by the default, which validation accepts.
      const expiresOn = daysBetween(todayIn('UTC', now), request.expiresOn) >= 1 ? request.expiresOn : defaultExpiry('UTC', now);
      const metadata = { revision: 0, ...(request.renewsTokenId ? { renewsTokenId: request.renewsTokenId } : {}) };
      await openModal((trigger, modals) =>
        modals.views.open({ trigger_id: trigger, view: rebuildRequestModal(deps, { ...request, expiresOn }, metadata, now) }),
      );
    },
  });
