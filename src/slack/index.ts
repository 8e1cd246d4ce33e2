import type { App } from '@slack/bolt';
import { ACTION, ADVISOR_ACTION, CALLBACK, COMMAND, REQUEST_ACTION } from '../blocks/ids.js';
import { createTokenCommandHandler } from './commands/bitbucket-token.js';
import { createPresetSelectHandler } from './actions/preset-select.js';
import { createPolicyRefreshHandler } from './actions/policy-notice.js';
import { createAdvisorOpenHandler } from './actions/advisor-open.js';
import { createAdvisorSelectHandler } from './actions/advisor-select.js';
import { createRecordTokenHandler } from './actions/record-token.js';
import { createHomeNewRequestHandler, createHomeRecordExistingHandler } from './actions/home-buttons.js';
import {
  createCalendarResetChannelHandler,
  createCalendarResetHandler,
  createCalendarSendLinkHandler,
} from './actions/calendar-buttons.js';
import { createOrgSyncNowHandler } from './actions/org-sync-now.js';
import {
  createReminderAdoptHandler,
  createReminderRenewHandler,
  createReminderRevokeHandler,
  createReminderRotatedHandler,
  createReminderScopesHandler,
  createReminderSnoozeHandler,
} from './actions/reminder-buttons.js';
import { createScopesSubmitHandler } from './views/scopes-submit.js';
import {
  createApproveHandler,
  createCancelHandler,
  createNarrowHandler,
  createRejectHandler,
  createRequestAgainHandler,
} from './actions/approval-buttons.js';
import { createRequestSubmitHandler } from './views/request-submit.js';
import { createRecordSubmitHandler } from './views/record-submit.js';
import { createTeamSubmitHandler } from './views/team-submit.js';
import { createHomeEditTeamHandler } from './actions/home-team.js';
import { createAdvisorSubmitHandler } from './views/advisor-submit.js';
import { createRotatedSubmitHandler } from './views/rotated-submit.js';
import { createNarrowSubmitHandler, createRejectSubmitHandler } from './views/decision-submit.js';
import { createAppHomeOpenedHandler } from './events/app-home-opened.js';
import { createLeakGuardHandler } from './events/message-leak-guard.js';
import type { Services } from './kit/services.js';
import { createStaleSubmissionGuard } from './kit/trigger-age.js';
import { ListenerRoutes } from './kit/routes.js';

/** Registers every listener: one line per Slack entry point, by kind. */
export function registerListeners(app: App, services: Services): void {
  // Overload: a view submission that reached us too late gets a "busy" error before any work.
  app.use(createStaleSubmissionGuard(services));

  // Commands
  app.command(COMMAND, createTokenCommandHandler(services));

  // Actions and view submissions go through one Bolt listener per kind (kit/routes.ts).
  const routes = new ListenerRoutes();

  // Actions: the request modal
  routes.action(REQUEST_ACTION.preset, createPresetSelectHandler(services));
  routes.action(REQUEST_ACTION.expiry, createPolicyRefreshHandler(services));
  routes.action(REQUEST_ACTION.scopes, createPolicyRefreshHandler(services));
  // Actions: the scope advisor pushed on the request modal
  routes.action(REQUEST_ACTION.openAdvisor, createAdvisorOpenHandler(services));
  routes.action(ADVISOR_ACTION.capabilities, createAdvisorSelectHandler(services));
  // Actions: the checklist, the App Home and the reminders
  routes.action(ACTION.recordToken, createRecordTokenHandler(services));
  routes.action(ACTION.homeNewRequest, createHomeNewRequestHandler(services));
  routes.action(ACTION.homeRecordExisting, createHomeRecordExistingHandler(services));
  routes.action(ACTION.homeEditTeam, createHomeEditTeamHandler(services));
  routes.action(ACTION.calendarSendLink, createCalendarSendLinkHandler(services));
  routes.action(ACTION.calendarReset, createCalendarResetHandler(services));
  routes.action(ACTION.calendarResetChannel, createCalendarResetChannelHandler(services));
  routes.action(ACTION.orgSyncNow, createOrgSyncNowHandler(services));
  routes.action(ACTION.reminderRenew, createReminderRenewHandler(services));
  routes.action(ACTION.reminderRotated, createReminderRotatedHandler(services));
  routes.action(ACTION.reminderRevoke, createReminderRevokeHandler(services));
  routes.action(ACTION.reminderSnooze, createReminderSnoozeHandler(services));
  routes.action(ACTION.reminderAdopt, createReminderAdoptHandler(services));
  routes.action(ACTION.reminderScopes, createReminderScopesHandler(services));
  // Actions: approvals
  routes.action(ACTION.approve, createApproveHandler(services));
  routes.action(ACTION.approveNarrowed, createNarrowHandler(services));
  routes.action(ACTION.reject, createRejectHandler(services));
  routes.action(ACTION.cancelRequest, createCancelHandler(services));
  routes.action(ACTION.requestAgain, createRequestAgainHandler(services));

  // Views (modal submissions)
  routes.view(CALLBACK.requestModal, createRequestSubmitHandler(services));
  routes.view(CALLBACK.advisorModal, createAdvisorSubmitHandler(services));
  routes.view(CALLBACK.recordModal, createRecordSubmitHandler(services));
  routes.view(CALLBACK.rotatedModal, createRotatedSubmitHandler(services));
  routes.view(CALLBACK.scopesModal, createScopesSubmitHandler(services));
  routes.view(CALLBACK.teamModal, createTeamSubmitHandler(services));
  routes.view(CALLBACK.rejectModal, createRejectSubmitHandler(services));
  routes.view(CALLBACK.narrowModal, createNarrowSubmitHandler(services));

  routes.register(app);

  // Events
  app.event('app_home_opened', createAppHomeOpenedHandler(services));
  app.event('message', createLeakGuardHandler(services));
}
