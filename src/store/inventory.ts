import type { Redis } from 'ioredis';
import type { TokenRecord, TokenStatus } from '../domain/types.js';
import type { Keys } from './keys.js';
import { readAll, tokenSchema } from './schemas.js';

export type StatusCounts = Record<TokenStatus, number>;

/**
 * Read-only walks over every token (the `allTokens` sorted set), in pages, for the CSV export
 * and the tokens-by-status metric. Pages are by rank, oldest first; a token added while a walk
 * runs may be missed or seen twice, which an export taken for an audit tolerates.
 */
export class TokenInventory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** How many tokens exist (one ZCARD). */
  async count(): Promise<number> {
    return this.redis.zcard(this.keys.allTokens);
  }

  /** Every token, oldest first, `pageSize` records (one ZRANGE and one MGET) at a time. */
  async *pages(pageSize = 500, limit = Infinity): AsyncGenerator<TokenRecord[]> {
    for (let start = 0; start < limit; start += pageSize) {
      const stop = Math.min(start + pageSize, limit) - 1;
      const ids = await this.redis.zrange(this.keys.allTokens, String(start), String(stop));
      if (ids.length === 0) return;
      yield await readAll(
        this.redis,
        tokenSchema,
        ids.map((id) => this.keys.token(id)),
      );
      if (ids.length < stop - start + 1) return;
    }
  }

  /**
   * Tokens by stored status, counted from the records themselves (so no status change made
   * anywhere can make it drift), reading at most `limit` records. `counted` < `total` says
   * the count stopped at the bound.
   */
  async countByStatus(limit = 20_000): Promise<{ counts: StatusCounts; counted: number; total: number }> {
    const counts: StatusCounts = { active: 0, rotated: 0, revoked: 0, expired: 0 };
    let counted = 0;
    for await (const page of this.pages(1000, limit)) {
      for (const token of page) counts[token.status] += 1;
      counted += page.length;
    }
    return { counts, counted, total: await this.count() };
  }
}
