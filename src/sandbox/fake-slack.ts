import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { checkSurface } from './block-kit-limits.js';
import { realClearTimeout, realNow, realSetTimeout, sleep } from './net.js';

/**
 * Emulated Slack Web API on 127.0.0.1, shared by the tests and the local sandbox (src/sandbox).
 * Point Bolt at it with `new App({ clientOptions: { slackApiUrl: slack.url } })`.
 */

export interface FakeUser {
  name?: string;
  real_name?: string;
  deleted?: boolean;
  /** IANA zone, default 'UTC'. */
  tz?: string;
  /** Seconds east of UTC; derived from tz when omitted. */
  tz_offset?: number;
  is_bot?: boolean;
  profile?: Record<string, unknown>;
}

/** A channel conversations.info knows (ids not registered answer channel_not_found). */
export interface FakeChannel {
  name?: string;
  /** A private channel (conversations.info says is_private / is_group). */
  is_private?: boolean;
  /** Whether the bot is in it; default true. chat.postMessage answers not_in_channel when false. */
  is_member?: boolean;
  /** chat.postMessage answers is_archived when true. */
  is_archived?: boolean;
}

export interface FakeSlackOptions {
  users?: Record<string, FakeUser>;
  /** Channels for conversations.info (and posting refusals), by id. */
  channels?: Record<string, FakeChannel>;
  /**
   * Per-method sliding-window limits, e.g. { 'chat.postMessage': { perMinute: 60 } }, or with a
   * window of your own, e.g. { limit: 100, windowMs: 1000 } (benchmarks need seconds, not minutes).
   */
  rateLimits?: Record<string, { perMinute: number } | { limit: number; windowMs: number }>;
  /** When true users.info answers user_not_found for ids not in `users`/setUser(). Default false. */
  strictUsers?: boolean;
  /**
   * trigger_ids produced by slack-requests.ts embed their issue time; views.open/push reject them
   * after this many ms with expired_trigger_id (and reused ones with exchanged_trigger_id).
   * Default 3000 (Slack's rule). Set to Infinity to disable expiry.
   */
  triggerTtlMs?: number;
  /** Port to listen on (default: any free port). */
  port?: number;
  /**
   * The time message timestamps are taken from (default: the wall clock). The sandbox passes
   * its time-travel clock, so conversations.history's `oldest` agrees with the bot's clock.
   */
  now?: () => number;
}

/** A message a person posted (the sandbox's composer); the bot hears of it through a message event. */
export interface UserMessage {
  channel: string;
  user: string;
  text: string;
  thread_ts?: string;
}

export interface FakeSlackCall {
  /** Position in `calls` (resets with reset()). */
  index: number;
  method: string;
  /** The request's path, e.g. /api/chat.postMessage or /response/<id>. */
  path: string;
  /** Request arguments; view / blocks / attachments / metadata JSON-parsed. */
  args: Record<string, unknown>;
  /** Token from the Authorization header (or body `token`). */
  token: string | undefined;
  /** realNow() ms when received. */
  at: number;
  /** HTTP status answered. */
  status: number;
  /** JSON body answered. */
  response: Record<string, unknown>;
}

export interface FailSpec {
  /** HTTP status to answer (e.g. 500). Body {ok:false,error:'fake_http_<status>'}. */
  status?: number;
  /** Answer 200 {ok:false, error}. */
  error?: string;
  /** Answer 429 with Retry-After: <seconds> and error 'ratelimited'. */
  retryAfter?: number;
  /** Delay before answering (alone: a slow but otherwise normal answer). */
  delayMs?: number;
  /** How many upcoming calls this applies to (default 1). */
  times?: number;
}

export interface StoredView extends Record<string, unknown> {
  id: string;
  hash: string;
  type: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: unknown;
  blocks: unknown;
  attachments: unknown;
  thread_ts?: string;
  /** All versions (post + updates), oldest first. */
  history: Array<Record<string, unknown>>;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only consider calls with index >= after (e.g. `slack.calls.length` before acting). */
  after?: number;
}

export type CallPredicate = (call: FakeSlackCall) => boolean;

