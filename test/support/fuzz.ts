import http from 'node:http';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { requestSchema, tokenSchema } from '../../src/store/schemas.js';
import { findSecretLikeValues } from '../../src/domain/secrets.js';
import { signSlackRequest, type SlackResponse } from './slack-requests.js';
import type { TestBot } from './test-bot.js';
import { vi } from 'vitest';
import { realNow } from './net.js';

/**
 * Harness for throwing many generated payloads at the running app and checking what it
 * left behind: HTTP statuses, unhandled rejections, Redis contents, logs and Slack calls.
 * Entry points added later reuse `fire` with their own arbitrary and `send` function.
 */

export interface PostOptions {
  contentType?: string;
  /** Sign with this secret (default: do not sign). */
  signingSecret?: string;
  timestampSec?: number;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * POSTs one body on its own connection (no keep-alive), so a fuzz run never trips over
 * a pooled socket the server already closed, and one bad request cannot affect the next.
 */
export function postRaw(url: string, body: string | Buffer, o: PostOptions = {}): Promise<SlackResponse> {
  const started = performance.now();
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/x-www-form-urlencoded',
    ...(o.signingSecret ? signSlackRequest(text, o.signingSecret, o.timestampSec) : {}),
    ...o.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const out = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            text: out,
            headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
            ms: performance.now() - started,
            json() {
              try {
                return out ? (JSON.parse(out) as unknown) : undefined;
              } catch {
                return undefined;
              }
            },
          });
        });
      },
    );
    req.setTimeout(o.timeoutMs ?? 15_000, () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A sender for one running bot: signed POSTs to /slack/events on fresh connections. */
export function createFuzzSender(t: TestBot, signingSecret: string) {
  const url = `http://127.0.0.1:${t.port}/slack/events`;
  return {
    form: (fields: Record<string, string>, o: PostOptions = {}) =>
      postRaw(url, new URLSearchParams(fields).toString(), { signingSecret, ...o }),
    interaction: (payload: unknown, o: PostOptions = {}) =>
      postRaw(url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { signingSecret, ...o }),
    raw: (body: string | Buffer, o: PostOptions = {}) => postRaw(url, body, { signingSecret, ...o }),
  };
}

export interface FireResult<T> {
  /** How many payloads were sent. */
  sent: number;
  /** Count per HTTP status. */
  statuses: Record<number, number>;
  /** Slowest answer in ms. */
  maxMs: number;
  /** Payloads answered with a status outside `allowed`, or whose request threw. */
  failures: Array<{ input: T; status?: number; error?: string; body?: string }>;
  ms: number;
}

/**
 * Sends every input with at most `concurrency` requests in flight and collects statuses.
 * Never throws for a single bad answer: the caller asserts on `failures`.
 */
export async function fire<T>(
  inputs: readonly T[],
  send: (input: T) => Promise<SlackResponse>,
  { concurrency = 20, allowed = [200, 400, 401, 404, 413] }: { concurrency?: number; allowed?: number[] } = {},
): Promise<FireResult<T>> {
  const started = realNow();
  const statuses: Record<number, number> = {};
  const failures: FireResult<T>['failures'] = [];
  let next = 0;
  let maxMs = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++] as T;
      try {
        const res = await send(input);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        maxMs = Math.max(maxMs, res.ms);
        if (!allowed.includes(res.status)) failures.push({ input, status: res.status, body: res.text.slice(0, 500) });
      } catch (err) {
        failures.push({ input, error: String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return { sent: inputs.length, statuses, failures, maxMs, ms: realNow() - started };
}

/** `n` reproducible samples of `arb` (the seed makes a failing run replayable). */
export function sampleOf<T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] {
  return fc.sample(arb, { numRuns: n, seed });
}

/** One line for the test output, so figures can be reported: entry point, count, statuses, time. */
export function summarise(entryPoint: string, result: FireResult<unknown>, seed: number): string {
  const statuses = Object.entries(result.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `[fuzz] ${entryPoint}: ${result.sent} payloads, ${statuses}, ${result.failures.length} failures, ${Math.round(result.ms)} ms total, slowest ${Math.round(result.maxMs)} ms (seed ${seed})`;
}

/**
 * Records unhandled rejections and uncaught exceptions while it is installed. The app runs
 * in the test process, so anything it fails to catch lands here.
 */
export function watchProcessErrors(): { errors: string[]; dispose(): void } {
  const errors: string[] = [];
  const onRejection = (reason: unknown) => errors.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (err: Error) => errors.push(`uncaughtException: ${err.stack ?? String(err)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    errors,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * Waits until the app has stopped doing work it started after acking (Slack calls and log
 * lines stop growing for `quietMs`), up to `maxMs`. Not an assertion: a settling step.
 */
export async function settle(t: TestBot, { quietMs = 400, maxMs = 15_000 } = {}): Promise<void> {
  let last = -1;
  let stableSince = realNow();
  await vi
    .waitFor(
      () => {
        const mark = t.slack.calls.length + t.logs.lines.length;
        if (mark !== last) {
          last = mark;
          stableSince = realNow();
        }
        if (realNow() - stableSince < quietMs) throw new Error(`still busy: ${mark} Slack calls + log lines`);
      },
      { timeout: maxMs, interval: 50 },
    )
    .catch(() => undefined); // a settling step, not an assertion: never quiet for quietMs is not a failure
}

export interface StoredEntry {
  key: string;
  type: string;
  /** Every value under the key as text: string value, list items, set/zset members (+scores), hash fields and values. */
  values: string[];
}

/** Every key under `${prefix}:` with all its contents, whatever its type. */
export async function dumpPrefix(redis: Redis, prefix: string): Promise<StoredEntry[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [nextCursor, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', '1000');
    cursor = nextCursor;
    keys.push(...batch);
  } while (cursor !== '0');
  const out: StoredEntry[] = [];
  for (const key of [...new Set(keys)].sort()) {
    const type = await redis.type(key);
    let values: string[] = [];
    if (type === 'string') values = [(await redis.get(key)) ?? ''];
    else if (type === 'list') values = await redis.lrange(key, 0, -1);
    else if (type === 'set') values = await redis.smembers(key);
    else if (type === 'zset') values = await redis.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
    else if (type === 'stream') values = (await redis.xrange(key, '-', '+')).map((e) => JSON.stringify(e));
    out.push({ key, type, values });
  }
  return out;
}

/**
 * Parses every request and token record under the prefix with the store's zod schemas.
 * Returns one message per record that does not parse (empty when all are valid).
 */
export async function findInvalidRecords(redis: Redis, prefix: string): Promise<string[]> {
  const problems: string[] = [];
  const entries = await dumpPrefix(redis, prefix);
  const record = new RegExp(`^${prefix}:(request|token):([^:]+)$`);
  for (const { key, type, values } of entries) {
    const m = record.exec(key);
    if (!m) continue;
    if (type !== 'string') {
      problems.push(`${key}: expected a string, found a ${type}`);
      continue;
    }
    const schema = m[1] === 'request' ? requestSchema : tokenSchema;
    try {
      const parsed = schema.safeParse(JSON.parse(values[0] ?? ''));
      if (!parsed.success) problems.push(`${key}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    } catch (err) {
      problems.push(`${key}: not JSON (${String(err)})`);
    }
  }
  return problems;
}

/** Where secrets planted in inputs turned up: Redis, logs, Slack calls, HTTP answers. */
export interface LeakReport {
  redis: string[];
  logs: string[];
  slackCalls: string[];
  responses: string[];
}

/**
 * Looks for each planted secret (and anything else token-shaped) everywhere the bot can
 * write. The secret-detection patterns come from src/domain/secrets.ts, so a token-shaped
 * value the test did not plant counts too.
 */
export async function findLeaks(
  t: TestBot,
  redis: Redis,
  planted: readonly string[],
  responses: readonly string[] = [],
): Promise<LeakReport> {
  const hits = (where: string, text: string): string[] => {
    const found = new Set<string>(findSecretLikeValues(text).filter((v) => !v.startsWith('xoxb-test-token')));
    for (const secret of planted) if (text.includes(secret)) found.add(secret);
    return [...found].map((s) => `${where}: ${s.slice(0, 24)}…`);
  };
  const entries = await dumpPrefix(redis, t.prefix);
  return {
    redis: entries.flatMap((e) => hits(e.key, `${e.key}\n${e.values.join('\n')}`)),
    logs: t.logs.lines.flatMap((line, i) => hits(`log line ${i}`, line)),
    slackCalls: t.slack.calls.flatMap((c) => hits(`${c.method} #${c.index}`, JSON.stringify(c.args))),
    responses: responses.flatMap((r, i) => hits(`response ${i}`, r)),
  };
}
