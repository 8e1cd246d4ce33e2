import { expect } from 'vitest';
import { CALLBACK, REQUEST_ACTION, REQUEST_BLOCK } from '../../src/blocks/ids.js';
import type { TestBot } from './test-bot.js';
import type { FakeSlackCall, StoredView } from './fake-slack.js';
import { input, viewSubmissionPayload, type RawOptions, type StateValues } from './slack-requests.js';

/** Helpers that drive the bot's user journeys the way Slack would. */

/** Sends `/bitbucket-token <text>` and returns the modal that views.open received. */
export async function openRequestModal(t: TestBot, userId = 'U1', text = ''): Promise<StoredView> {
  const after = t.slack.calls.length;
  const res = await t.sender.command({ user_id: userId, text });
  expect(res.status).toBe(200);
  const call = await t.slack.waitForCall('views.open', (c) => c.response['ok'] === true, { after });
  const view = (call.response['view'] ?? {}) as StoredView;
  return t.slack.views.get(view.id) ?? view;
}

export interface RequestValues {
  presetId?: string | null;
  name?: string | null;
  expiresOn?: string | null;
  scopes?: string[];
  workspace?: string | null;
  purpose?: string | null;
  /** "Stored in": one place per line. */
  places?: string | null;
  /** Co-owners (user ids) and the team channel id. */
  coOwners?: string[];
  teamChannelId?: string | null;
}

/** state.values as Slack would send them for the request modal. */
export function requestState(v: RequestValues): StateValues {
  return {
    [REQUEST_BLOCK.preset]: { [REQUEST_ACTION.preset]: input.select(v.presetId ?? 'custom') },
    [REQUEST_BLOCK.name]: { [REQUEST_ACTION.name]: input.text(v.name ?? null) },
    [REQUEST_BLOCK.expiry]: { [REQUEST_ACTION.expiry]: input.date(v.expiresOn ?? null) },
    [REQUEST_BLOCK.scopes]: { [REQUEST_ACTION.scopes]: input.multi(v.scopes ?? []) },
    [REQUEST_BLOCK.workspace]: { [REQUEST_ACTION.workspace]: input.text(v.workspace ?? null) },
    [REQUEST_BLOCK.purpose]: { [REQUEST_ACTION.purpose]: input.text(v.purpose ?? null) },
    [REQUEST_BLOCK.places]: { [REQUEST_ACTION.places]: input.text(v.places ?? null) },
    [REQUEST_BLOCK.coOwners]: { [REQUEST_ACTION.coOwners]: input.users(v.coOwners ?? []) },
    [REQUEST_BLOCK.teamChannel]: { [REQUEST_ACTION.teamChannel]: input.conversation(v.teamChannelId ?? null) },
  };
}

/** Submits the request modal; returns the HTTP response (errors come back in its body). */
export async function submitRequest(t: TestBot, userId: string, values: StateValues, view?: StoredView, opts?: RawOptions) {
  return t.sender.interaction(
    viewSubmissionPayload({
      userId,
      callbackId: CALLBACK.requestModal,
      values,
      ...(view
        ? { view }
        : { privateMetadata: JSON.stringify({ channelId: 'C1', responseUrl: `${t.slack.origin}/response/command`, revision: 0 }) }),
    }),
    opts,
  );
}

/** A date `days` after today in UTC, YYYY-MM-DD. */
export function daysFromNow(days: number, now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days)).toISOString().slice(0, 10);
}

/** The checklist DM sent to a user after `after`. */
export async function waitForChecklist(t: TestBot, userId: string, after = 0): Promise<FakeSlackCall> {
  return t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.args['channel'] === userId && JSON.stringify(c.args['blocks'] ?? '').includes('record_token'),
    { after },
  );
}

/** The request id carried by the checklist's record button. */
export function recordButtonValue(call: FakeSlackCall): string {
  const blocks = call.args['blocks'] as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'record_token');
  if (!button?.value) throw new Error('no record_token button in checklist');
  return button.value;
}

/** Reminders due at any hour on any day, swept every second: time is driven by expiry dates. */
export const REMINDERS_ANY_TIME = {
  REMINDER_HOUR: '0',
  REMINDER_LAST_HOUR: '24',
  REMINDER_WORKDAYS: '0,1,2,3,4,5,6',
  REMINDER_SWEEP_SECONDS: '1',
  REMINDER_FALLBACK_CHANNEL_ID: 'C0FALLBACK',
};
