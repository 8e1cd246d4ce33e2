/**
 * Part 5: calendar feed. Records `size` tokens for one user through TokenStore.create, then
 * times GET /calendar/<id>.ics over HTTP against the bot's own route (src/http/calendar.ts) on
 * a real Redis: cold (nothing generated yet: read, decode, ical-generator), warm (the same
 * inventory again: read and fingerprint, generated text from memory) and 304 (If-None-Match).
 *
 * Runs against a scratch redis-server of its own: it FLUSHALLs first.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CustomRoute } from '@slack/bolt';
import { createKeys } from '../src/store/keys.js';
import { createRedis } from '../src/store/redis.js';
import { RequestStore } from '../src/store/requests.js';
import { TokenStore } from '../src/store/tokens.js';
import { CalendarFeedStore } from '../src/store/calendar-feeds.js';
import { createCalendarRoutes } from '../src/http/calendar.js';
import { calendarFeedUrl } from '../src/domain/calendar.js';
import { createTokenId } from '../src/domain/record-ids.js';
import { createLogger } from '../src/logger.js';
import type { TokenRecord } from '../src/domain/types.js';
import { summarize, type LatencySummary } from './stats.js';

export interface CalendarResult {
  tokens: number;
  bodyBytes: number;
  /** A fresh route (empty cache) per request: what the first request after a change costs. */
  coldMs: LatencySummary;
  /** The same route again: inventory unchanged, text from memory. */
  warmMs: LatencySummary;
  /** The same route after one token was renamed: regenerated, the other events from memory. */
  changedMs: LatencySummary;
  /** If-None-Match with the current ETag. */
  notModifiedMs: LatencySummary;
}

const USER = 'UBENCHCAL';

/** Serves one route set; `routes()` is asked per request so a run can swap in a fresh cache. */
function serve(routes: () => CustomRoute[]): Promise<Server> {
  const server = createServer((req, res) => {
    const file = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/')[2] ?? '');
    const route = routes()[0]!;
    void route.handler(Object.assign(req as IncomingMessage, { params: { file } }), res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function timeGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ms: number; status: number; body: string; etag: string }> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body, etag: res.headers.get('etag') ?? '' };
}

export async function measureCalendar(redisUrl: string, size: number, runs: number): Promise<CalendarResult> {
  const redis = createRedis(redisUrl);
  await redis.flushall();
  const keys = createKeys('bench');
  const tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < size; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, size - i) }, (_, j) => {
        const n = i + j;
        const token: TokenRecord = {
          id: createTokenId(),
          ownerId: USER,
          name: `Integration ${n} Bitbucket token`,
          scopes: ['read:repository:bitbucket', 'read:pullrequest:bitbucket', 'write:pullrequest:bitbucket'],
          workspace: 'acme',
          expiresOn: new Date(now + ((n % 360) + 1) * 86_400_000).toISOString().slice(0, 10),
          createdAt: now + n,
          status: 'active',
          purpose: 'Scans pull requests for vulnerable dependencies and comments on them.',
          places: [`Bitbucket Pipelines variable TOKEN_${n} in acme/web`, 'Vault secret/ci/scanner'],
        };
        ids.push(token.id);
        return tokens.create(token, { at: now, type: 'imported' });
      }),
    );
  }
  const feeds = new CalendarFeedStore(redis, keys, 'bench-calendar-secret-bench-calendar-secret');
  const feedId = await feeds.ensure(USER);
  const logger = createLogger({ level: 'silent' });
  const make = () => createCalendarRoutes({ feeds, command: '/bitbucket-token', logger });
  let current = make();
  let fresh = true;
  const server = await serve(() => {
    if (fresh) current = make();
    return current;
  });
  const url = calendarFeedUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, feedId);
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    const changed: number[] = [];
    const notModified: number[] = [];
    // Warm-up (JIT) before anything is counted.
    for (let i = 0; i < 3; i++) await timeGet(url);
    let body = '';
    let etag = '';
    for (let i = 0; i < runs; i++) {
      fresh = true;
      const c = await timeGet(url);
      if (c.status !== 200) throw new Error(`calendar bench: GET answered ${c.status}`);
      cold.push(c.ms);
      fresh = false;
      const w = await timeGet(url);
      warm.push(w.ms);
      body = w.body;
      etag = w.etag;
      const n = await timeGet(url, { 'if-none-match': etag });
      if (n.status !== 304) throw new Error(`calendar bench: If-None-Match answered ${n.status}`);
      notModified.push(n.ms);
      await tokens.update(ids[i % ids.length]!, (t) => ({ next: { ...t, name: `Renamed ${i} ${t.name}`.slice(0, 100) } }));
      const ch = await timeGet(url, { 'if-none-match': etag });
      if (ch.status !== 200 || !ch.body.includes(`Renamed ${i} `)) throw new Error('calendar bench: a changed token was not in the feed');
      changed.push(ch.ms);
    }
    // The last renamed token is regenerated the next round; the count is what matters here.
    const events = body.split('BEGIN:VEVENT').length - 1;
    if (events !== size) throw new Error(`calendar bench: ${events} events for ${size} tokens`);
    return {
      tokens: size,
      bodyBytes: Buffer.byteLength(body),
      coldMs: summarize(cold),
      warmMs: summarize(warm),
      changedMs: summarize(changed),
      notModifiedMs: summarize(notModified),
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    redis.disconnect();
  }
}
