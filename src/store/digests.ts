import type { Redis } from 'ioredis';
import { commitRecord, updateRecord } from './commit.js';
import type { Keys } from './keys.js';
import { type ReminderDigest, decode, digestSchema, encode } from './schemas.js';

/** A digest outlives its hour by a day: long enough for every retry and button press to find it. */
const DIGEST_TTL_MS = 2 * 86_400_000;
/** A digest lists at most this many lines (3 blocks each: within a message's 50 blocks). */
export const DIGEST_MAX_LINES = 15;

export type DigestLine = ReminderDigest['lines'][number];

/**
 * A person's reminder digest of one local hour (REMINDER_DIGEST): the one DM that lists every
 * (token, threshold) due for them then. Every change is a compare-and-set, so concurrent
 * deliveries add their lines without losing one, and a line is listed once however often its
 * delivery is retried.
 */
export class DigestStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(userId: string, slot: string): Promise<ReminderDigest | undefined> {
    return decode(digestSchema, await this.redis.get(this.keys.reminderDigest(userId, slot)));
  }

  /**
   * Lists `line` in the digest, creating it with `poster` (the claim that will post the DM) when
   * there is none yet. Idempotent per (token, threshold). Returns the digest as it now is, or
   * undefined when it is full (the reminder then goes as a message of its own).
   */
  async addLine(
    userId: string,
    slot: string,
    line: DigestLine,
    start: { poster: string; at: number; tz: string },
  ): Promise<ReminderDigest | undefined> {
    const key = this.keys.reminderDigest(userId, slot);
    for (let attempt = 0; attempt < 20; attempt++) {
      const created: ReminderDigest = { ...start, lines: [line] };
      if (
        await commitRecord(this.redis, { key, expected: null, next: encode(digestSchema, created), ops: [['PEXPIRE', key, DIGEST_TTL_MS]] })
      )
        return created;
      let full = false;
      const result = await updateRecord(this.redis, key, digestSchema, (d) => {
        if (d.lines.some((l) => l.t === line.t && l.th === line.th)) return undefined;
        full = d.lines.length >= DIGEST_MAX_LINES;
        return full ? undefined : { next: { ...d, lines: [...d.lines, line] } };
      });
      if (full) return undefined;
      if (result) return result.value;
    }
    throw new Error('digest: too many concurrent changes');
  }

  /** Records where the DM is, once; only its poster may. */
  async setMessage(userId: string, slot: string, poster: string, ch: string, ts: string): Promise<ReminderDigest | undefined> {
    const result = await updateRecord(this.redis, this.keys.reminderDigest(userId, slot), digestSchema, (d) =>
      d.poster !== poster || d.ts ? undefined : { next: { ...d, ch, ts } },
    );
    return result?.value;
  }

  /** A poster that died before recording the DM: `poster` takes over (only while no DM is recorded). */
  async takeOver(userId: string, slot: string, from: string, poster: string, at: number): Promise<boolean> {
    const result = await updateRecord(this.redis, this.keys.reminderDigest(userId, slot), digestSchema, (d) =>
      d.poster !== from || d.ts ? undefined : { next: { ...d, poster, at } },
    );
    return result?.changed ?? false;
  }

  /** Writes the answer on the token's line (its buttons give way to it); other lines keep theirs. */
  async answer(userId: string, slot: string, tokenId: string, answer: string): Promise<ReminderDigest | undefined> {
    const result = await updateRecord(this.redis, this.keys.reminderDigest(userId, slot), digestSchema, (d) =>
      d.lines.some((l) => l.t === tokenId)
        ? { next: { ...d, lines: d.lines.map((l) => (l.t === tokenId ? { ...l, a: answer } : l)) } }
        : undefined,
    );
    return result?.value;
  }
}
