import { z } from 'zod';
import type { ListedToken } from '../domain/org-sync.js';

/**
 * Client of Atlassian's API Access REST API: every user API token of an organization's managed
 * accounts (`GET /admin/api-access/v1/orgs/{orgId}/api-tokens`, facts in
 * ../shared/reference/atlassian/admin-api-tokens.md). Read-only: the bot never revokes.
 *
 * Every page is validated with zod; `links.next` is followed only on the configured origin (the
 * admin key must never go anywhere else); 429 waits `Retry-After`, and a page that leaves
 * `X-RateLimit-Remaining` at 0 waits for `X-RateLimit-Reset` before the next one.
 */

/** One token of the listing, as the sync uses it. Timestamps are epoch ms. */
export type AtlassianToken = ListedToken;

/** Why a listing stopped: the sync reports these to admins once, not every run. */
export type AtlassianErrorKind = 'auth' | 'rate_limited' | 'unavailable' | 'bad_response';

export class AtlassianApiError extends Error {
  readonly code = 'atlassian_api_error';
  constructor(
    readonly kind: AtlassianErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const timestamp = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const optionalTimestamp = z.preprocess((v) => (v === null || v === '' ? undefined : v), timestamp.optional());

/** One entry; unknown extra fields are dropped (zod strips them). */
const tokenSchema = z.object({
  id: z.string().min(1).max(200),
  label: z.string().max(500),
  status: z.string().max(50).optional(),
  createdAt: timestamp,
  expiresAt: optionalTimestamp,
  lastActiveAt: optionalTimestamp,
  user: z.object({
    id: z.string().min(1).max(200),
    email: z.preprocess((v) => (v === null || v === '' ? undefined : v), z.string().max(320).optional()),
    name: z.string().max(500).nullish(),
  }),
});

/** The page envelope; entries are checked one by one so a single odd entry is counted, not fatal. */
const pageSchema = z.object({
  data: z.array(z.unknown()).max(10_000),
  links: z
    .object({ next: z.string().max(4000).nullish() })
    .partial()
    .nullish(),
});

export interface ListingPage {
  tokens: AtlassianToken[];
  /** Entries that did not match the documented shape (the listing then counts as incomplete). */
  invalid: number;
}

export interface ListOptions {
  apiUrl: string;
  orgId: string;
  apiKey: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** How many 429s in a row one page may meet before the listing gives up (default 5). */
  maxRateLimitRetries?: number;
  /** Longest single wait for Retry-After or X-RateLimit-Reset (default 120 s). */
  maxWaitMs?: number;
  /** Waits (tests and the bench pass a shorter one; the default is setTimeout). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops the listing between pages (shutdown). */
  signal?: AbortSignal;
  /** Clock for X-RateLimit-Reset given as an epoch (default Date.now). */
  now?: () => number;
}

const MAX_PAGES = 100_000;

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason ?? new Error('aborted'));
      },
      { once: true },
    );
  });

