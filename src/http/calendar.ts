import type { CustomRoute } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import ical, { foldLines } from 'ical-generator';
import { buildCalendarFeed, CALENDAR_PATH, type CalendarEvent, type CalendarFeedModel } from '../domain/calendar.js';
import type { Logger } from '../logger.js';
import { isChannelFeed, type CalendarFeedStore, type FeedTokens } from '../store/calendar-feeds.js';

/** Calendar apps poll; a short private max-age keeps a reset or a new token visible soon. */
const CACHE_CONTROL = 'private, max-age=300';
/** Bumped when the generated text changes shape, so old ETags stop matching. */
const FORMAT_VERSION = '1';
/** Feeds kept generated in memory (one per owner, the latest version only). */
const CACHE_MAX = 500;

/** How often calendar apps are asked to poll (REFRESH-INTERVAL, X-PUBLISHED-TTL), seconds. */
const REFRESH_SECONDS = 3600;
/** Rendered events kept for reuse across regenerations (about 1 KB each). */
const EVENT_CACHE_MAX = 10_000;

/**
 * Rendered VEVENTs by content, so regenerating a feed after one token changed renders only
 * that event. Bounded; the oldest entries go first.
 */
export class EventTextCache {
  private readonly entries = new Map<string, string>();

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  set(key: string, text: string): void {
    this.entries.set(key, text);
    if (this.entries.size > EVENT_CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
  }
}

const eventKey = (e: CalendarEvent) =>
  createHash('sha1')
    .update(JSON.stringify([e.uid, e.day, e.summary, e.description, e.url, e.stampedAt]))
    .digest('base64');

/**
 * iCalendar text of a feed (RFC 5545), written by ical-generator. Each event is rendered and
 * folded on its own (the same bytes as folding the whole calendar at once, which costs several
 * times more on a large feed) and reused from `events` when unchanged.
 */
export function renderCalendar(model: CalendarFeedModel, events = new EventTextCache()): string {
  const calendar = ical({
    name: model.name,
    prodId: { company: 'bitbucket-token-bot', product: 'expiry-feed' },
    ttl: REFRESH_SECONDS,
  });
  const frame = calendar.toString();
  const end = frame.lastIndexOf('END:VCALENDAR');
  const parts = [frame.slice(0, end)];
  for (const event of model.events) {
    const key = eventKey(event);
    let text = events.get(key);
    if (text === undefined) {
      const rendered = calendar.createEvent({
        id: event.uid,
        // An all-day event on that calendar day wherever the reader is (a date, no time zone).
        start: new Date(`${event.day}T00:00:00Z`),
        allDay: true,
        summary: event.summary,
        description: event.description,
        url: event.url,
        stamp: new Date(event.stampedAt),
      });
      text = foldLines(rendered.toString());
      events.set(key, text);
    }
    parts.push(text);
  }
  parts.push(frame.slice(end));
  return parts.join('');
}

export interface CalendarRouteDeps {
  feeds: Pick<CalendarFeedStore, 'resolve' | 'loadTokens'>;
  /** The bot's slash command, named in each event's renewal steps. */
  command: string;
  logger: Logger;
}

/**
 * Generated feeds by owner, the latest version each: a repeat request for an unchanged
 * inventory costs the read and a hash, not a regeneration. Any change to a listed record
 * changes the fingerprint, so nothing has to invalidate it explicitly.
 */
export class CalendarCache {
  readonly events = new EventTextCache();
  private readonly entries = new Map<string, { fingerprint: string; body: string }>();

  get(ownerId: string, fingerprint: string): string | undefined {
    const hit = this.entries.get(ownerId);
    return hit?.fingerprint === fingerprint ? hit.body : undefined;
  }

  set(ownerId: string, fingerprint: string, body: string): void {
    this.entries.delete(ownerId);
    this.entries.set(ownerId, { fingerprint, body });
    if (this.entries.size > CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('Not found\n');
}

/** True when If-None-Match names `etag` (or is `*`). */
function matchesEtag(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

/**
 * The feed body for `ownerId` from `tokens`, from the cache when the inventory is unchanged.
 * Exported for the bench.
 */
export function feedBody(cache: CalendarCache, ownerId: string, tokens: FeedTokens, command: string): string {
  const cached = cache.get(ownerId, tokens.fingerprint);
  if (cached !== undefined) return cached;
  const title = isChannelFeed(ownerId) ? 'Bitbucket token expiries (team channel)' : 'Bitbucket token expiries';
  const body = renderCalendar(buildCalendarFeed(tokens.decode(), { title, command }), cache.events);
  cache.set(ownerId, tokens.fingerprint, body);
  return body;
}

/**
 * GET /calendar/<id>.ics: the iCalendar feed of the owner whose current feed id this is; 404
 * for anything else (unknown, reset, malformed) after the same look-up work. Never lists feeds.
 */
export function createCalendarRoutes({ feeds, command, logger }: CalendarRouteDeps): CustomRoute[] {
  const cache = new CalendarCache();
  return [
    {
      path: `${CALENDAR_PATH}/:file`,
      method: ['GET'],
      handler: async (req, res) => {
        const file = (req as IncomingMessage & { params?: Record<string, string> }).params?.['file'] ?? '';
        // Bounded work for any length; a malformed name simply hashes to nothing stored.
        const candidate = (file.endsWith('.ics') ? file.slice(0, -4) : file).slice(0, 64);
        try {
          const owner = await feeds.resolve(candidate);
          if (owner === undefined || !file.endsWith('.ics')) {
            notFound(res);
            return;
          }
          const tokens = await feeds.loadTokens(owner);
          const etag = `"${FORMAT_VERSION}-${tokens.fingerprint.slice(0, 40)}"`;
          const headers = { 'cache-control': CACHE_CONTROL, etag, 'x-robots-tag': 'noindex' };
          if (matchesEtag(req, etag)) {
            res.writeHead(304, headers);
            res.end();
            return;
          }
          const body = feedBody(cache, owner, tokens, command);
          res.writeHead(200, { ...headers, 'content-type': 'text/calendar; charset=utf-8' });
          res.end(body);
        } catch (err) {
          logger.warn({ err }, 'could not serve a calendar feed');
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '30' });
          res.end('Try again shortly\n');
        }
      },
    },
  ];
}
