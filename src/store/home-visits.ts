import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/** How long an App Home visit counts as recent: the Home is republished after a request only within it. */
export const HOME_SEEN_DAYS = 30;

/**
 * Who opened their App Home lately. A Home is republished on every app_home_opened, so a change
 * for someone who does not look at theirs is shown when they next do; republishing it at once
 * pays for a Home nobody sees (src/slack-api/home.ts, refreshIfSeen).
 */
export class HomeVisits {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Notes that the user opened their Home now. */
  async opened(userId: string): Promise<void> {
    await this.redis.set(this.keys.homeSeen(userId), '1', 'EX', HOME_SEEN_DAYS * 86_400);
  }

  /** Whether the user opened their Home in the last {@link HOME_SEEN_DAYS} days. */
  async seenLately(userId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.homeSeen(userId))) === 1;
  }
}
