import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { CustomRoute } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { TravelClock } from './clock.js';
import type { FakeSlack, StoredView } from './fake-slack.js';
import type { Personas } from './personas.js';
import {
  appHomeOpenedEvent,
  blockActionsPayload,
  newTriggerId,
  viewClosedPayload,
  viewSubmissionPayload,
  type SlackSender,
} from './slack-requests.js';
import { buildState, findElement, optionByValue, type RawValues } from './state.js';
import { jumpTarget, travelTo, type TravelDeps } from './time-travel.js';
import { BOT_USER_ID, type Patch, type SandboxModal, type Workspace } from './workspace.js';

/**
 * The sandbox's own HTTP routes, served by the bot's HTTP server beside /slack/events:
 *   GET  /                    the page
 *   GET  /sandbox/<file>      its ES modules and style sheet (src/sandbox/page), and emoji.json
 *   GET  /sandbox/api/events  Server-Sent Events: a snapshot, then every change
 *   POST /sandbox/api/<op>    what a person does on the page (command, message, action, submit,
 *                             close, home, dismiss, travel); each reaches the bot as a signed
 *                             Slack request, after the checks Slack itself makes
 */

export interface SandboxRoutesDeps {
  workspace: Workspace;
  personas: Personas;
  clock: TravelClock;
  slack: FakeSlack;
  logger: Logger;
  /** REMINDER_HOUR: where "next day" jumps land. */
  reminderHour: number;
  /** Set once the bot listens: how to reach it, and what time travel needs. */
  connection(): { sender: SlackSender; travel: TravelDeps } | undefined;
}

export interface SandboxRoutes {
  routes: CustomRoute[];
  /** Ends every open event stream (the HTTP server cannot close while they are open). */
  closeStreams(): void;
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const BODY_LIMIT = 256 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};
// The page loads nothing from elsewhere: it works offline, and a stray CDN link fails loudly.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

class BadRequest extends Error {
  constructor(
    readonly error: string,
    readonly status = 400,
  ) {
    super(error);
  }
}

const userField = z.string().regex(/^U[A-Z0-9]{2,20}$/);
const rawValue = z.union([z.string().max(5000), z.array(z.string().max(200)).max(100), z.null()]);
const valuesField = z.record(z.string().max(255), z.record(z.string().max(255), rawValue)).optional();
const where = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('view'), viewId: z.string().max(40) }),
  z.object({ kind: z.literal('home') }),
  z.object({ kind: z.literal('message'), channel: z.string().max(40), ts: z.string().max(40) }),
  z.object({ kind: z.literal('ephemeral'), id: z.string().max(40) }),
]);
const schemas = {
  command: z.object({ user: userField, channel: z.string().max(40), text: z.string().min(1).max(4000) }),
  message: z.object({
    user: userField,
    channel: z.string().max(40),
    text: z.string().min(1).max(4000),
    threadTs: z.string().max(40).optional(),
  }),
  action: z.object({
    user: userField,
    where,
    blockIndex: z.number().int().min(0).max(100),
    actionId: z.string().min(1).max(255),
    value: rawValue.optional(),
    values: valuesField,
  }),
  submit: z.object({ user: userField, viewId: z.string().max(40), values: valuesField }),
  close: z.object({ user: userField, viewId: z.string().max(40), all: z.boolean().optional() }),
  home: z.object({ user: userField }),
  dismiss: z.object({ user: userField, id: z.string().max(40) }),
  travel: z.object({
    user: userField,
    jump: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('hours'),
        hours: z
          .number()
          .positive()
          .max(24 * 400),
      }),
      z.object({ kind: z.literal('next-morning') }),
      z.object({ kind: z.literal('next-reminder') }),
    ]),
  }),
};
type Op = keyof typeof schemas;

function loadStaticFiles(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(PAGE_DIR)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = CONTENT_TYPES[ext];
    if (type && !name.endsWith('.d.ts')) files.set(name, { type, body: readFileSync(`${PAGE_DIR}${name}`) });
  }
  return files;
}

/**
 * Shortcode -> emoji from node-emoji (maintained, GitHub's and Slack's common names), built when
 * the page first asks: the sandbox starts without loading it (~60 ms and ~10 MB).
 */
async function loadEmojiTable(): Promise<{ type: string; body: Buffer }> {
  const emoji = await import('node-emoji');
  const table = Object.fromEntries(emoji.search('').map((e) => [e.name, e.emoji]));
  return { type: CONTENT_TYPES['.json']!, body: Buffer.from(JSON.stringify(table)) };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new BadRequest('request_too_large', 413);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BadRequest('invalid_json');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(JSON.stringify(body));
}

