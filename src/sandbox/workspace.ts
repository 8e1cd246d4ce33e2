import { randomBytes } from 'node:crypto';
import type { FakeSlack, FakeSlackCall, StoredView } from './fake-slack.js';

/**
 * What the sandbox's page shows, kept from the emulated Web API's answered calls: messages
 * (posted and updated in place), ephemeral messages per person, each person's modal stack and
 * App Home. Every change goes to the listeners as a patch (sent to the page over SSE).
 */

export const BOT_USER_ID = 'UBOT';

export interface SandboxMessage {
  channel: string;
  ts: string;
  /** Who posted it: a persona's id, or BOT_USER_ID. */
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** How many times chat.update rewrote it. */
  edits: number;
}

export interface SandboxEphemeral {
  id: string;
  channel: string;
  /** The only person who sees it. */
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  ts: string;
}

export interface SandboxModal {
  view: StoredView;
  /** response_action: errors, by block_id. */
  errors?: Record<string, string>;
}

export type Patch =
  | { type: 'message'; message: SandboxMessage }
  | { type: 'ephemeral'; ephemeral: SandboxEphemeral }
  | { type: 'ephemeral-removed'; id: string }
  | { type: 'modals'; user: string; stack: SandboxModal[] }
  | { type: 'home'; user: string; view: StoredView }
  | { type: 'clock'; now: number; offsetMs: number };

export interface Snapshot {
  messages: SandboxMessage[];
  ephemerals: SandboxEphemeral[];
  modals: Record<string, SandboxModal[]>;
  homes: Record<string, StoredView>;
}

/** Where a response_url reply goes: to whom, in which conversation, replacing what. */
export interface ResponseTarget {
  user: string;
  channel: string;
  /** The message (or ephemeral id) the action came from, for replace_original / delete_original. */
  messageTs?: string;
  ephemeralId?: string;
}

/** Ephemeral messages kept per person (Slack drops them on reload; the sandbox keeps the latest). */
const EPHEMERALS_PER_USER = 100;
/** Messages kept in all (the sandbox is for trying journeys, not for archives). */
const MESSAGES_KEPT = 2000;

const textOf = (v: unknown) => (typeof v === 'string' ? v : '');
const blocksOf = (v: unknown) => (Array.isArray(v) ? v : undefined);

export class Workspace {
  private readonly messages = new Map<string, SandboxMessage>();
  private readonly ephemerals: SandboxEphemeral[] = [];
  private readonly modals = new Map<string, SandboxModal[]>();
  private readonly homes = new Map<string, StoredView>();
  private readonly triggers = new Map<string, string>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  private readonly listeners = new Set<(patch: Patch) => void>();
  private ephemeralSeq = 0;

  constructor(private readonly slack: FakeSlack) {
    slack.onCall((call) => this.onCall(call));
  }

