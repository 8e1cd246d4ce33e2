import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SyncCounts } from '../domain/org-sync.js';
import type { Keys } from './keys.js';
import type { IndexOp } from './commit.js';

/** Takes the lock when free or already ours (a stalled job retried under its own id). */
const ACQUIRE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;
/** Extends or releases the lock only while it is still ours. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/** Why the last sync could not read the whole listing; shown to admins until a sync succeeds. */
export interface OrgSyncWarning {
  kind: 'auth' | 'rate_limited' | 'unavailable' | 'bad_response';
  message: string;
  /** Epoch ms of the first run that met it (the warning is logged once, then kept). */
  since: number;
}

/** The last organization sync, for the admin Home and /metrics. */
export interface OrgSyncStatus {
  startedAt: number;
  finishedAt: number;
  /** True when every page was read and every entry understood (only then are tokens marked revoked). */
  complete: boolean;
  counts: SyncCounts;
  warning?: OrgSyncWarning;
  /** How many syncs have finished since the status was first written. */
  runs: number;
}

const countsSchema = z.object({
  seen: z.number().int(),
  discovered: z.number().int(),
  linked: z.number().int(),
  corrected: z.number().int(),
  revoked: z.number().int(),
  unused: z.number().int(),
  ownersNotFound: z.number().int(),
  errors: z.number().int(),
});

const statusSchema = z.object({
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  complete: z.boolean(),
  counts: countsSchema,
  warning: z
    .object({
      kind: z.enum(['auth', 'rate_limited', 'unavailable', 'bad_response']),
      message: z.string().max(500),
      since: z.number().int(),
    })
    .optional(),
  runs: z.number().int(),
}) satisfies z.ZodType<OrgSyncStatus>;

/** The organization sync's own Redis state: links, the run lock and the last status. */
export class OrgSyncStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** The token id an Atlassian token is recorded as, if linked. */
  async linkedTokenId(atlassianId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.orgSyncLinks, atlassianId)) ?? undefined;
  }

  /** Index write that links an Atlassian token to a token record (committed with the record). */
  linkOp(atlassianId: string, tokenId: string): IndexOp {
    return ['HSET', this.keys.orgSyncLinks, atlassianId, tokenId];
  }

  /** Index write that forgets a link (its record is gone). */
  unlinkOp(atlassianId: string): IndexOp {
    return ['HDEL', this.keys.orgSyncLinks, atlassianId];
  }

  /** Index write that lists a token as owing notices (committed with the notices). */
  owesNoticeOp(tokenId: string): IndexOp {
    return ['SADD', this.keys.orgSyncNotices, tokenId];
  }

  /** Index write that drops a token whose notices are all sent. */
  noticesDoneOp(tokenId: string): IndexOp {
    return ['SREM', this.keys.orgSyncNotices, tokenId];
  }

  /** Every token id listed as owing notices, `count` at a time. */
  async *tokensOwingNotices(count = 1000): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, ids] = await this.redis.sscan(this.keys.orgSyncNotices, cursor, 'COUNT', count);
      cursor = next;
      if (ids.length > 0) yield ids;
    } while (cursor !== '0');
  }

  async unlink(atlassianId: string): Promise<void> {
    await this.redis.hdel(this.keys.orgSyncLinks, atlassianId);
  }

  /** Every link, `count` at a time (HSCAN: bounded work per call however many tokens exist). */
  async *links(count = 1000): AsyncGenerator<Array<{ atlassianId: string; tokenId: string }>> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.orgSyncLinks, cursor, 'COUNT', count);
      cursor = next;
      const batch: Array<{ atlassianId: string; tokenId: string }> = [];
      for (let i = 0; i < flat.length; i += 2) batch.push({ atlassianId: flat[i]!, tokenId: flat[i + 1]! });
      if (batch.length > 0) yield batch;
    } while (cursor !== '0');
  }

  /** Takes the run lock for `runId` for `ttlMs`; false when another run holds it. */
  async acquireLock(runId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_SCRIPT, 1, this.keys.orgSyncLock, runId, ttlMs)) === 1;
  }

  /** Extends the lock; false when it is no longer ours (it lapsed and another run took it). */
  async renewLock(runId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_SCRIPT, 1, this.keys.orgSyncLock, runId, ttlMs)) === 1;
  }

  async releaseLock(runId: string): Promise<void> {
    await this.redis.eval(RENEW_SCRIPT, 1, this.keys.orgSyncLock, runId, 0);
  }

  async status(): Promise<OrgSyncStatus | undefined> {
    const raw = await this.redis.get(this.keys.orgSyncStatus);
    return raw === null ? undefined : statusSchema.parse(JSON.parse(raw));
  }

  async saveStatus(status: OrgSyncStatus): Promise<void> {
    await this.redis.set(this.keys.orgSyncStatus, JSON.stringify(statusSchema.parse(status)));
  }
}
