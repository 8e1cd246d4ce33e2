import { STATUS_CODES } from 'node:http';
import type { FetchFunction } from '@slack/web-api';
import { request } from 'undici';

/** The response @slack/web-api's `fetch` option resolves with (the type is not exported by name). */
type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * The HTTP client of every Slack call the bot makes: @slack/web-api's `fetch` option (its
 * documented transport hook, for all our Web API clients, Bolt's included) and response_url
 * replies. Built on undici's `request()`, the engine under Node's own `fetch`, without the
 * WHATWG layer on top (Request and Response objects, web streams, abort wiring), which cost
 * about 0.5 ms of CPU per call on the bench machine against 0.15-0.3 ms for `request()`; a
 * submission makes three such calls after its ack (BENCHMARKS.md, issue 16).
 *
 * Same connection pool as `fetch` (undici's global dispatcher, keep-alive), no redirects
 * followed. Bodies other than text (a file upload's FormData) go through `fetch` as before.
 */
export const slackFetch: FetchFunction = (url, init) => send(url, init, undefined);

/**
 * {@link slackFetch} with a limit on the whole call, from the start to the last byte of the
 * answer. Our Web API clients get their timeout from here rather than from @slack/web-api's
 * `timeout` option, which builds an `AbortSignal.timeout` per call: about 23 µs of CPU against
 * 5-7 µs for a timer cleared when the answer is in (BENCHMARKS.md, issue 16).
 */
export function slackFetchWithin(timeoutMs: number): FetchFunction {
  return (url, init) => send(url, init, timeoutMs);
}

/** Aborts when `timeoutMs` passes (as AbortSignal.timeout would) or when `signal` does; `done` clears the timer. */
function limit(timeoutMs: number | undefined, signal: AbortSignal | undefined): { signal?: AbortSignal; done(): void } {
  if (timeoutMs === undefined) return signal ? { signal, done: () => undefined } : { done: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  timer.unref();
  return { signal: signal ? AbortSignal.any([controller.signal, signal]) : controller.signal, done: () => clearTimeout(timer) };
}

async function send(url: string | URL, init: Parameters<FetchFunction>[1] = {}, timeoutMs: number | undefined): Promise<FetchResponse> {
  const { signal, done } = limit(timeoutMs, init.signal);
  try {
    if (init.body !== undefined && typeof init.body !== 'string') return await fetch(url, { ...init, ...(signal ? { signal } : {}) });
    const res = await request(url, {
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(signal ? { signal } : {}),
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    // fetch with redirect 'error' fails on a redirect; so does this.
    if (init.redirect === 'error' && res.statusCode >= 300 && res.statusCode < 400) {
      throw new TypeError(`redirect refused: ${res.statusCode} from ${String(url)}`);
    }
    return new BufferedResponse(String(url), res.statusCode, res.headers, body);
  } finally {
    done();
  }
}

/** What @slack/web-api reads of a response, over a body already read whole (Slack's answers are small). */
class BufferedResponse implements FetchResponse {
  readonly ok: boolean;
  /** The standard reason phrase (HTTP/1.1 servers may send their own; fetch reported theirs). */
  readonly statusText: string;
  readonly headers: FetchResponse['headers'];

  constructor(
    readonly url: string,
    readonly status: number,
    raw: Record<string, string | string[] | undefined>,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = STATUS_CODES[status] ?? '';
    const value = (v: string | string[] | undefined) => (v === undefined ? null : Array.isArray(v) ? v.join(', ') : v);
    this.headers = {
      get: (name: string) => value(raw[name.toLowerCase()]),
      entries: () =>
        Object.entries(raw).flatMap(([k, v]) => {
          const joined = value(v);
          return joined === null ? [] : [[k, joined] as [string, string]];
        }),
    };
  }

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }
}

/**
 * POSTs JSON (a response_url reply) and resolves with the status, giving up after `timeoutMs`;
 * the answer's body is read and dropped so the connection goes back to the pool.
 */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<number> {
  const { signal, done } = limit(timeoutMs, undefined);
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
    return res.statusCode;
  } finally {
    done();
  }
}
