import type { Redis } from 'ioredis';
import type { TokenRequest } from '../domain/types.js';
import type { Keys } from './keys.js';
import { commitRecord, updateRecord, type IndexOp, type RecordChange } from './commit.js';
import { decode, encode, readAll, requestSchema } from './schemas.js';

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
    return decode(requestSchema, await this.redis.get(this.keys.request(id)));
  }

  /**
   * Applies `change` atomically: reads, lets `change` decide (return undefined to leave the
   * record alone), and commits only if nobody changed it meanwhile, else retries.
   * Returns the record as it ended up and whether this call changed it.
   */
  async update(
    id: string,
    change: (current: TokenRequest) => RecordChange<TokenRequest> | undefined,
  ): Promise<{ request: TokenRequest; changed: boolean } | undefined> {
    const result = await updateRecord(this.redis, this.keys.request(id), requestSchema, change, (before, after) =>
      this.pendingOps(before, after),
    );
    return result && { request: result.value, changed: result.changed };
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
    const ids = await this.redis.zrange(this.keys.pendingApprovals, '0', String(limit - 1));
    const requests = await readAll(
      this.redis,
      requestSchema,
      ids.map((id) => this.keys.request(id)),
    );
    return requests.filter((r) => r.status === 'pending_approval');
  }

  /** The user's requests, newest first. */
  async listByUser(userId: string, limit = 50): Promise<TokenRequest[]> {
    const ids = await this.redis.zrevrange(this.keys.userRequests(userId), 0, limit - 1);
    return readAll(
      this.redis,
      requestSchema,
      ids.map((id) => this.keys.request(id)),
    );
  }
}
