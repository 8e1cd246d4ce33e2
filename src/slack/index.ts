import type { App } from '@slack/bolt';
import { ACTION, CALLBACK, COMMAND, REQUEST_ACTION } from '../blocks/ids.js';
import { createHomeNewRequestHandler, createHomeRecordExistingHandler } from './actions/home-buttons.js';
import { createRecordSubmitHandler } from './views/record-submit.js';
import { createAppHomeOpenedHandler } from './events/app-home-opened.js';
import { createLeakGuardHandler } from './events/message-leak-guard.js';
import { createTokenCommandHandler } from './commands/bitbucket-token.js';
import { createPresetSelectHandler } from './actions/preset-select.js';
import { createRecordTokenHandler } from './actions/record-token.js';
import { createRequestSubmitHandler } from './views/request-submit.js';
import { createReminderRenewHandler } from './actions/reminder-renew.js';
import { createReminderRotatedHandler } from './actions/reminder-rotated.js';
import { createReminderRevokeHandler } from './actions/reminder-revoke.js';
import { createReminderSnoozeHandler } from './actions/reminder-snooze.js';
import { createReminderAdoptHandler } from './actions/reminder-adopt.js';
import { createRotatedSubmitHandler } from './views/rotated-submit.js';
import { createApproveHandler, createCancelHandler, createNarrowHandler, createRejectHandler, createRequestAgainHandler } from './actions/approval-buttons.js';
import { createNarrowSubmitHandler, createRejectSubmitHandler } from './views/decision-submit.js';
import { createPolicyRefreshHandler } from './actions/policy-notice.js';
import type { Deps } from './kit/services.js';

/** Registers every listener. One line per Slack entry point. */
export function registerListeners(app: App, deps: Deps): void {
  app.command(COMMAND, createTokenCommandHandler(deps));
  app.action(REQUEST_ACTION.preset, createPresetSelectHandler(deps));
  app.view(CALLBACK.requestModal, createRequestSubmitHandler(deps));
  app.action(ACTION.recordToken, createRecordTokenHandler(deps));
  app.action(ACTION.reminderRenew, createReminderRenewHandler(deps));
  app.action(ACTION.reminderRotated, createReminderRotatedHandler(deps));
  app.action(ACTION.reminderRevoke, createReminderRevokeHandler(deps));
  app.action(ACTION.reminderSnooze, createReminderSnoozeHandler(deps));
  app.action(ACTION.reminderAdopt, createReminderAdoptHandler(deps));
  app.view(CALLBACK.rotatedModal, createRotatedSubmitHandler(deps));
  app.action(ACTION.homeNewRequest, createHomeNewRequestHandler(deps));
  app.action(ACTION.homeRecordExisting, createHomeRecordExistingHandler(deps));
  app.view(CALLBACK.recordModal, createRecordSubmitHandler(deps));
  app.event('app_home_opened', createAppHomeOpenedHandler(deps));
  app.event('message', createLeakGuardHandler(deps));
  app.action(REQUEST_ACTION.expiry, createPolicyRefreshHandler(deps));
  app.action(REQUEST_ACTION.scopes, createPolicyRefreshHandler(deps));
  app.action(ACTION.approve, createApproveHandler(deps));
  app.action(ACTION.approveNarrowed, createNarrowHandler(deps));
  app.action(ACTION.reject, createRejectHandler(deps));
  app.action(ACTION.cancelRequest, createCancelHandler(deps));
  app.action(ACTION.requestAgain, createRequestAgainHandler(deps));
  app.view(CALLBACK.rejectModal, createRejectSubmitHandler(deps));
  app.view(CALLBACK.narrowModal, createNarrowSubmitHandler(deps));
}