/** The listing's first URL. */
export function firstPageUrl(apiUrl: string, orgId: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/admin/api-access/v1/orgs/${encodeURIComponent(orgId)}/api-tokens`;
}

/**
 * Seconds (or an HTTP date) in `Retry-After`, else undefined. Exported for the tests.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before the next page when `X-RateLimit-Remaining` is 0: `X-RateLimit-Reset`
 * as an epoch in seconds, an ISO date, or seconds from now. Undefined when there is budget left.
 */
export function rateLimitWait(headers: Headers, now: number): number | undefined {
  const remaining = headers.get('x-ratelimit-remaining');
  if (remaining === null || Number(remaining) > 0) return undefined;
  const reset = headers.get('x-ratelimit-reset');
  if (!reset) return 1000;
  const n = Number(reset);
  if (Number.isFinite(n)) return n > 1e9 ? Math.max(0, n * 1000 - now) : Math.max(0, n * 1000);
  const date = Date.parse(reset);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/**
 * Pages through the organization's API tokens. Yields one validated page at a time; throws
 * AtlassianApiError when the listing cannot be completed (the caller must then treat what it
 * saw as partial).
 */
export async function* listApiTokens(opts: ListOptions): AsyncGenerator<ListingPage> {
  const { apiKey, timeoutMs = 30_000, maxRateLimitRetries = 5, maxWaitMs = 120_000, sleep = defaultSleep, signal } = opts;
  const now = opts.now ?? Date.now;
  const origin = new URL(opts.apiUrl).origin;
  const seen = new Set<string>();
  let url: string | undefined = firstPageUrl(opts.apiUrl, opts.orgId);
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_PAGES) throw new AtlassianApiError('bad_response', `more than ${MAX_PAGES} pages: stopped`);
    if (seen.has(url)) throw new AtlassianApiError('bad_response', 'links.next points at a page already read');
    seen.add(url);
    signal?.throwIfAborted();
    const response = await fetchPage(url, apiKey, timeoutMs, maxRateLimitRetries, maxWaitMs, sleep, now, signal);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new AtlassianApiError('bad_response', `page ${page + 1} is not JSON`, response.status);
    }
    const envelope = pageSchema.safeParse(body);
    if (!envelope.success) throw new AtlassianApiError('bad_response', `page ${page + 1} is not an API token listing`, response.status);
    const tokens: AtlassianToken[] = [];
    let invalid = 0;
    for (const entry of envelope.data.data) {
      const parsed = tokenSchema.safeParse(entry);
      if (!parsed.success) {
        invalid++;
        continue;
      }
      const { name, ...user } = parsed.data.user;
      tokens.push({ ...parsed.data, user: name ? { ...user, name } : user });
    }
    yield { tokens, invalid };
    url = nextUrl(envelope.data.links?.next ?? undefined, url, origin);
    const wait = rateLimitWait(response.headers, now());
    if (url !== undefined && wait !== undefined) await sleep(Math.min(wait, maxWaitMs), signal);
  }
}

/** The next page's URL, only when it stays on the API's origin (the key goes with it). */
function nextUrl(next: string | undefined, current: string, origin: string): string | undefined {
  if (!next) return undefined;
  let resolved: URL;
  try {
    resolved = new URL(next, current);
  } catch {
    throw new AtlassianApiError('bad_response', 'links.next is not a URL');
  }
  if (resolved.origin !== origin) throw new AtlassianApiError('bad_response', `links.next leaves ${origin}: not followed`);
  return resolved.toString();
}

async function fetchPage(
  url: string,
  apiKey: string,
  timeoutMs: number,
  maxRetries: number,
  maxWaitMs: number,
  sleep: NonNullable<ListOptions['sleep']>,
  now: () => number,
  signal: AbortSignal | undefined,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      response = await fetch(url, {
        headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'error',
      });
    } catch (err) {
      signal?.throwIfAborted();
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new AtlassianApiError('unavailable', timedOut ? `no answer within ${timeoutMs} ms` : `unreachable: ${(err as Error).message}`);
    }
    if (response.ok) return response;
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 401 || response.status === 403) {
      throw new AtlassianApiError(
        'auth',
        response.status === 401
          ? 'the admin API key was refused (401): check ATLASSIAN_ADMIN_API_KEY, it may have expired'
          : 'the admin API key may not read API tokens (403): check ATLASSIAN_ORG_ID and the key’s organization',
        response.status,
      );
    }
    if (response.status === 429) {
      if (attempt >= maxRetries) throw new AtlassianApiError('rate_limited', `still rate limited after ${maxRetries} waits`, 429);
      const wait =
        parseRetryAfter(response.headers.get('retry-after'), now()) ?? rateLimitWait(response.headers, now()) ?? 1000 * 2 ** attempt;
      await sleep(Math.min(wait, maxWaitMs), signal);
      continue;
    }
    throw new AtlassianApiError(response.status >= 500 ? 'unavailable' : 'bad_response', `HTTP ${response.status}`, response.status);
  }
}
