import type { App } from '@slack/bolt';
import { ACTION, ADVISOR_ACTION, CALLBACK, COMMAND, REQUEST_ACTION } from '../blocks/ids.js';
import { createTokenCommandHandler } from './commands/bitbucket-token.js';
import { createPresetSelectHandler } from './actions/preset-select.js';
import { createPolicyRefreshHandler } from './actions/policy-notice.js';
import { createAdvisorOpenHandler } from './actions/advisor-open.js';
import { createAdvisorSelectHandler } from './actions/advisor-select.js';
import { createRecordTokenHandler } from './actions/record-token.js';
import { createHomeNewRequestHandler, createHomeRecordExistingHandler } from './actions/home-buttons.js';
import { createCalendarResetHandler, createCalendarSendLinkHandler } from './actions/calendar-buttons.js';
import {
  createReminderAdoptHandler,
  createReminderRenewHandler,
  createReminderRevokeHandler,
  createReminderRotatedHandler,
  createReminderSnoozeHandler,
} from './actions/reminder-buttons.js';
import {
  createApproveHandler,
  createCancelHandler,
  createNarrowHandler,
  createRejectHandler,
  createRequestAgainHandler,
} from './actions/approval-buttons.js';
import { createRequestSubmitHandler } from './views/request-submit.js';
import { createRecordSubmitHandler } from './views/record-submit.js';
import { createAdvisorSubmitHandler } from './views/advisor-submit.js';
import { createRotatedSubmitHandler } from './views/rotated-submit.js';
import { createNarrowSubmitHandler, createRejectSubmitHandler } from './views/decision-submit.js';
import { createAppHomeOpenedHandler } from './events/app-home-opened.js';
import { createLeakGuardHandler } from './events/message-leak-guard.js';
import type { Services } from './kit/services.js';
import { createStaleSubmissionGuard } from './kit/trigger-age.js';

/** Registers every listener: one line per Slack entry point, by kind. */
export function registerListeners(app: App, services: Services): void {
  // Overload: a view submission that reached us too late gets a "busy" error before any work.
  app.use(createStaleSubmissionGuard(services));

  // Commands
  app.command(COMMAND, createTokenCommandHandler(services));

  // Actions: the request modal
  app.action(REQUEST_ACTION.preset, createPresetSelectHandler(services));
  app.action(REQUEST_ACTION.expiry, createPolicyRefreshHandler(services));
  app.action(REQUEST_ACTION.scopes, createPolicyRefreshHandler(services));
  // Actions: the scope advisor pushed on the request modal
  app.action(REQUEST_ACTION.openAdvisor, createAdvisorOpenHandler(services));
  app.action(ADVISOR_ACTION.capabilities, createAdvisorSelectHandler(services));
  // Actions: the checklist, the App Home and the reminders
  app.action(ACTION.recordToken, createRecordTokenHandler(services));
  app.action(ACTION.homeNewRequest, createHomeNewRequestHandler(services));
  app.action(ACTION.homeRecordExisting, createHomeRecordExistingHandler(services));
  app.action(ACTION.calendarSendLink, createCalendarSendLinkHandler(services));
  app.action(ACTION.calendarReset, createCalendarResetHandler(services));
  app.action(ACTION.reminderRenew, createReminderRenewHandler(services));
  app.action(ACTION.reminderRotated, createReminderRotatedHandler(services));
  app.action(ACTION.reminderRevoke, createReminderRevokeHandler(services));
  app.action(ACTION.reminderSnooze, createReminderSnoozeHandler(services));
  app.action(ACTION.reminderAdopt, createReminderAdoptHandler(services));
  // Actions: approvals
  app.action(ACTION.approve, createApproveHandler(services));
  app.action(ACTION.approveNarrowed, createNarrowHandler(services));
  app.action(ACTION.reject, createRejectHandler(services));
  app.action(ACTION.cancelRequest, createCancelHandler(services));
  app.action(ACTION.requestAgain, createRequestAgainHandler(services));

  // Views (modal submissions)
  app.view(CALLBACK.requestModal, createRequestSubmitHandler(services));
  app.view(CALLBACK.advisorModal, createAdvisorSubmitHandler(services));
  app.view(CALLBACK.recordModal, createRecordSubmitHandler(services));
  app.view(CALLBACK.rotatedModal, createRotatedSubmitHandler(services));
  app.view(CALLBACK.rejectModal, createRejectSubmitHandler(services));
  app.view(CALLBACK.narrowModal, createNarrowSubmitHandler(services));

  // Events
  app.event('app_home_opened', createAppHomeOpenedHandler(services));
  app.event('message', createLeakGuardHandler(services));
}
