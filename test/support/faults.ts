import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import type { TokenRecord } from '../../src/domain/types.js';
import type { FakeSlack } from './fake-slack.js';
import { npmStartArgs } from './npm-start.js';
import { SIGNING_SECRET } from './test-bot.js';
import { realNow } from './net.js';

/**
 * Helpers for the fault-injection tests (test/faults): tokens whose reminders are due now,
 * what Slack and Redis say was delivered, and the app run as a child process that can be
 * SIGKILLed and started again.
 */

/** Reminders due at any hour on any day, swept every second: time is driven by expiry dates. */
export const ALWAYS_REMIND = {
  REMINDER_HOUR: '0',
  REMINDER_LAST_HOUR: '24',
  REMINDER_WORKDAYS: '0,1,2,3,4,5,6',
  REMINDER_SWEEP_SECONDS: '1',
  REMINDER_FALLBACK_CHANNEL_ID: 'C0FALLBACK',
};

let seq = 0;
/** A fresh, valid Slack user id per call. */
export const newUserId = (tag: string) => `U${tag}${++seq}${Math.floor(realNow() % 1e6)}`.toUpperCase().replace(/[^A-Z0-9]/g, '');

export function tokenStoreFor(redis: Redis, prefix: string): TokenStore {
  const keys = createKeys(prefix);
  return new TokenStore(redis, keys, new RequestStore(redis, keys));
}

/** Records a token expiring in `daysLeft` days (UTC) as the import does; its reminder is due now. */
export async function recordDueToken(redis: Redis, prefix: string, ownerId: string, daysLeft = 7): Promise<TokenRecord> {
  const token: TokenRecord = {
    id: createTokenId(),
    ownerId,
    name: `Token of ${ownerId}`,
    scopes: ['read:repository:bitbucket'],
    workspace: 'acme',
    expiresOn: addDays(todayIn('UTC', new Date()), daysLeft),
    createdAt: Date.now(),
    status: 'active',
    purpose: 'Fault tests',
  };
  expect(await tokenStoreFor(redis, prefix).create(token, { at: token.createdAt, type: 'recorded', by: ownerId })).toBe(true);
  return token;
}

/** The `reminded` entries of a token's history (the store's reading: a record holds its first entries). */
export async function remindedEvents(redis: Redis, prefix: string, tokenId: string): Promise<Array<{ detail?: string }>> {
  return (await tokenStoreFor(redis, prefix).history(tokenId)).filter((e) => e.type === 'reminded');
}

/** chat.postMessage calls Slack accepted for `channel` (a user id for DMs). */
export const acceptedPosts = (slack: FakeSlack, channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === channel && c.response['ok'] === true);

/**
 * Polls `read` until `check` holds (the worker runs in the background), with vi.waitFor;
 * throws with the last value (or the last error of `read`).
 */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  return vi.waitFor(
    async () => {
      let v: T;
      try {
        v = await read();
      } catch (err) {
        throw new Error(`${what} not met in ${timeoutMs} ms; last error ${String(err)}`);
      }
      if (!check(v)) throw new Error(`${what} not met in ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
      return v;
    },
    { timeout: timeoutMs, interval: 150 },
  );
}

/** Every token reminded exactly once: one accepted DM per owner, one `reminded` history entry. */
export async function expectRemindedOnce(redis: Redis, prefix: string, slack: FakeSlack, tokens: readonly TokenRecord[]): Promise<void> {
  const perToken = await Promise.all(
    tokens.map(async (t) => ({
      owner: t.ownerId,
      dms: acceptedPosts(slack, t.ownerId).length,
      reminded: (await remindedEvents(redis, prefix, t.id)).length,
    })),
  );
  expect(perToken.filter((p) => p.dms !== 1 || p.reminded !== 1)).toEqual([]);
}

/** Waits until every token has a `reminded` entry (the confirmation after the send). */
export async function waitUntilReminded(redis: Redis, prefix: string, tokens: readonly TokenRecord[], timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () =>
      (await Promise.all(tokens.map(async (t) => (await remindedEvents(redis, prefix, t.id)).length > 0))).filter((x) => !x).length,
    (missing) => missing === 0,
    timeoutMs,
    'every token reminded',
  );
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<number | null>;
  /** Waits until GET /readyz answers 200. */
  ready(timeoutMs?: number): Promise<void>;
}

/** Runs the bot as `npm start` does (package.json's command: the compiled dist/main.js) with the given environment. */
export function startAppProcess(opts: {
  port: number;
  slack: FakeSlack;
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
}): AppProcess {
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: opts.slack.url,
    PORT: String(opts.port),
    REDIS_URL: opts.redisUrl,
    REDIS_KEY_PREFIX: opts.prefix,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  // The start script runs the bot in its own process, so a SIGKILL sent to it kills the bot.
  const child = spawn(process.execPath, npmStartArgs(), {
    cwd: tmpdir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    port: opts.port,
    output: () => out,
    exited,
    async ready(timeoutMs = 30_000) {
      // An early exit ends the wait at once (returned, not thrown, so vi.waitFor stops polling).
      const outcome = await vi
        .waitFor(
          async () => {
            if (child.exitCode !== null) return 'exited' as const;
            const status = await fetch(`http://127.0.0.1:${opts.port}/readyz`).then(
              (r) => r.status,
              () => 0,
            );
            if (status !== 200) throw new Error(`/readyz answered ${status}`);
            return 'ready' as const;
          },
          { timeout: timeoutMs, interval: 150 },
        )
        .catch((err: Error) => {
          throw new Error(`bot not ready in ${timeoutMs} ms (${err.message}):\n${out}`);
        });
      if (outcome === 'exited') throw new Error(`bot exited early:\n${out}`);
    },
  };
}

/** SIGKILL: no shutdown hook runs, in-flight work is simply cut off. */
export async function killHard(app: AppProcess): Promise<void> {
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  await app.exited;
}