export interface FakeSlack {
  /** Base URL ending in /api/ for slackApiUrl. */
  url: string;
  /** http://127.0.0.1:PORT (no path). */
  origin: string;
  port: number;
  readonly calls: FakeSlackCall[];
  readonly violations: Array<{ method: string; messages: string[] }>;
  /** Latest version of every opened/published view by view id. */
  readonly views: Map<string, StoredView>;
  /** Messages by `${channel}/${ts}`. */
  readonly messages: Map<string, StoredMessage>;
  readonly stats: { rateLimited: Record<string, number>; calls: Record<string, number> };
  callsTo(method: string): FakeSlackCall[];
  /** First matching call (past calls included). The third argument is a timeout in ms or options. */
  waitForCall(method: string, predicate?: CallPredicate, timeout?: number | WaitOptions): Promise<FakeSlackCall>;
  waitForCalls(method: string, count: number, predicate?: CallPredicate, timeout?: number | WaitOptions): Promise<FakeSlackCall[]>;
  failNext(method: string, spec: FailSpec): void;
  /** Drops every failure queued by failNext that has not been used yet. */
  clearFailures(): void;
  setRateLimit(method: string, perMinute: number | null): void;
  setUser(id: string, user: FakeUser): void;
  setUsergroup(id: string, userIds: string[]): void;
  /** Registers (or changes) a channel for conversations.info. */
  setChannel(id: string, channel: FakeChannel): void;
  /** Latest Home tab view published for a user. */
  homeView(userId: string): StoredView | undefined;
  /** Message stored for (channel, ts); a 'U…' channel is mapped to its 'D…' DM. */
  message(channel: string, ts: string): StoredMessage | undefined;
  /** Clears calls, violations, stats, failures, views and messages (users/usergroups/rate limits are kept). */
  reset(): void;
  /** Calls `listener` with every call once it is answered; returns the unsubscribe function. */
  onCall(listener: (call: FakeSlackCall) => void): () => void;
  /** Stores a message posted by a person, as Slack would; returns its stored form (ts assigned). */
  postUserMessage(message: UserMessage): Record<string, unknown>;
  stop(): Promise<void>;
}

const JSON_FIELDS = ['view', 'blocks', 'attachments', 'metadata'];

type Handler = (args: Record<string, unknown>) => Record<string, unknown>;

interface Waiter {
  method: string;
  predicate: CallPredicate | undefined;
  after: number;
  count: number;
  resolve: (calls: FakeSlackCall[]) => void;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function tzOffsetSeconds(tz: string): number {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(new Date(realNow()))
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
    if (!m) return 0;
    const sign = m[1] === '-' ? -1 : 1;
    return sign * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  } catch {
    return 0;
  }
}

