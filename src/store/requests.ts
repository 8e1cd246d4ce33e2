import type { Redis } from 'ioredis';
import type { TokenRequest } from '../domain/types.js';
import type { Keys } from './keys.js';
import { commitRecord, type IndexOp } from './commit.js';
import { decode, encode, requestSchema } from './schemas.js';

/** A stored record together with the exact JSON it was read from (for compare-and-set). */
export interface Versioned<T> {
  value: T;
  raw: string;
}

export class RequestStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Stores a new request and indexes it under its requester (and as pending, when it is). */
  async create(request: TokenRequest): Promise<void> {
    const ok = await commitRecord(this.redis, {
      key: this.keys.request(request.id),
      expected: null,
      next: encode(requestSchema, request),
      ops: [['ZADD', this.keys.userRequests(request.requesterId), request.createdAt, request.id], ...this.pendingOps(undefined, request)],
    });
    if (!ok) throw new Error(`request ${request.id} already exists`);
  }

  async get(id: string): Promise<TokenRequest | undefined> {
    return (await this.getVersioned(id))?.value;
  }

  async getVersioned(id: string): Promise<Versioned<TokenRequest> | undefined> {
    const raw = await this.redis.get(this.keys.request(id));
    const value = decode(requestSchema, raw);
    return value && raw ? { value, raw } : undefined;
  }

  /**
   * Applies `change` atomically: reads, lets `change` decide (return undefined to leave the
   * record alone), and commits only if nobody changed it meanwhile, else retries.
   * Returns the record as it ended up and whether this call changed it.
   */
  async update(
    id: string,
    change: (current: TokenRequest) => { next: TokenRequest; ops?: IndexOp[] } | undefined,
  ): Promise<{ request: TokenRequest; changed: boolean } | undefined> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.getVersioned(id);
      if (!current) return undefined;
      const decision = change(current.value);
      if (!decision) return { request: current.value, changed: false };
      const ok = await commitRecord(this.redis, {
        key: this.keys.request(id),
        expected: current.raw,
        next: encode(requestSchema, decision.next),
        ops: [...(decision.ops ?? []), ...this.pendingOps(current.value, decision.next)],
      });
      if (ok) return { request: decision.next, changed: true };
    }
    throw new Error(`request ${id} is too contended to update`);
  }

  /**
   * Keeps the pending-approvals index in step with the status, in the same atomic commit,
   * so the index never lists a decided request nor misses a pending one.
   */
  private pendingOps(before: TokenRequest | undefined, after: TokenRequest): IndexOp[] {
    const wasPending = before?.status === 'pending_approval';
    const isPending = after.status === 'pending_approval';
    if (isPending && !wasPending) return [['ZADD', this.keys.pendingApprovals, after.createdAt, after.id]];
    if (wasPending && !isPending) return [['ZREM', this.keys.pendingApprovals, after.id]];
    return [];
  }

  /** Requests waiting for an approver, oldest first (the approvers' queue). */
  async listPendingApprovals(limit = 100): Promise<TokenRequest[]> {
    const ids = await this.redis.zrange(this.keys.pendingApprovals, "0", String(limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.request(id)));
    return raws.flatMap((raw) => {
      const value = decode(requestSchema, raw);
      return value?.status === 'pending_approval' ? [value] : [];
    });
  }

  /** The user's requests, newest first. */
  async listByUser(userId: string, limit = 50): Promise<TokenRequest[]> {
    const ids = await this.redis.zrevrange(this.keys.userRequests(userId), 0, limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.request(id)));
    return raws.flatMap((raw) => {
      const value = decode(requestSchema, raw);
      return value ? [value] : [];
    });
  }
}
