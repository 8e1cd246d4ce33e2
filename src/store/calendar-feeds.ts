import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TokenRecord } from '../domain/types.js';
import type { Keys } from './keys.js';
import { commitRecord } from './commit.js';
import { decode, tokenSchema } from './schemas.js';

/** A feed id: 128 bits as 32 lowercase hex digits. */
export const FEED_ID = /^[0-9a-f]{32}$/;
/** Who a feed belongs to: a user (its tokens) or a channel (tokens whose team channel it is). */
const OWNER_ID = /^[UWCG][A-Z0-9]{1,20}$/;
/** The most tokens one feed lists (the newest). */
export const FEED_TOKENS_MAX = 2000;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** What a feed lists, read raw: `fingerprint` changes whenever any listed record does. */
export interface FeedTokens {
  /** SHA-256 (hex) of the ids and stored records, for caching and the ETag. */
  fingerprint: string;
  /** Decodes the records (only needed when the feed is generated). */
  decode(): TokenRecord[];
}

/**
 * Calendar feeds: each owner has one current feed id, `HMAC(secret, owner + nonce)` truncated
 * to 128 bits, where the nonce is random and stored per owner. Redis holds the nonce and the
 * SHA-256 of the id (mapping to the owner), never the id: a copy of Redis without the secret
 * gives no feed address. Requests are looked up by the hash of what was asked for, so the work
 * done does not depend on how close a guess is; the match is confirmed in constant time.
 */
export class CalendarFeedStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly secret: string,
  ) {}

  private feedId(ownerId: string, nonce: string): string {
    return createHmac('sha256', this.secret).update(`${ownerId}\n${nonce}`).digest('hex').slice(0, 32);
  }

  private feedKey(feedId: string): string {
    return this.keys.calendarFeed(sha256(feedId).toString('hex'));
  }

  /** The owner's current feed id, or undefined when they have none yet (nothing is created). */
  async find(ownerId: string): Promise<string | undefined> {
    if (!OWNER_ID.test(ownerId)) return undefined;
    const nonce = await this.redis.get(this.keys.calendarOwner(ownerId));
    return nonce === null ? undefined : this.feedId(ownerId, nonce);
  }

  /** The owner's current feed id, created on first use (concurrent first uses agree on one). */
  async ensure(ownerId: string): Promise<string> {
    if (!OWNER_ID.test(ownerId)) throw new Error('calendar feed owner must be a Slack user or channel id');
    for (let attempt = 0; attempt < 5; attempt++) {
      const nonce = await this.redis.get(this.keys.calendarOwner(ownerId));
      if (nonce !== null) return this.feedId(ownerId, nonce);
      const fresh = randomBytes(16).toString('hex');
      const created = await commitRecord(this.redis, {
        key: this.keys.calendarOwner(ownerId),
        expected: null,
        next: fresh,
        ops: [['SET', this.feedKey(this.feedId(ownerId, fresh)), ownerId]],
      });
      if (created) return this.feedId(ownerId, fresh);
    }
    throw new Error('calendar feed id is too contended to create');
  }

  /**
   * Gives the owner a new feed id; the old one stops resolving in the same atomic write.
   * Returns the new id.
   */
  async reset(ownerId: string): Promise<string> {
    if (!OWNER_ID.test(ownerId)) throw new Error('calendar feed owner must be a Slack user or channel id');
    for (let attempt = 0; attempt < 5; attempt++) {
      const old = await this.redis.get(this.keys.calendarOwner(ownerId));
      const fresh = randomBytes(16).toString('hex');
      const next = this.feedId(ownerId, fresh);
      const ok = await commitRecord(this.redis, {
        key: this.keys.calendarOwner(ownerId),
        expected: old,
        next: fresh,
        ops: [
          ...(old === null ? [] : [['DEL', this.feedKey(this.feedId(ownerId, old))] as ['DEL', string]]),
          ['SET', this.feedKey(next), ownerId],
        ],
      });
      if (ok) return next;
    }
    throw new Error('calendar feed id is too contended to reset');
  }

  /**
   * The owner of the feed asked for as `candidate` (anything the URL held), or undefined.
   * Every candidate, well-formed or not, costs one SHA-256, one GET and one constant-time
   * comparison; a hit also reads the owner's nonce to confirm the id is still current.
   */
  async resolve(candidate: string): Promise<string | undefined> {
    const asked = sha256(candidate);
    const owner = await this.redis.get(this.keys.calendarFeed(asked.toString('hex')));
    const valid = owner !== null && OWNER_ID.test(owner) && FEED_ID.test(candidate);
    const nonce = valid ? await this.redis.get(this.keys.calendarOwner(owner)) : null;
    const current = nonce === null || !valid ? asked : sha256(this.feedId(owner, nonce));
    // Equal only when the stored mapping is the owner's current id (a stale mapping is refused).
    const same = timingSafeEqual(asked, current) && nonce !== null;
    return same ? (owner ?? undefined) : undefined;
  }

  /**
   * The tokens of a feed's owner, read raw with their fingerprint (up to FEED_TOKENS_MAX, newest
   * first): a user's own tokens, or a channel's (tokens whose team channel it is).
   */
  async loadTokens(ownerId: string): Promise<FeedTokens> {
    const channel = isChannelFeed(ownerId);
    const index = channel ? this.keys.channelTokens(ownerId) : this.keys.userTokens(ownerId);
    const ids = await this.redis.zrevrange(index, 0, FEED_TOKENS_MAX - 1);
    const raws = ids.length === 0 ? [] : await this.redis.mget(ids.map((id) => this.keys.token(id)));
    const hash = createHash('sha256');
    for (let i = 0; i < ids.length; i++) hash.update(`${ids[i]}\n${raws[i] ?? ''}\n`);
    return {
      fingerprint: hash.digest('hex'),
      decode: () =>
        raws.flatMap((raw) => {
          const token = decode(tokenSchema, raw);
          return token && (!channel || token.teamChannelId === ownerId) ? [token] : [];
        }),
    };
  }
}

/** True when a feed belongs to a channel (its id is a channel id), not a user. */
export const isChannelFeed = (ownerId: string): boolean => /^[CG]/.test(ownerId);