function dmFor(channel: string): string {
  return /^[UW][A-Z0-9]+$/.test(channel) ? `D${channel}` : channel;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: FakeSlackCall[] = [];
  const violations: Array<{ method: string; messages: string[] }> = [];
  const views = new Map<string, StoredView>();
  const externalIds = new Map<string, string>();
  const homeIds = new Map<string, string>();
  const messages = new Map<string, StoredMessage>();
  const stats = { rateLimited: {} as Record<string, number>, calls: {} as Record<string, number> };
  const failures = new Map<string, Array<FailSpec & { remaining: number }>>();
  const rateLimits = new Map<string, { limit: number; windowMs: number }>(
    Object.entries(opts.rateLimits ?? {}).map(([m, r]) => [m, 'perMinute' in r ? { limit: r.perMinute, windowMs: 60_000 } : r]),
  );
  const windows = new Map<string, number[]>();
  const users = new Map<string, FakeUser>(Object.entries(opts.users ?? {}));
  /** A member as users.info and users.lookupByEmail answer it. */
  const userObject = (id: string, u: FakeUser) => {
    const tz = u.tz ?? 'UTC';
    return {
      id,
      team_id: 'T1',
      name: u.name ?? id.toLowerCase(),
      real_name: u.real_name ?? u.name ?? id,
      deleted: u.deleted ?? false,
      tz,
      tz_label: tz,
      tz_offset: u.tz_offset ?? tzOffsetSeconds(tz),
      is_bot: u.is_bot ?? false,
      is_app_user: false,
      profile: { real_name: u.real_name ?? u.name ?? id, display_name: u.name ?? '', ...(u.profile ?? {}) },
    };
  };
  const usergroups = new Map<string, string[]>();
  const channels = new Map<string, FakeChannel>(Object.entries(opts.channels ?? {}));
  const usedTriggers = new Set<string>();
  const triggerTtlMs = opts.triggerTtlMs ?? 3000;
  const messageNow = opts.now ?? realNow;
  const callListeners = new Set<(call: FakeSlackCall) => void>();
  let waiters: Waiter[] = [];
  let viewSeq = 0;
  let tsSeq = 0;
  // Like Slack's: the seconds are the time the message was posted (conversations.history's
  // `oldest` filters on it); the sequence keeps every ts unique and increasing.
  const nextTs = () => {
    tsSeq += 1;
    return `${Math.floor(messageNow() / 1000)}.${String(tsSeq % 1_000_000).padStart(6, '0')}`;
  };
  const newHash = () => `${Math.floor(realNow() / 1000)}.${randomBytes(6).toString('hex')}`;
  const newViewId = () => {
    viewSeq += 1;
    return `V${String(viewSeq).padStart(9, '0')}`;
  };

  const fail = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

  /** Returns an error response if the surface violates limits (and records the violation). */
  function validate(method: string, kind: 'modal' | 'home' | 'message', payload: unknown): Record<string, unknown> | undefined {
    const msgs = checkSurface(kind, payload);
    if (msgs.length === 0) return undefined;
    violations.push({ method, messages: msgs });
    if (kind === 'message') {
      const onlyText = msgs.every((m) => m.startsWith('text:'));
      return fail(onlyText ? 'msg_too_long' : 'invalid_blocks', { errors: msgs, response_metadata: { messages: msgs } });
    }
    return fail('invalid_arguments', { errors: msgs, response_metadata: { messages: msgs } });
  }

  /** Trigger checks for views.open / views.push. */
  function checkTrigger(trigger: string | undefined): Record<string, unknown> | undefined {
    if (!trigger) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    if (usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
    const m = /^\d+\.(\d{13})\.[0-9a-f]+$/.exec(trigger);
    if (m && realNow() - Number(m[1]) > triggerTtlMs) return fail('expired_trigger_id');
    usedTriggers.add(trigger);
    return undefined;
  }

  function storeView(id: string, view: Record<string, unknown>, extra: Record<string, unknown> = {}): StoredView {
    const prev = views.get(id);
    const stored: StoredView = {
      team_id: 'T1',
      app_id: 'A1',
      bot_id: 'BBOT',
      app_installed_team_id: 'T1',
      state: { values: {} },
      previous_view_id: null,
      root_view_id: id,
      private_metadata: '',
      callback_id: '',
      external_id: '',
      ...(prev
        ? {
            root_view_id: prev['root_view_id'],
            previous_view_id: prev['previous_view_id'],
            ...(prev['user_id'] !== undefined ? { user_id: prev['user_id'] } : {}),
          }
        : {}),
      ...extra,
      ...view,
      id,
      hash: newHash(),
      type: typeof view['type'] === 'string' ? view['type'] : 'modal',
    };
    if (prev && typeof prev['external_id'] === 'string' && prev['external_id'] && prev['external_id'] !== stored['external_id']) {
      externalIds.delete(prev['external_id']);
    }
    if (typeof stored['external_id'] === 'string' && stored['external_id']) externalIds.set(stored['external_id'], id);
    views.set(id, stored);
    return stored;
  }

  function getView(args: Record<string, unknown>): Record<string, unknown> | string {
    const view = args['view'];
    if (typeof view === 'object' && view !== null && !Array.isArray(view)) return view as Record<string, unknown>;
    return 'invalid_arguments';
  }

  function openLike(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const view = getView(args);
    if (typeof view === 'string') return fail(view);
    const bad = validate(method, 'modal', view);
    if (bad) return bad;
    const trig = checkTrigger(str(args['trigger_id']));
    if (trig) return trig;
    const ext = str(view['external_id']);
    if (ext && externalIds.has(ext)) return fail('duplicate_external_id');
    const stored = storeView(newViewId(), view);
    return { ok: true, view: stored };
  }

  function chatPayloadError(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
    if (!str(args['channel'])) return fail('channel_not_found');
    return validate(method, 'message', args);
  }

  function messageObj(args: Record<string, unknown>, ts: string): Record<string, unknown> {
    return {
      type: 'message',
      user: 'UBOT',
      bot_id: 'BBOT',
      app_id: 'A1',
      team: 'T1',
      text: typeof args['text'] === 'string' ? args['text'] : '',
      ...(args['blocks'] !== undefined ? { blocks: args['blocks'] } : {}),
      ...(args['attachments'] !== undefined ? { attachments: args['attachments'] } : {}),
      ...(args['metadata'] !== undefined ? { metadata: args['metadata'] } : {}),
      ...(str(args['thread_ts']) ? { thread_ts: args['thread_ts'] } : {}),
      ts,
    };
  }

  const handlers: Record<string, Handler> = {
    'api.test': (args) => ({ ok: true, args }),
    'auth.test': () => ({
      ok: true,
      url: 'https://acme.slack.test/',
      team: 'Acme',
      user: 'tokenbot',
      team_id: 'T1',
      user_id: 'UBOT',
      bot_id: 'BBOT',
      is_enterprise_install: false,
    }),
    'bots.info': (args) =>
      args['bot'] === 'BBOT'
        ? { ok: true, bot: { id: 'BBOT', deleted: false, name: 'tokenbot', updated: 0, app_id: 'A1', user_id: 'UBOT', icons: {} } }
        : fail('bot_not_found'),
    'views.open': (args) => openLike('views.open', args),
    'views.push': (args) => openLike('views.push', args),
    'views.update': (args) => {
      const view = getView(args);
      if (typeof view === 'string') return fail(view);
      const viewId = str(args['view_id']);
      const extId = str(args['external_id']);
      if (!viewId && !extId)
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] view_id or external_id required'] } });
      const id = viewId ?? externalIds.get(extId ?? '');
      const prev = id ? views.get(id) : undefined;
      if (!id || !prev) return fail('not_found');
      const bad = validate('views.update', prev['type'] === 'home' ? 'home' : 'modal', view);
      if (bad) return bad;
      const hash = str(args['hash']);
      if (hash && hash !== prev.hash) return fail('hash_conflict');
      const stored = storeView(id, view);
      return { ok: true, view: stored };
    },
    'views.publish': (args) => {
      const view = getView(args);
      if (typeof view === 'string') return fail(view);
      const userId = str(args['user_id']);
      if (!userId) return fail('invalid_arguments');
      const bad = validate('views.publish', 'home', view);
      if (bad) return bad;
      const existing = homeIds.get(userId);
      const hash = str(args['hash']);
      if (hash && existing && hash !== views.get(existing)?.hash) return fail('hash_conflict');
      const id = existing ?? newViewId();
      homeIds.set(userId, id);
      const stored = storeView(id, view, { user_id: userId });
      return { ok: true, view: stored };
    },
    'chat.postMessage': (args) => {
      const bad = chatPayloadError('chat.postMessage', args);
      if (bad) return bad;
      if (args['text'] === undefined && args['blocks'] === undefined && args['attachments'] === undefined) return fail('no_text');
      const channel = dmFor(String(args['channel']));
      // Slack refuses posts in a channel the bot is not in (not_in_channel) or that is archived.
      const known = channels.get(channel);
      if (known?.is_archived) return fail('is_archived');
      if (known && known.is_member === false) return fail('not_in_channel');
      const ts = nextTs();
      const message = messageObj(args, ts);
      messages.set(`${channel}/${ts}`, {
        channel,
        ts,
        text: args['text'],
        blocks: args['blocks'],
        attachments: args['attachments'],
        ...(str(args['thread_ts']) ? { thread_ts: String(args['thread_ts']) } : {}),
        history: [message],
      });
      return { ok: true, channel, ts, message };
    },
    'chat.postEphemeral': (args) => {
      const bad = chatPayloadError('chat.postEphemeral', args);
      if (bad) return bad;
      if (!str(args['user'])) return fail('user_not_found');
      if (args['text'] === undefined && args['blocks'] === undefined && args['attachments'] === undefined) return fail('no_text');
      return { ok: true, message_ts: nextTs() };
    },
    'chat.update': (args) => {
      const bad = chatPayloadError('chat.update', args);
      if (bad) return bad;
      const channel = dmFor(String(args['channel']));
      const ts = str(args['ts']);
      if (!ts) return fail('message_not_found');
      const stored = messages.get(`${channel}/${ts}`);
      if (!stored) return fail('message_not_found');
      const message = messageObj(args, ts);
      stored.text = args['text'] ?? stored.text;
      stored.blocks = args['blocks'] ?? stored.blocks;
      stored.attachments = args['attachments'] ?? stored.attachments;
      stored.history.push(message);
      return { ok: true, channel, ts, text: message['text'], message };
    },
    'chat.getPermalink': (args) => {
      const channel = str(args['channel']);
      const ts = str(args['message_ts']);
      if (!channel) return fail('channel_not_found');
      if (!ts) return fail('message_not_found');
      return { ok: true, channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}` };
    },
    'conversations.open': (args) => {
      const raw = str(args['users']) ?? '';
      const first = raw.split(',')[0]?.trim();
      const channelId = str(args['channel']);
      if (!first && !channelId) return fail('users_list_not_supplied');
      const id = channelId ?? `D${first}`;
      return { ok: true, no_op: false, already_open: false, channel: { id } };
    },
    'conversations.history': (args) => {
      const channel = str(args['channel']);
      if (!channel) return fail('channel_not_found');
      const oldest = Number(args['oldest'] ?? 0);
      const withMetadata = String(args['include_all_metadata'] ?? '') === 'true';
      const limit = Math.min(1000, Number(args['limit'] ?? 100) || 100);
      const found = [...messages.values()]
        .filter((m) => m.channel === dmFor(channel) && Number(m.ts) >= oldest)
        .sort((a, b) => Number(b.ts) - Number(a.ts))
        .slice(0, limit)
        .map((m) => {
          const { metadata, ...rest } = m.history.at(-1) ?? {};
          return withMetadata && metadata !== undefined ? { ...rest, metadata } : rest;
        });
      return { ok: true, messages: found, has_more: false };
    },
    'conversations.info': (args) => {
      // Shape: objs_conversation in ../shared/reference/slack/web-api-openapi-v2.json.
      const id = str(args['channel']);
      if (!id) return fail('channel_not_found');
      if (/^D[A-Z0-9]+$/.test(id)) {
        return {
          ok: true,
          channel: { id, created: 0, is_im: true, is_org_shared: false, user: id.slice(1), is_user_deleted: false, priority: 0 },
        };
      }
      const c = channels.get(id);
      if (!c) return fail('channel_not_found');
      const isPrivate = c.is_private ?? false;
      return {
        ok: true,
        channel: {
          id,
          name: c.name ?? id.toLowerCase(),
          name_normalized: c.name ?? id.toLowerCase(),
          created: 1_600_000_000,
          creator: 'U0CREATOR',
          is_channel: !isPrivate,
          is_group: isPrivate,
          is_im: false,
          is_mpim: false,
          is_private: isPrivate,
          is_archived: c.is_archived ?? false,
          is_general: false,
          is_shared: false,
          is_ext_shared: false,
          is_org_shared: false,
          is_pending_ext_shared: false,
          is_member: c.is_member ?? true,
          unlinked: 0,
          topic: { value: '', creator: '', last_set: 0 },
          purpose: { value: '', creator: '', last_set: 0 },
        },
      };
    },
    'users.info': (args) => {
      const id = str(args['user']);
      if (!id) return fail('user_not_found');
      let u = users.get(id);
      if (!u) {
        if (opts.strictUsers || !/^[UW]/.test(id)) return fail('user_not_found');
        u = {};
      }
      return { ok: true, user: userObject(id, u) };
    },
    // Needs users:read.email. Slack answers users_not_found for an address no member has.
    'users.lookupByEmail': (args) => {
      const email = str(args['email'])?.trim().toLowerCase();
      if (!email) return fail('invalid_arguments');
      for (const [id, u] of users) {
        const own = u.profile?.['email'];
        // The same user object as users.info (Slack answers both with one).
        if (typeof own === 'string' && own.toLowerCase() === email && !u.deleted) return { ok: true, user: userObject(id, u) };
      }
      return fail('users_not_found');
    },
    'usergroups.users.list': (args) => {
      const id = str(args['usergroup']);
      const members = id ? usergroups.get(id) : undefined;
      if (!members) return fail('no_such_subteam');
      return { ok: true, users: [...members] };
    },
  };

  function takeFailure(method: string): FailSpec | undefined {
    const list = failures.get(method);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) list.shift();
    return head;
  }

  /** Returns seconds to wait if over the limit, else records the call and returns undefined. */
  function rateLimited(method: string): number | undefined {
    const limit = rateLimits.get(method);
    if (limit === undefined) return undefined;
    const now = realNow();
    const win = windows.get(method) ?? [];
    // Calls are recorded in time order: drop the expired head in place (cheap at thousands per window).
    let expired = 0;
    while (expired < win.length && now - (win[expired] ?? now) >= limit.windowMs) expired += 1;
    if (expired > 0) win.splice(0, expired);
    windows.set(method, win);
    if (win.length >= limit.limit) {
      const oldest = win[0] ?? now;
      return Math.max(1, Math.ceil((oldest + limit.windowMs - now) / 1000));
    }
    win.push(now);
    return undefined;
  }

  function record(call: FakeSlackCall): void {
    calls.push(call);
    stats.calls[call.method] = (stats.calls[call.method] ?? 0) + 1;
    const still: Waiter[] = [];
    for (const w of waiters) {
      const matches = matching(w.method, w.predicate, w.after);
      if (matches.length >= w.count) w.resolve(matches.slice(0, w.count));
      else still.push(w);
    }
    waiters = still;
    for (const listener of callListeners) listener(call);
  }

  function matching(method: string, predicate: CallPredicate | undefined, after: number): FakeSlackCall[] {
    return calls.filter((c) => c.index >= after && c.method === method && (!predicate || predicate(c)));
  }

  async function parseBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const ctype = String(req.headers['content-type'] ?? '');
    let args: Record<string, unknown> = {};
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    for (const [k, v] of q) args[k] = v;
    if (ctype.includes('application/json')) {
      if (raw.trim()) {
        const parsed = JSON.parse(raw) as unknown;
        if (typeof parsed === 'object' && parsed !== null) args = { ...args, ...(parsed as Record<string, unknown>) };
      }
    } else if (raw) {
      for (const [k, v] of new URLSearchParams(raw)) args[k] = v;
    }
    for (const f of JSON_FIELDS) {
      const v = args[f];
      if (typeof v === 'string') {
        try {
          args[f] = JSON.parse(v) as unknown;
        } catch {
          // leave as string; validation will complain
        }
      }
    }
    return args;
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const at = realNow();
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
      // response_url posts (slash commands, message actions) land on /response/<anything>.
      const isResponseUrl = /^\/response\/[A-Za-z0-9_-]+$/.test(url.pathname);
      const method = isResponseUrl ? 'response_url' : (m?.[1] ?? url.pathname);
      let args: Record<string, unknown>;
      try {
        args = await parseBody(req);
      } catch {
        args = {};
      }
      const auth = String(req.headers['authorization'] ?? '');
      const bearer = /^Bearer\s+(\S+)$/.exec(auth)?.[1];
      const token = bearer ?? str(args['token']);
      delete args['token'];

      let status = 200;
      let body: Record<string, unknown>;
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      let delayMs = 0;

      if (isResponseUrl) {
        const problems = checkSurface('message', args);
        if (problems.length > 0) {
          violations.push({ method, messages: problems });
          status = 400;
          body = fail('invalid_blocks');
        } else {
          body = { ok: true };
        }
      } else if (!m) {
        status = 404;
        body = fail('unknown_method');
      } else if (!token || !/^xox[bp]-/.test(token)) {
        body = fail(token ? 'invalid_auth' : 'not_authed');
      } else {
        const f = takeFailure(method);
        delayMs = f?.delayMs ?? 0;
        if (f?.retryAfter !== undefined) {
          status = 429;
          headers['retry-after'] = String(f.retryAfter);
          body = fail('ratelimited');
          stats.rateLimited[method] = (stats.rateLimited[method] ?? 0) + 1;
        } else if (f?.status !== undefined && f.status !== 200) {
          status = f.status;
          body = fail(`fake_http_${f.status}`);
        } else if (f?.error !== undefined) {
          body = fail(f.error);
        } else {
          const wait = rateLimited(method);
          if (wait !== undefined) {
            status = 429;
            headers['retry-after'] = String(wait);
            body = fail('ratelimited');
            stats.rateLimited[method] = (stats.rateLimited[method] ?? 0) + 1;
          } else {
            const h = handlers[method];
            body = h ? h(args) : fail('unknown_method');
          }
        }
      }
      if (body['ok'] === true) body = { ...body, response_metadata: { warnings: [] } };

      record({ index: calls.length, method, path: url.pathname, args, token, at, status, response: body });
      if (delayMs > 0) await sleep(delayMs);
      if (res.destroyed) return;
      res.writeHead(status, headers);
      res.end(JSON.stringify(body));
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'fake_internal_error', detail: String(err) }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  function toOpts(t: number | WaitOptions | undefined): { timeoutMs: number; after: number } {
    if (typeof t === 'number') return { timeoutMs: t, after: 0 };
    return { timeoutMs: t?.timeoutMs ?? 5000, after: t?.after ?? 0 };
  }

  function waitFor(
    method: string,
    count: number,
    predicate: CallPredicate | undefined,
    t: number | WaitOptions | undefined,
  ): Promise<FakeSlackCall[]> {
    const { timeoutMs, after } = toOpts(t);
    const now = matching(method, predicate, after);
    if (now.length >= count) return Promise.resolve(now.slice(0, count));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        after,
        count,
        resolve: (cs) => {
          realClearTimeout(timer);
          resolve(cs);
        },
      };
      const timer = realSetTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        const got = matching(method, predicate, after).length;
        const seen = calls
          .slice(-20)
          .map((c) => `${c.method}(${c.status}${c.response['ok'] === false ? ` ${String(c.response['error'])}` : ''})`);
        reject(
          new Error(
            `fake Slack: timed out after ${timeoutMs} ms waiting for ${count} ${method} call(s) (got ${got} matching). ` +
              `Recent calls: ${seen.join(', ') || 'none'}` +
              (violations.length ? `. Violations: ${JSON.stringify(violations)}` : ''),
          ),
        );
      }, timeoutMs);
      waiters.push(waiter);
    });
  }

  return {
    url: `${origin}/api/`,
    origin,
    port,
    calls,
    violations,
    views,
    messages,
    stats,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall: async (method, predicate, timeout) => {
      const [first] = await waitFor(method, 1, predicate, timeout);
      if (!first) throw new Error('unreachable');
      return first;
    },
    waitForCalls: (method, count, predicate, timeout) => waitFor(method, count, predicate, timeout),
    failNext(method, spec) {
      const list = failures.get(method) ?? [];
      list.push({ ...spec, remaining: spec.times ?? 1 });
      failures.set(method, list);
    },
    clearFailures() {
      failures.clear();
    },
    setRateLimit(method, perMinute) {
      if (perMinute === null) rateLimits.delete(method);
      else rateLimits.set(method, { limit: perMinute, windowMs: 60_000 });
      windows.delete(method);
    },
    setUser(id, user) {
      users.set(id, { ...(users.get(id) ?? {}), ...user });
    },
    setUsergroup(id, userIds) {
      usergroups.set(id, [...userIds]);
    },
    setChannel(id, channel) {
      channels.set(id, { ...(channels.get(id) ?? {}), ...channel });
    },
    homeView(userId) {
      const id = homeIds.get(userId);
      return id ? views.get(id) : undefined;
    },
    message(channel, ts) {
      return messages.get(`${dmFor(channel)}/${ts}`);
    },
    reset() {
      calls.length = 0;
      violations.length = 0;
      views.clear();
      externalIds.clear();
      homeIds.clear();
      messages.clear();
      failures.clear();
      windows.clear();
      usedTriggers.clear();
      for (const k of Object.keys(stats.rateLimited)) delete stats.rateLimited[k];
      for (const k of Object.keys(stats.calls)) delete stats.calls[k];
    },
    onCall(listener) {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
    postUserMessage({ channel, user, text, thread_ts }) {
      const ts = nextTs();
      const message: Record<string, unknown> = { type: 'message', user, team: 'T1', text, ts, ...(thread_ts ? { thread_ts } : {}) };
      messages.set(`${channel}/${ts}`, {
        channel,
        ts,
        text,
        blocks: undefined,
        attachments: undefined,
        ...(thread_ts ? { thread_ts } : {}),
        history: [message],
      });
      return { ...message, channel };
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
