import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from './keys.js';
import { commitRecord } from './commit.js';
import { decode, encode } from './schemas.js';

/** Claim keys outlive their week by a month, then go (nothing reads an old week). */
const CLAIM_TTL_MS = 35 * 86_400_000;

/** Where one admin's summary for one ISO week stands. */
export interface AdminSummaryClaim {
  /** `sending`: claimed by job `by` at `at`, not confirmed; `sent`: done for the week. */
  state: 'sending' | 'sent';
  by: string;
  at: number;
}

const claimSchema = z.object({
  state: z.enum(['sending', 'sent']),
  by: z.string().min(1).max(200),
  at: z.number().int(),
}) satisfies z.ZodType<AdminSummaryClaim>;

/**
 * The exactly-once record of weekly admin summaries: one key per (admin, ISO week), changed
 * only by compare-and-set (src/store/commit.ts), so of two replicas or a retry and a stale
 * attempt exactly one claims the send and only the claimant confirms it.
 */
export class AdminSummaryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** The claim as stored (raw, for the compare-and-set) and decoded; undefined when none. */
  async get(adminId: string, week: string): Promise<{ raw: string; claim: AdminSummaryClaim } | undefined> {
    const raw = await this.redis.get(this.keys.adminSummary(adminId, week));
    const claim = decode(claimSchema, raw);
    return raw === null || claim === undefined ? undefined : { raw, claim };
  }

  /**
   * Replaces the claim `expected` (raw as read, or null for none) with `next`. Returns what
   * was written (the `expected` of a later swap), or undefined when someone changed it first.
   */
  async swap(adminId: string, week: string, expected: string | null, next: AdminSummaryClaim): Promise<string | undefined> {
    const key = this.keys.adminSummary(adminId, week);
    const raw = encode(claimSchema, next);
    if (!(await commitRecord(this.redis, { key, expected, next: raw }))) return undefined;
    await this.redis.pexpire(key, CLAIM_TTL_MS);
    return raw;
  }
}
