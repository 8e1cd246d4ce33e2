import type { Redis } from 'ioredis';
import type { TokenEvent, TokenRecord, TokenRequest } from '../domain/types.js';
import type { Keys } from './keys.js';
import { commitRecord, type IndexOp } from './commit.js';
import { decode, encode, tokenSchema } from './schemas.js';
import type { RequestStore } from './requests.js';

export class TokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly requests: RequestStore,
  ) {}

  async get(id: string): Promise<TokenRecord | undefined> {
    return decode(tokenSchema, await this.redis.get(this.keys.token(id)));
  }

  /**
   * The writes that accompany a new token record: its indexes and its first history
   * entry. Every way a token comes into being goes through here.
   */
  private newTokenOps(token: TokenRecord, event: TokenEvent): IndexOp[] {
    return [
      ['ZADD', this.keys.userTokens(token.ownerId), token.createdAt, token.id],
      ['ZADD', this.keys.allTokens, token.createdAt, token.id],
      ['RPUSH', this.keys.tokenHistory(token.id), JSON.stringify(event)],
    ];
  }

  /**
   * Stores a new token (recorded by hand or imported). Idempotent: returns false and
   * writes nothing when a token with this id already exists.
   */
  async create(token: TokenRecord, event: TokenEvent): Promise<boolean> {
    return commitRecord(this.redis, {
      key: this.keys.token(token.id),
      expected: null,
      next: encode(tokenSchema, token),
      ops: this.newTokenOps(token, event),
    });
  }

  /** The token's history, oldest first. */
  async history(id: string): Promise<TokenEvent[]> {
    const raws = await this.redis.lrange(this.keys.tokenHistory(id), 0, -1);
    return raws.map((raw) => JSON.parse(raw) as TokenEvent);
  }

  /**
   * Records the token created from an approved request: the request becomes `created`
   * and the token is written in the same atomic step, so a second click records nothing.
   * Returns the token and whether this call created it; undefined when the request is
   * missing or not in a state that allows recording.
   */
  async recordFromRequest(
    requestId: string,
    build: (request: TokenRequest) => TokenRecord,
    now: number,
  ): Promise<{ token: TokenRecord; created: boolean } | { refused: TokenRequest['status'] } | undefined> {
    let token: TokenRecord | undefined;
    const result = await this.requests.update(requestId, (request) => {
      if (request.status !== 'approved') return undefined;
      token = build(request);
      return {
        next: { ...request, status: 'created', tokenId: token.id, updatedAt: now },
        ops: [
          ['SET', this.keys.token(token.id), encode(tokenSchema, token)],
          ...this.newTokenOps(token, { at: now, type: 'recorded', by: request.requesterId }),
        ],
      };
    });
    if (!result) return undefined;
    if (result.changed && token) return { token, created: true };
    if (result.request.status === 'created' && result.request.tokenId) {
      const existing = await this.get(result.request.tokenId);
      if (existing) return { token: existing, created: false };
    }
    return { refused: result.request.status };
  }

  /** The user's tokens, newest first. */
  async listByUser(userId: string, limit = 200): Promise<TokenRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.userTokens(userId), 0, limit - 1);
    return this.loadMany(ids);
  }

  /**
   * The newest `max` tokens of everyone, read in pages so the work stays bounded however
   * many tokens exist; `total` says how many there are in all.
   */
  async listRecent(max: number, pageSize = 500): Promise<{ tokens: TokenRecord[]; total: number }> {
    const total = await this.redis.zcard(this.keys.allTokens);
    const tokens: TokenRecord[] = [];
    for (let start = 0; start < Math.min(total, max); start += pageSize) {
      const stop = Math.min(start + pageSize, max) - 1;
      tokens.push(...(await this.loadMany(await this.redis.zrevrange(this.keys.allTokens, start, stop))));
    }
    return { tokens, total };
  }

  private async loadMany(ids: string[]): Promise<TokenRecord[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.token(id)));
    return raws.flatMap((raw) => {
      const value = decode(tokenSchema, raw);
      return value ? [value] : [];
    });
  }
}