  subscribe(listener: (patch: Patch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(patch: Patch): void {
    for (const listener of this.listeners) listener(patch);
  }

  snapshot(): Snapshot {
    return {
      messages: [...this.messages.values()],
      ephemerals: [...this.ephemerals],
      modals: Object.fromEntries(this.modals),
      homes: Object.fromEntries(this.homes),
    };
  }

  /** A trigger_id the emulated Slack will accept, remembered as `user`'s (views.open names no user). */
  issueTrigger(user: string, trigger: string): string {
    this.triggers.set(trigger, user);
    if (this.triggers.size > 500) this.triggers.delete(this.triggers.keys().next().value!);
    return trigger;
  }

  /** A response_url on the emulated Slack whose replies reach `target`. */
  issueResponseUrl(target: ResponseTarget): string {
    const id = randomBytes(9).toString('base64url');
    this.responseTargets.set(id, target);
    if (this.responseTargets.size > 500) this.responseTargets.delete(this.responseTargets.keys().next().value!);
    return `${this.slack.origin}/response/${id}`;
  }

  message(channel: string, ts: string): SandboxMessage | undefined {
    return this.messages.get(`${channel}/${ts}`);
  }

  ephemeral(id: string): SandboxEphemeral | undefined {
    return this.ephemerals.find((e) => e.id === id);
  }

  modalStack(user: string): SandboxModal[] {
    return this.modals.get(user) ?? [];
  }

  home(user: string): StoredView | undefined {
    return this.homes.get(user);
  }

  /** A person's message, stored in the emulated Slack (conversations.history sees it) and shown. */
  postUserMessage(user: string, channel: string, text: string, threadTs?: string): SandboxMessage {
    const stored = this.slack.postUserMessage({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    const message: SandboxMessage = {
      channel,
      ts: String(stored['ts']),
      user,
      text,
      edits: 0,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    this.putMessage(message);
    return message;
  }

  /** An ephemeral message shown to one person (command replies, the sandbox's own notes). */
  addEphemeral(e: Omit<SandboxEphemeral, 'id' | 'ts'> & { ts?: string }): SandboxEphemeral {
    this.ephemeralSeq += 1;
    const ephemeral: SandboxEphemeral = {
      ...e,
      id: `E${this.ephemeralSeq}`,
      ts: e.ts ?? `${Math.floor(Date.now() / 1000)}.${this.ephemeralSeq}`,
    };
    this.ephemerals.push(ephemeral);
    const mine = this.ephemerals.filter((x) => x.user === e.user);
    if (mine.length > EPHEMERALS_PER_USER) this.removeEphemeral(mine[0]!.id);
    this.emit({ type: 'ephemeral', ephemeral });
    return ephemeral;
  }

  removeEphemeral(id: string): boolean {
    const at = this.ephemerals.findIndex((e) => e.id === id);
    if (at < 0) return false;
    this.ephemerals.splice(at, 1);
    this.emit({ type: 'ephemeral-removed', id });
    return true;
  }

  /** Replaces a person's modal stack (after views.open/push/update or a view_submission's answer). */
  setModals(user: string, stack: SandboxModal[]): void {
    if (stack.length === 0) this.modals.delete(user);
    else this.modals.set(user, stack);
    this.emit({ type: 'modals', user, stack });
  }

  /** The person whose modal stack holds view `id`. */
  modalOwner(viewId: string): string | undefined {
    for (const [user, stack] of this.modals) if (stack.some((m) => m.view.id === viewId)) return user;
    return undefined;
  }

  private putMessage(message: SandboxMessage): void {
    const key = `${message.channel}/${message.ts}`;
    this.messages.set(key, message);
    if (this.messages.size > MESSAGES_KEPT) this.messages.delete(this.messages.keys().next().value!);
    this.emit({ type: 'message', message });
  }

  private onCall(call: FakeSlackCall): void {
    if (call.response['ok'] !== true) return;
    const { args, response } = call;
    switch (call.method) {
      case 'chat.postMessage': {
        const threadTs = typeof args['thread_ts'] === 'string' && args['thread_ts'] ? args['thread_ts'] : undefined;
        this.putMessage({
          channel: String(response['channel']),
          ts: String(response['ts']),
          user: BOT_USER_ID,
          text: textOf(args['text']),
          edits: 0,
          ...(blocksOf(args['blocks']) ? { blocks: blocksOf(args['blocks']) } : {}),
          ...(threadTs ? { thread_ts: threadTs } : {}),
        });
        return;
      }
      case 'chat.update': {
        const prev = this.message(String(response['channel']), String(response['ts']));
        if (!prev) return;
        this.putMessage({
          ...prev,
          text: typeof args['text'] === 'string' ? args['text'] : prev.text,
          ...(blocksOf(args['blocks']) ? { blocks: blocksOf(args['blocks']) } : {}),
          edits: prev.edits + 1,
        });
        return;
      }
      case 'chat.postEphemeral': {
        const channel = String(args['channel']);
        this.addEphemeral({
          channel: /^U/.test(channel) ? `D${channel}` : channel,
          user: String(args['user']),
          text: textOf(args['text']),
          ts: String(response['message_ts']),
          ...(blocksOf(args['blocks']) ? { blocks: blocksOf(args['blocks']) } : {}),
          ...(typeof args['thread_ts'] === 'string' && args['thread_ts'] ? { thread_ts: args['thread_ts'] } : {}),
        });
        return;
      }
      case 'response_url':
        this.onResponseUrl(call);
        return;
      case 'views.open':
      case 'views.push': {
        const user = this.triggers.get(String(args['trigger_id']));
        const view = response['view'] as StoredView;
        if (!user) return;
        const stack = call.method === 'views.open' ? [] : this.modalStack(user);
        this.setModals(user, [...stack, { view }]);
        return;
      }
      case 'views.update': {
        const view = response['view'] as StoredView;
        if (view.type === 'home') {
          const user = typeof view['user_id'] === 'string' ? view['user_id'] : undefined;
          if (user) this.setHome(user, view);
          return;
        }
        const user = this.modalOwner(view.id);
        if (!user) return;
        this.setModals(
          user,
          this.modalStack(user).map((m) => (m.view.id === view.id ? { view } : m)),
        );
        return;
      }
      case 'views.publish': {
        const view = response['view'] as StoredView;
        this.setHome(String(args['user_id']), view);
        return;
      }
      default:
    }
  }

  private setHome(user: string, view: StoredView): void {
    this.homes.set(user, view);
    this.emit({ type: 'home', user, view });
  }

  private onResponseUrl(call: FakeSlackCall): void {
    const id = /\/response\/([A-Za-z0-9_-]+)$/.exec(call.path)?.[1];
    const target = id ? this.responseTargets.get(id) : undefined;
    if (!target) return;
    const body = call.args;
    if (body['delete_original'] === true || body['delete_original'] === 'true') {
      if (target.ephemeralId) this.removeEphemeral(target.ephemeralId);
      return;
    }
    const replace = body['replace_original'] === true || body['replace_original'] === 'true';
    if (replace && target.ephemeralId) this.removeEphemeral(target.ephemeralId);
    if (replace && target.messageTs && !target.ephemeralId && body['response_type'] !== 'ephemeral') {
      const prev = this.message(target.channel, target.messageTs);
      if (prev) {
        this.putMessage({
          ...prev,
          text: textOf(body['text']) || prev.text,
          ...(blocksOf(body['blocks']) ? { blocks: blocksOf(body['blocks']) } : {}),
          edits: prev.edits + 1,
        });
        return;
      }
    }
    if (body['response_type'] === 'in_channel') {
      const posted = this.slack.postUserMessage({ channel: target.channel, user: BOT_USER_ID, text: textOf(body['text']) });
      this.putMessage({
        channel: target.channel,
        ts: String(posted['ts']),
        user: BOT_USER_ID,
        text: textOf(body['text']),
        edits: 0,
        ...(blocksOf(body['blocks']) ? { blocks: blocksOf(body['blocks']) } : {}),
      });
      return;
    }
    this.addEphemeral({
      channel: target.channel,
      user: target.user,
      text: textOf(body['text']),
      ...(blocksOf(body['blocks']) ? { blocks: blocksOf(body['blocks']) } : {}),
    });
  }
}
