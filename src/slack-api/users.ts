import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import { isValidTimeZone } from '../domain/dates.js';

export interface SlackUser {
  id: string;
  /** IANA timezone from the user's Slack profile; UTC when unknown. */
  tz: string;
  deleted: boolean;
  /** A bot or app user: it cannot own or answer for a token. */
  isBot: boolean;
}

const TTL_MS = 60 * 60 * 1000;

/**
 * users.info with a short in-memory cache (users.info is Tier 4, and timezones rarely
 * change). Time-zone lookups on the request path give up after `timeoutMs` and fall back
 * to UTC so a slow Slack never delays an acknowledgement past 3 s.
 */
export class UserDirectory {
  private readonly cache = new Map<string, { user: SlackUser | null; at: number }>();

  constructor(
    /** The quick client (clients.ts): look-ups precede acks, and a 429 must surface in jobs. */
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** The user's timezone when a fresh lookup is cached, without asking Slack. */
  cachedTimeZone(userId: string): string | undefined {
    const hit = this.cache.get(userId);
    return hit?.user && this.clock.now() - hit.at < TTL_MS ? hit.user.tz : undefined;
  }

  /** The user, or null when Slack says they do not exist. Throws on transient errors. */
  async lookup(userId: string): Promise<SlackUser | null> {
    const hit = this.cache.get(userId);
    if (hit && this.clock.now() - hit.at < TTL_MS) return hit.user;
    let user: SlackUser | null;
    try {
      const res = await this.client.users.info({ user: userId });
      const u = res.user;
      user = {
        id: userId,
        tz: u?.tz && isValidTimeZone(u.tz) ? u.tz : 'UTC',
        deleted: Boolean(u?.deleted),
        isBot: Boolean(u?.is_bot || u?.is_app_user),
      };
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code !== 'user_not_found') throw err;
      user = null;
    }
    this.cache.set(userId, { user, at: this.clock.now() });
    return user;
  }

  /** The user's timezone, or UTC when it cannot be had within `timeoutMs`. */
  async timeZoneOf(userId: string, timeoutMs = 1000): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      const user = await Promise.race([this.lookup(userId), timeout]);
      return user?.tz ?? 'UTC';
    } catch (err) {
      this.logger.warn({ err, userId }, 'users.info failed; using UTC');
      return 'UTC';
    } finally {
      clearTimeout(timer);
    }
  }
}

const EMAIL_TTL_MS = 24 * 60 * 60 * 1000;
const EMAIL_MISS_TTL_MS = 60 * 60 * 1000;

/**
 * Email → Slack user id by users.lookupByEmail (scope users:read.email), cached in memory: a day
 * for a hit, an hour for an address Slack does not know. The organization sync asks once per
 * token owner. Throws on Slack errors other than "not found" (rate limits included: the caller
 * waits and asks again).
 */
export class EmailDirectory {
  private readonly cache = new Map<string, { userId: string | null; at: number }>();

  constructor(
    /** The jobs' client (clients.ts): no retries of its own, rate limits surfaced. */
    private readonly client: WebClient,
    private readonly clock: Clock,
  ) {}

  /** The Slack user with this email, or null when Slack knows no member with it (or a deleted one). */
  async userIdOf(email: string): Promise<string | null> {
    const key = email.trim().toLowerCase();
    const hit = this.cache.get(key);
    const now = this.clock.now();
    if (hit && now - hit.at < (hit.userId ? EMAIL_TTL_MS : EMAIL_MISS_TTL_MS)) return hit.userId;
    let userId: string | null;
    try {
      const res = await this.client.users.lookupByEmail({ email: key });
      userId = res.user?.id && !res.user.deleted ? res.user.id : null;
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code !== 'users_not_found' && code !== 'user_not_found') throw err;
      userId = null;
    }
    this.cache.set(key, { userId, at: now });
    return userId;
  }
}