const newHash = () => `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString('hex')}`;

export function createSandboxRoutes(deps: SandboxRoutesDeps): SandboxRoutes {
  const { workspace, personas, clock, slack, logger } = deps;
  const files = loadStaticFiles();
  let emojiTable: Promise<{ type: string; body: Buffer }> | undefined;
  const streams = new Set<ServerResponse>();
  const persona = (id: string) => {
    const found = personas.users.find((u) => u.id === id);
    if (!found) throw new BadRequest('user_not_found');
    return found;
  };
  const channelName = (channel: string) =>
    channel === personas.channels.general.id
      ? personas.channels.general.name
      : channel === personas.channels.approvals.id
        ? personas.channels.approvals.name
        : 'directmessage';
  /** The conversations a person can post in: the two channels and their DM with the bot. */
  const checkChannel = (user: string, channel: string) => {
    if (channel !== personas.channels.general.id && channel !== personas.channels.approvals.id && channel !== `D${user}`) {
      throw new BadRequest('channel_not_found');
    }
  };
  const connection = () => {
    const c = deps.connection();
    if (!c) throw new BadRequest('bot_not_ready', 503);
    return c;
  };
  const botFailed = (status: number) => new BadRequest(status === 401 ? 'invalid_signature' : `bot_answered_${status}`, 502);

  const ops: { [K in Op]: (body: z.output<(typeof schemas)[K]>) => Promise<Record<string, unknown>> } = {
    async command({ user, channel, text }) {
      const p = persona(user);
      checkChannel(user, channel);
      const [command = '', ...rest] = text.trim().split(/\s+/);
      if (command !== '/bitbucket-token') {
        workspace.addEphemeral({
          channel,
          user,
          text: `\`${command}\` is not a valid command. In this sandbox the bot's command is \`/bitbucket-token\`.`,
        });
        return { ok: true };
      }
      const trigger = workspace.issueTrigger(user, newTriggerId());
      const res = await connection().sender.command({
        user_id: user,
        user_name: p.name,
        channel_id: channel,
        channel_name: channelName(channel),
        text: rest.join(' '),
        trigger_id: trigger,
        response_url: workspace.issueResponseUrl({ user, channel }),
      });
      if (res.status !== 200) throw botFailed(res.status);
      const reply = res.json() as { text?: unknown; blocks?: unknown } | undefined;
      if (reply && (typeof reply.text === 'string' || Array.isArray(reply.blocks))) {
        workspace.addEphemeral({
          channel,
          user,
          text: typeof reply.text === 'string' ? reply.text : '',
          ...(Array.isArray(reply.blocks) ? { blocks: reply.blocks } : {}),
        });
      }
      return { ok: true };
    },

    async message({ user, channel, text, threadTs }) {
      persona(user);
      checkChannel(user, channel);
      if (threadTs && !workspace.message(channel, threadTs)) throw new BadRequest('thread_not_found');
      const message = workspace.postUserMessage(user, channel, text, threadTs);
      const res = await connection().sender.event({
        type: 'message',
        channel,
        user,
        text,
        ts: message.ts,
        event_ts: message.ts,
        channel_type: channel.startsWith('D') ? 'im' : 'channel',
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      if (res.status !== 200) throw botFailed(res.status);
      return { ok: true, ts: message.ts };
    },

    async action({ user, where: at, blockIndex, actionId, value, values }) {
      const p = persona(user);
      const trigger = workspace.issueTrigger(user, newTriggerId());
      let blocks: unknown[];
      let context: Parameters<typeof blockActionsPayload>[0] extends infer O ? Partial<O> : never;
      if (at.kind === 'view' || at.kind === 'home') {
        const view = at.kind === 'home' ? workspace.home(user) : workspace.modalStack(user).find((m) => m.view.id === at.viewId)?.view;
        if (!view) throw new BadRequest('view_not_found');
        blocks = Array.isArray(view['blocks']) ? (view['blocks'] as unknown[]) : [];
        const state = buildState(blocks, values ?? {});
        if (typeof state === 'string') throw new BadRequest(state);
        context = { view, state: { values: state } };
      } else if (at.kind === 'message') {
        const message = workspace.message(at.channel, at.ts);
        if (!message || (message.channel.startsWith('D') && message.channel !== `D${user}`)) throw new BadRequest('message_not_found');
        blocks = message.blocks ?? [];
        context = {
          channelId: message.channel,
          message: {
            type: 'message',
            user: message.user,
            text: message.text,
            ts: message.ts,
            blocks,
            ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
          },
          responseUrl: workspace.issueResponseUrl({ user, channel: message.channel, messageTs: message.ts }),
        };
      } else {
        const ephemeral = workspace.ephemeral(at.id);
        if (!ephemeral || ephemeral.user !== user) throw new BadRequest('message_not_found');
        blocks = ephemeral.blocks ?? [];
        context = {
          channelId: ephemeral.channel,
          message: { type: 'message', user: BOT_USER_ID, text: ephemeral.text, ts: ephemeral.ts, blocks },
          responseUrl: workspace.issueResponseUrl({ user, channel: ephemeral.channel, messageTs: ephemeral.ts, ephemeralId: ephemeral.id }),
        };
      }
      const block = blocks[blockIndex] as Record<string, unknown> | undefined;
      const element = block ? findElement(block, actionId) : undefined;
      if (!block || !element) throw new BadRequest('invalid_action');
      const type = String(element['type']);
      const chosen: Partial<Parameters<typeof blockActionsPayload>[0]> = { actionType: type };
      if (type === 'button') {
        if (typeof element['value'] === 'string') chosen.value = element['value'];
      } else if (type === 'static_select' || type === 'radio_buttons' || type === 'overflow') {
        const option = typeof value === 'string' && value !== '' ? optionByValue(element, value) : undefined;
        if (typeof value === 'string' && value !== '' && !option) throw new BadRequest('invalid_option');
        chosen.selectedOption = option ? { value: option.value, text: option.text } : null;
      } else if (type === 'multi_static_select' || type === 'checkboxes') {
        const list = Array.isArray(value) ? value : [];
        const options = list.map((v) => optionByValue(element, v));
        if (options.some((o) => !o)) throw new BadRequest('invalid_option');
        chosen.selectedOptions = options.map((o) => ({ value: o!.value, text: o!.text }));
      } else if (type === 'datepicker') {
        if (value !== null && value !== undefined && (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))) {
          throw new BadRequest('invalid_date');
        }
        chosen.selectedDate = typeof value === 'string' ? value : null;
      } else {
        throw new BadRequest('unsupported_element');
      }
      const payload = blockActionsPayload({
        userId: user,
        userName: p.name,
        actionId,
        blockId: typeof block['block_id'] === 'string' ? block['block_id'] : `sb-${blockIndex}`,
        triggerId: trigger,
        ...context,
        ...chosen,
      });
      const res = await connection().sender.interaction(payload);
      if (res.status !== 200) throw botFailed(res.status);
      return { ok: true };
    },

    async submit({ user, viewId, values }) {
      const p = persona(user);
      const stack = workspace.modalStack(user);
      const top = stack.at(-1);
      if (!top || top.view.id !== viewId) throw new BadRequest('view_not_found');
      const blocks = Array.isArray(top.view['blocks']) ? (top.view['blocks'] as unknown[]) : [];
      const state = buildState(blocks, values ?? {});
      if (typeof state === 'string') throw new BadRequest(state);
      const payload = viewSubmissionPayload({
        userId: user,
        userName: p.name,
        values: state,
        view: top.view,
        triggerId: workspace.issueTrigger(user, newTriggerId()),
      });
      const res = await connection().sender.interaction(payload);
      if (res.status !== 200) throw botFailed(res.status);
      const answer = res.json() as
        | { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> }
        | undefined;
      const current = workspace.modalStack(user);
      const below = current.filter((m) => m.view.id !== viewId);
      switch (answer?.response_action) {
        case 'errors':
          workspace.setModals(
            user,
            current.map((m) => (m.view.id === viewId ? { ...m, errors: answer.errors ?? {} } : m)),
          );
          return { ok: true, errors: answer.errors ?? {} };
        case 'update':
          workspace.setModals(
            user,
            current.map((m) => (m.view.id === viewId ? { view: registerView(viewId, answer.view ?? {}) } : m)),
          );
          return { ok: true };
        case 'push':
          workspace.setModals(user, [...current, { view: registerView(nextViewId(), answer.view ?? {}) }]);
          return { ok: true };
        case 'clear':
          workspace.setModals(user, []);
          return { ok: true };
        default:
          workspace.setModals(user, below);
          return { ok: true };
      }
    },

    async close({ user, viewId, all }) {
      const p = persona(user);
      const stack = workspace.modalStack(user);
      const closing = stack.find((m) => m.view.id === viewId);
      if (!closing) throw new BadRequest('view_not_found');
      workspace.setModals(user, all ? [] : stack.filter((m) => m.view.id !== viewId));
      if (closing.view['notify_on_close'] === true) {
        const res = await connection().sender.interaction(viewClosedPayload({ userId: user, view: closing.view, isCleared: all ?? false }));
        if (res.status !== 200) logger.warn({ status: res.status, user: p.id }, 'sandbox: the bot refused a view_closed');
      }
      return { ok: true };
    },

    async home({ user }) {
      persona(user);
      const res = await connection().sender.event(appHomeOpenedEvent(user));
      if (res.status !== 200) throw botFailed(res.status);
      return { ok: true };
    },

    async dismiss({ user, id }) {
      const e = workspace.ephemeral(id);
      if (!e || e.user !== user) throw new BadRequest('message_not_found');
      workspace.removeEphemeral(id);
      return { ok: true };
    },

    async travel({ user, jump }) {
      const p = persona(user);
      const { travel } = connection();
      const target = await jumpTarget(
        travel,
        jump.kind === 'next-morning' ? { kind: 'next-morning', tz: p.tz, hour: deps.reminderHour } : jump,
      );
      if (typeof target === 'string') throw new BadRequest(target, 409);
      const { promoted } = await travelTo(travel, target);
      workspace.emit({ type: 'clock', now: clock.now(), offsetMs: clock.offsetMs() });
      return { ok: true, now: clock.now(), promoted };
    },
  };

  let viewSeq = 0;
  const nextViewId = () => {
    viewSeq += 1;
    return `VSANDBOX${String(viewSeq).padStart(6, '0')}`;
  };
  /** A view Slack creates from a view_submission's answer (update/push), known to the emulated Web API too. */
  const registerView = (id: string, view: Record<string, unknown>): StoredView => {
    const prev = slack.views.get(id);
    const stored: StoredView = {
      state: { values: {} },
      private_metadata: '',
      callback_id: '',
      root_view_id: prev?.['root_view_id'] ?? id,
      previous_view_id: null,
      ...view,
      id,
      hash: newHash(),
      type: typeof view['type'] === 'string' ? view['type'] : 'modal',
    };
    slack.views.set(id, stored);
    return stored;
  };

  const snapshot = () => ({
    workspace: personas.workspace,
    channels: personas.channels,
    users: personas.users,
    reminderHour: deps.reminderHour,
    clock: { now: clock.now(), offsetMs: clock.offsetMs() },
    ...workspace.snapshot(),
  });

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', ...SECURITY_HEADERS });
    res.write(`retry: 1000\nevent: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
    const unsubscribe = workspace.subscribe((patch: Patch) => res.write(`event: patch\ndata: ${JSON.stringify(patch)}\n\n`));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    heartbeat.unref();
    streams.add(res);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const api = async (req: IncomingMessage, res: ServerResponse, op: string) => {
    try {
      // Only the page itself: a JSON body (another site's form cannot send one without CORS,
      // which is not answered) and, when the browser says where it comes from, this origin.
      const origin = req.headers.origin;
      if (origin && new URL(origin).host !== req.headers.host) throw new BadRequest('cross_origin_refused', 403);
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new BadRequest('json_required', 415);
      if (!Object.hasOwn(schemas, op)) throw new BadRequest('unknown_method', 404);
      const parsed = schemas[op as Op].safeParse(await readJson(req));
      if (!parsed.success) throw new BadRequest('invalid_arguments');
      const handler = ops[op as Op] as (body: unknown) => Promise<Record<string, unknown>>;
      send(res, 200, await handler(parsed.data));
    } catch (err) {
      if (err instanceof BadRequest) {
        send(res, err.status, { ok: false, error: err.error });
        return;
      }
      logger.warn({ err, op }, 'sandbox: request failed');
      send(res, 500, { ok: false, error: 'internal_error' });
    }
  };

  const file = async (res: ServerResponse, name: string) => {
    let found = files.get(name);
    if (name === 'emoji.json') {
      emojiTable ??= loadEmojiTable();
      found = await emojiTable.catch((err: unknown) => {
        logger.warn({ err }, 'sandbox: emoji table failed');
        emojiTable = undefined;
        return undefined;
      });
    }
    if (!found) {
      send(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    res.writeHead(200, { 'content-type': found.type, ...SECURITY_HEADERS });
    res.end(found.body);
  };

  return {
    routes: [
      { path: '/', method: 'GET', handler: (_req, res) => void file(res, 'index.html') },
      { path: '/sandbox/api/events', method: 'GET', handler: (req, res) => events(req, res) },
      { path: '/sandbox/api/:op', method: 'POST', handler: (req, res) => void api(req, res, String(req.params?.['op'] ?? '')) },
      { path: '/sandbox/:file', method: 'GET', handler: (req, res) => void file(res, String(req.params?.['file'] ?? '')) },
    ],
    closeStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

export type { SandboxModal, RawValues };
