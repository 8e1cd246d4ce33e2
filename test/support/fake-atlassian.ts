import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of Atlassian's API Access endpoint `GET /admin/api-access/v1/orgs/{orgId}/api-tokens`,
 * built from the documented response shape (../shared/reference/atlassian/admin-api-tokens.md):
 * `{ data: [...], links: { self, next } }`, pages chained by `links.next`, rate-limit headers.
 * Tests set the organization's tokens and queue faults for the next requests.
 */

/** One token as Atlassian lists it (extra fields are passed through as given). */
export interface FakeApiToken {
  id: string;
  label: string;
  status?: string;
  createdAt: string;
  expiresAt?: string;
  lastActiveAt?: string;
  user: { id: string; orgId?: string; name?: string; email?: string };
  [extra: string]: unknown;
}

export type FakeAtlassianFault =
  | { kind: 'status'; status: 401 | 403 | 500 | 502 | 503 }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'malformed' }
  /** Accepts the request and never answers (the client's timeout must fire). */
  | { kind: 'hang' }
  /** links.next pointing at another origin (must not be followed). */
  | { kind: 'foreign_next' };

export interface FakeAtlassianRequest {
  path: string;
  authorization: string | undefined;
  status: number;
}

export interface FakeAtlassian {
  /** http://127.0.0.1:PORT, for ATLASSIAN_API_URL. */
  url: string;
  orgId: string;
  apiKey: string;
  readonly requests: FakeAtlassianRequest[];
  /** Replaces the organization's tokens. */
  setTokens(tokens: FakeApiToken[]): void;
  readonly tokens: FakeApiToken[];
  /** Page size (default 100). */
  setPageSize(n: number): void;
  /** Applies `fault` to the request for page `page` (0-based) of upcoming listings, `times` times (default 1). */
  failPage(page: number, fault: FakeAtlassianFault, times?: number): void;
  /** Called before each page is answered (tests pause a listing here). */
  onPage(hook: ((page: number) => Promise<void> | void) | undefined): void;
  stop(): Promise<void>;
}

const PATH = /^\/admin\/api-access\/v1\/orgs\/([^/]+)\/api-tokens$/;

export async function startFakeAtlassian(opts: { orgId?: string; apiKey?: string; pageSize?: number } = {}): Promise<FakeAtlassian> {
  const orgId = opts.orgId ?? 'org-0123-abcd';
  const apiKey = opts.apiKey ?? 'fake-admin-api-key-0123456789';
  let tokens: FakeApiToken[] = [];
  let pageSize = opts.pageSize ?? 100;
  const faults = new Map<number, Array<{ fault: FakeAtlassianFault; remaining: number }>>();
  const requests: FakeAtlassianRequest[] = [];
  let hook: ((page: number) => Promise<void> | void) | undefined;
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const record = (status: number) =>
      requests.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization, status });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const match = PATH.exec(url.pathname);
    if (req.method !== 'GET' || !match) return json(404, { code: 404, message: 'Not Found' });
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(401, { code: 401, message: 'Unauthorized' });
    if (decodeURIComponent(match[1]!) !== orgId) return json(404, { code: 404, message: 'organization not found' });
    const cursor = Number(url.searchParams.get('cursor') ?? '0');
    const page = Math.floor(cursor / pageSize);
    await hook?.(page);
    const queued = faults.get(page);
    const head = queued?.[0];
    if (head) {
      head.remaining -= 1;
      if (head.remaining <= 0) queued!.shift();
      const { fault } = head;
      if (fault.kind === 'status') return json(fault.status, { code: fault.status, message: 'fault' });
      if (fault.kind === 'rate_limited')
        return json(429, { code: 429, message: 'Too Many Requests' }, { 'retry-after': String(fault.retryAfterSeconds) });
      if (fault.kind === 'malformed') {
        record(200);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [ {"id": "trunc');
        return;
      }
      if (fault.kind === 'hang') {
        record(0);
        hanging.add(res);
        return;
      }
      if (fault.kind === 'foreign_next') return json(200, { data: [], links: { next: 'https://evil.example/steal?cursor=1' } });
    }
    const slice = tokens.slice(cursor, cursor + pageSize);
    const next = cursor + pageSize < tokens.length ? `${origin}${url.pathname}?cursor=${cursor + pageSize}` : undefined;
    json(
      200,
      { data: slice, links: { self: `${origin}${url.pathname}${url.search}`, ...(next ? { next } : {}) } },
      { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60) },
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    orgId,
    apiKey,
    requests,
    get tokens() {
      return tokens;
    },
    setTokens(next) {
      tokens = [...next];
    },
    setPageSize(n) {
      pageSize = n;
    },
    failPage(page, fault, times = 1) {
      const list = faults.get(page) ?? [];
      list.push({ fault, remaining: times });
      faults.set(page, list);
    },
    onPage(next) {
      hook = next;
    },
    stop() {
      for (const res of hanging) res.destroy();
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** A token in the fake's listing shape; `overrides` replaces any field. */
export function fakeApiToken(n: number, overrides: Partial<FakeApiToken> = {}): FakeApiToken {
  return {
    id: `tok-${String(n).padStart(5, '0')}`,
    label: `Integration ${n}`,
    status: 'ALLOWED',
    createdAt: '2026-06-01T09:00:00.000Z',
    expiresAt: '2027-06-01T09:00:00.000Z',
    lastActiveAt: '2026-11-30T12:00:00.000Z',
    user: { id: `acc-${n}`, orgId: 'org-0123-abcd', name: `User ${n}`, email: `user${n}@example.com` },
    ...overrides,
  };
}
