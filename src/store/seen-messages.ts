import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/** Slack redelivers an event up to 3 times within about 5 minutes; an hour covers that. */
const SEEN_TTL_SECONDS = 3600;

/**
 * Remembers which Slack messages the bot has already acted on, shared by every replica,
 * so a redelivered event (x-slack-retry-num) or a second replica does not act twice.
 */
export class SeenMessages {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** True the first time it is called for this message; false on every later call. */
  async markFirst(channelId: string, ts: string): Promise<boolean> {
    const result = await this.redis.set(this.keys.seenMessage(channelId, ts), '1', 'EX', SEEN_TTL_SECONDS, 'NX');
    return result === 'OK';
  }
}
