import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { realNow } from './net.js';

/**
 * Helpers to send signed Slack requests (slash commands, interactions, events) to the app's Bolt
 * HTTPReceiver, plus builders for realistic payloads.
 */

export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/** HMAC-SHA256 over `v0:${ts}:${body}`, hex, prefixed `v0=`. */
export function signSlackRequest(
  body: string,
  signingSecret: string,
  timestampSec: number = Math.floor(realNow() / 1000),
): SlackSignatureHeaders {
  const ts = String(timestampSec);
  const sig = createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${sig}` };
}

let triggerSeq = 0;
/**
 * A unique trigger_id that embeds its issue time (`<seq>.<epochMs>.<hex>`), so the fake Slack can
 * reject it after 3 s (expired_trigger_id) or on reuse (exchanged_trigger_id).
 */
export function newTriggerId(issuedAtMs: number = realNow()): string {
  triggerSeq += 1;
  return `${1000 + triggerSeq}.${issuedAtMs}.${randomBytes(8).toString('hex')}`;
}

function actionTs(): string {
  const now = realNow();
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
}

export interface SlashCommandFields {
  team_id: string;
  team_domain: string;
  enterprise_id?: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  response_url: string;
  trigger_id: string;
  api_app_id: string;
  token?: string;
  ssl_check?: string;
}

export interface SlackResponse {
  status: number;
  text: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when empty / not JSON. */
  json(): unknown;
  /** Round-trip time in ms. */
  ms: number;
}

export interface RawOptions {
  /** Add valid signature headers (default true). */
  sign?: boolean;
  /** Timestamp to sign with (seconds); default now. */
  timestampSec?: number;
  /** Default application/x-www-form-urlencoded. */
  contentType?: string;
  /** Request path; default /slack/events. */
  path?: string;
}

export interface SlackSender {
  /** Send a slash command (form-encoded); returns the command's trigger_id-bearing fields too. */
  command(fields?: Partial<SlashCommandFields>, opts?: RawOptions): Promise<SlackResponse & { fields: SlashCommandFields }>;
  /** Send an interaction payload as `payload=<JSON>` (form-encoded). */
  interaction(payload: object, opts?: RawOptions): Promise<SlackResponse>;
  /** Send an Events API request (JSON). Bare events ({type:'app_home_opened',...}) are wrapped in an event_callback envelope. */
  event(envelopeOrEvent: object, headers?: Record<string, string>): Promise<SlackResponse>;
  raw(body: string, headers?: Record<string, string>, opts?: RawOptions): Promise<SlackResponse>;
}

export interface SlackSenderOptions {
  /** e.g. http://127.0.0.1:PORT (no trailing path). */
  baseUrl: string;
  signingSecret: string;
  /** Default /slack/events. */
  path?: string;
  /** Default response_url for commands. */
  responseUrl?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export function createSlackSender(opts: SlackSenderOptions): SlackSender {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const defaultPath = opts.path ?? '/slack/events';

  async function raw(body: string, headers: Record<string, string> = {}, ro: RawOptions = {}): Promise<SlackResponse> {
    const sign = ro.sign ?? true;
    const allHeaders: Record<string, string> = {
      'content-type': ro.contentType ?? 'application/x-www-form-urlencoded',
      ...(sign ? signSlackRequest(body, opts.signingSecret, ro.timestampSec) : {}),
      ...headers,
    };
    const started = performance.now();
    const res = await fetch(`${base}${ro.path ?? defaultPath}`, {
      method: 'POST',
      headers: allHeaders,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    return {
      status: res.status,
      text,
      headers: Object.fromEntries(res.headers.entries()),
      ms,
      json() {
        if (!text) return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      },
    };
  }

  return {
    async command(fields = {}, ro = {}) {
      const full: SlashCommandFields = {
        token: 'verification-token',
        team_id: 'T1',
        team_domain: 'acme',
        channel_id: 'C1',
        channel_name: 'general',
        user_id: 'U1',
        user_name: 'alice',
        command: '/bitbucket-token',
        text: '',
        response_url: opts.responseUrl ?? 'https://hooks.slack.test/commands/1',
        trigger_id: newTriggerId(),
        api_app_id: 'A1',
        ...fields,
      };
      const body = new URLSearchParams(Object.entries(full).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();
      const res = await raw(body, {}, ro);
      return Object.assign(res, { fields: full });
    },
    interaction(payload, ro = {}) {
      return raw(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), {}, ro);
    },
    event(envelopeOrEvent, headers = {}) {
      const e = envelopeOrEvent as Record<string, unknown>;
      const isEnvelope = 'event' in e || e['type'] === 'url_verification' || e['type'] === 'event_callback';
      const envelope = isEnvelope ? eventEnvelope(e['event'] as object | undefined, e) : eventEnvelope(e);
      return raw(JSON.stringify(envelope), headers, { contentType: 'application/json' });
    },
    raw,
  };
}

/** Events API envelope with realistic defaults; `overrides` wins. */
export function eventEnvelope(event?: object, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const nowSec = Math.floor(realNow() / 1000);
  return {
    token: 'verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: nowSec,
    authorizations: [{ enterprise_id: null, team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    ...(event ? { event } : {}),
    ...overrides,
  };
}

export function appHomeOpenedEvent(userId: string, tab: 'home' | 'messages' = 'home'): Record<string, unknown> {
  return { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab, event_ts: actionTs() };
}

// ---------------------------------------------------------------------------------------------
// state.values builders

export type StateValue =
  | { type: 'plain_text_input'; value: string | null }
  | { type: 'datepicker'; selected_date: string | null }
  | { type: 'timepicker'; selected_time: string | null }
  | { type: 'static_select'; selected_option: SelectedOption | null }
  | { type: 'multi_static_select'; selected_options: SelectedOption[] }
  | { type: 'checkboxes'; selected_options: SelectedOption[] }
  | { type: 'radio_buttons'; selected_option: SelectedOption | null }
  | { type: 'users_select'; selected_user: string | null }
  | { type: 'multi_users_select'; selected_users: string[] }
  | { type: 'conversations_select'; selected_conversation: string | null };

export interface SelectedOption {
  text: { type: 'plain_text'; text: string; emoji: boolean };
  value: string;
}

export type StateValues = Record<string, Record<string, StateValue>>;

export function option(value: string, text: string = value): SelectedOption {
  return { text: { type: 'plain_text', text, emoji: true }, value };
}

/** Builders for one state.values[block_id][action_id] entry, shaped like Slack sends them. */
export const input = {
  /** Empty text inputs arrive as value null. */
  text: (value: string | null): StateValue => ({ type: 'plain_text_input', value: value === '' ? null : value }),
  date: (date: string | null): StateValue => ({ type: 'datepicker', selected_date: date }),
  time: (time: string | null): StateValue => ({ type: 'timepicker', selected_time: time }),
  select: (value: string | null, text?: string): StateValue => ({
    type: 'static_select',
    selected_option: value === null ? null : option(value, text),
  }),
  multi: (values: string[]): StateValue => ({ type: 'multi_static_select', selected_options: values.map((v) => option(v)) }),
  checkboxes: (values: string[]): StateValue => ({ type: 'checkboxes', selected_options: values.map((v) => option(v)) }),
  radio: (value: string | null): StateValue => ({ type: 'radio_buttons', selected_option: value === null ? null : option(value) }),
  user: (userId: string | null): StateValue => ({ type: 'users_select', selected_user: userId }),
  users: (userIds: string[]): StateValue => ({ type: 'multi_users_select', selected_users: userIds }),
  conversation: (id: string | null): StateValue => ({ type: 'conversations_select', selected_conversation: id }),
};

/** Identity helper for typing: stateValues({ block_id: { action_id: input.text('x') } }). */
export function stateValues(values: StateValues): StateValues {
  return values;
}

// ---------------------------------------------------------------------------------------------
// interaction payloads

function userObj(userId: string, userName?: string): Record<string, unknown> {
  const name = userName ?? userId.toLowerCase();
  return { id: userId, username: name, name, team_id: 'T1' };
}

export interface BlockActionsOptions {
  userId: string;
  userName?: string;
  actionId: string;
  blockId: string;
  value?: string;
  /** Element type; default derived: static_select / multi_static_select / datepicker / button. */
  actionType?: string;
  selectedOption?: { value: string; text?: string } | null;
  selectedOptions?: Array<{ value: string; text?: string }>;
  selectedDate?: string | null;
  /** The view the action happened in (e.g. `slack.views.get(id)`); makes the container a view. */
  view?: Record<string, unknown>;
  /** State to attach (defaults to the view's state or {values:{}}). */
  state?: { values: StateValues };
  /** The message the action happened in (message container). */
  message?: Record<string, unknown>;
  channelId?: string;
  triggerId?: string;
  responseUrl?: string;
}

export function blockActionsPayload(o: BlockActionsOptions): Record<string, unknown> {
  const type =
    o.actionType ??
    (o.selectedOptions !== undefined
      ? 'multi_static_select'
      : o.selectedOption !== undefined
        ? 'static_select'
        : o.selectedDate !== undefined
          ? 'datepicker'
          : 'button');
  const action: Record<string, unknown> = {
    action_id: o.actionId,
    block_id: o.blockId,
    type,
    action_ts: actionTs(),
  };
  if (o.value !== undefined) action['value'] = o.value;
  if (type === 'button') action['text'] = { type: 'plain_text', text: o.value ?? o.actionId, emoji: true };
  if (o.selectedOption !== undefined) {
    action['selected_option'] = o.selectedOption === null ? null : option(o.selectedOption.value, o.selectedOption.text);
  }
  if (o.selectedOptions !== undefined) action['selected_options'] = o.selectedOptions.map((s) => option(s.value, s.text));
  if (o.selectedDate !== undefined) action['selected_date'] = o.selectedDate;

  const base: Record<string, unknown> = {
    type: 'block_actions',
    user: userObj(o.userId, o.userName),
    api_app_id: 'A1',
    token: 'verification-token',
    trigger_id: o.triggerId ?? newTriggerId(),
    team: { id: 'T1', domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    actions: [action],
  };

  if (o.view) {
    const viewState = (o.view['state'] as { values: StateValues } | undefined) ?? { values: {} };
    const state = o.state ?? viewState;
    const viewId = String(o.view['id'] ?? 'V000000001');
    return {
      ...base,
      container: { type: 'view', view_id: viewId },
      view: { ...o.view, id: viewId, state },
      state,
    };
  }
  const channelId = o.channelId ?? (o.message && typeof o.message['channel'] === 'string' ? o.message['channel'] : 'C1');
  const messageTs = o.message && typeof o.message['ts'] === 'string' ? o.message['ts'] : actionTs();
  return {
    ...base,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    channel: { id: channelId, name: channelId.startsWith('D') ? 'directmessage' : 'general' },
    message: { type: 'message', user: 'UBOT', bot_id: 'BBOT', text: '', ts: messageTs, ...(o.message ?? {}) },
    state: o.state ?? { values: {} },
    response_url: o.responseUrl ?? 'https://hooks.slack.test/actions/1',
  };
}

export interface ViewSubmissionOptions {
  userId: string;
  userName?: string;
  /** Defaults to view.callback_id. */
  callbackId?: string;
  /** Defaults to view.private_metadata or ''. */
  privateMetadata?: string;
  values: StateValues;
  viewId?: string;
  /** Base view, e.g. the one the fake Slack stored (`slack.views.get(id)`). */
  view?: Record<string, unknown>;
  triggerId?: string;
}

export function viewSubmissionPayload(o: ViewSubmissionOptions): Record<string, unknown> {
  const baseView = o.view ?? {};
  const id = o.viewId ?? (typeof baseView['id'] === 'string' ? baseView['id'] : 'V000000001');
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: userObj(o.userId, o.userName),
    api_app_id: 'A1',
    token: 'verification-token',
    trigger_id: o.triggerId ?? newTriggerId(),
    enterprise: null,
    is_enterprise_install: false,
    response_urls: [],
    view: {
      id,
      team_id: 'T1',
      type: 'modal',
      blocks: [],
      title: { type: 'plain_text', text: 'Modal' },
      close: null,
      submit: null,
      hash: `${Math.floor(realNow() / 1000)}.abcdef`,
      previous_view_id: null,
      root_view_id: id,
      app_id: 'A1',
      external_id: '',
      app_installed_team_id: 'T1',
      bot_id: 'BBOT',
      ...baseView,
      callback_id: o.callbackId ?? (typeof baseView['callback_id'] === 'string' ? baseView['callback_id'] : ''),
      private_metadata: o.privateMetadata ?? (typeof baseView['private_metadata'] === 'string' ? baseView['private_metadata'] : ''),
      state: { values: o.values },
    },
  };
}

export function viewClosedPayload(o: { userId: string; view: Record<string, unknown>; isCleared?: boolean }): Record<string, unknown> {
  return {
    type: 'view_closed',
    team: { id: 'T1', domain: 'acme' },
    user: userObj(o.userId),
    api_app_id: 'A1',
    token: 'verification-token',
    view: o.view,
    is_cleared: o.isCleared ?? false,
    is_enterprise_install: false,
  };
}
