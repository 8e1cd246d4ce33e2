import type { Redis } from 'ioredis';
import type { TokenEvent, TokenRecord, TokenRequest } from '../domain/types.js';
import type { Keys } from './keys.js';
import { commitRecord, updateRecord, type IndexOp } from './commit.js';
import { decode, encode, readAll, RECORD_EVENTS, storedTokenSchema, tokenSchema, type StoredToken } from './schemas.js';
import type { RequestStore } from './requests.js';
import { tokenPeople } from '../domain/team.js';

/**
 * Leases reminder entries the sweep has already queued a delivery for: each id still scored
 * as it was read is re-scored to `leaseUntil`, so the next sweeps leave it to that delivery.
 * An entry changed in between (its delivery already ran) is left alone. Returns the leased ids.
 */
const LEASE_DUE_SCRIPT = `
local leased = {}
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i])
    leased[#leased + 1] = ARGV[i]
  end
end
return leased
`;

/** The record as the app sees it: the history entries it holds are the store's (see StoredToken). */
function withoutEvents(token: StoredToken): TokenRecord {
  const { firstEvent: _first, events: _events, ...record } = token;
  return record;
}

/**
 * Where new history entries go: into the record while its `events` has room and nothing has gone
 * to the history key yet, else (and from then on) appended to the key, so the history reads in
 * order as the record's entries, then the key's (see StoredToken).
 */
function placeEvents(current: StoredToken, added: readonly TokenEvent[]): { inRecord: StoredToken['events']; inKey: TokenEvent[] } {
  const room = current.events ? RECORD_EVENTS - current.events.length : 0;
  const taken = added.slice(0, Math.max(0, room));
  return { inRecord: current.events && [...current.events, ...taken], inKey: added.slice(taken.length) };
}

/** A token change: the next record, extra writes, and the history entries to append (in order). */
export interface TokenChange {
  next: TokenRecord;
  ops?: IndexOp[];
  event?: TokenEvent | TokenEvent[];
}

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
   * A new token record as stored: with its first history entry (see StoredToken), which saves
   * the history key until more than RECORD_EVENTS things have happened to the token.
   */
  private withFirstEvent(token: TokenRecord, event: TokenEvent): string {
    return encode(storedTokenSchema, { ...token, events: [event] });
  }

  /**
   * The writes that accompany a new token record: its indexes. Every way a token comes into
   * being goes through here (and `withFirstEvent`).
   */
  private newTokenOps(token: TokenRecord): IndexOp[] {
    return [
      ...sharers(token).map((userId): IndexOp => ['ZADD', this.keys.userTokens(userId), token.createdAt, token.id]),
      ...(token.teamChannelId ? [['ZADD', this.keys.channelTokens(token.teamChannelId), token.createdAt, token.id] as IndexOp] : []),
      ['ZADD', this.keys.allTokens, token.createdAt, token.id],
      // Looked at by the next reminder sweep, which learns the owner's timezone and sets the
      // exact time; scheduling here makes a token and its reminders appear together.
      ['ZADD', this.keys.remindersDue, token.createdAt, token.id],
    ];
  }

  /** Index write that (re)schedules a token's next reminder look at `at`, or unschedules it. */
  scheduleOp(tokenId: string, at: number | undefined): IndexOp {
    return at === undefined ? ['ZREM', this.keys.remindersDue, tokenId] : ['ZADD', this.keys.remindersDue, at, tokenId];
  }

  /**
   * Index write that appends to the token's history key. History there is one string of JSON
   * lines (APPEND) rather than a list: at 100,000 tokens a one-entry list costs about 250 bytes
   * in Redis 7.0, a short string about half that. Only `update` decides what goes there.
   */
  private historyOp(tokenId: string, event: TokenEvent): IndexOp {
    return ['APPEND', this.keys.tokenHistory(tokenId), `${JSON.stringify(event)}\n`];
  }

  /** Drops a token from the reminder schedule (e.g. its record is gone). */
  async unschedule(id: string): Promise<void> {
    await this.redis.zrem(this.keys.remindersDue, id);
  }

  /**
   * Applies `change` atomically (compare-and-set; retried when someone else changed the token
   * first). `change` returns undefined to leave the token alone. The history entries and index
   * writes are committed with the record. Returns the token as it ended up.
   */
  async update(
    id: string,
    change: (current: TokenRecord) => TokenChange | undefined,
  ): Promise<{ token: TokenRecord; changed: boolean } | undefined> {
    const result = await updateRecord(
      this.redis,
      this.keys.token(id),
      storedTokenSchema,
      (current: StoredToken) => {
        const decision = change(current);
        if (!decision) return undefined;
        const { inRecord, inKey } = placeEvents(current, decision.event === undefined ? [] : [decision.event].flat());
        return {
          // The history entries the record holds stay whatever the change (see StoredToken).
          next: {
            ...withoutEvents(decision.next),
            ...(current.firstEvent ? { firstEvent: current.firstEvent } : {}),
            ...(inRecord ? { events: inRecord } : {}),
          },
          ops: [...(decision.ops ?? []), ...inKey.map((event) => this.historyOp(id, event))],
        };
      },
      (before, after) => [
        // Each user's index follows who shares the token (Adopt, a co-owner promoted, co-owners edited).
        ...sharers(before)
          .filter((userId) => !sharers(after).includes(userId))
          .map((userId): IndexOp => ['ZREM', this.keys.userTokens(userId), id]),
        ...sharers(after)
          .filter((userId) => !sharers(before).includes(userId))
          .map((userId): IndexOp => ['ZADD', this.keys.userTokens(userId), after.createdAt, id]),
        // The team channel's index (its calendar feed) follows the team channel.
        ...(before.teamChannelId === after.teamChannelId
          ? []
          : ([
              ...(before.teamChannelId ? [['ZREM', this.keys.channelTokens(before.teamChannelId), id]] : []),
              ...(after.teamChannelId ? [['ZADD', this.keys.channelTokens(after.teamChannelId), after.createdAt, id]] : []),
            ] as IndexOp[])),
      ],
    );
    return result && { token: withoutEvents(result.value), changed: result.changed };
  }

  /**
   * Up to `limit` reminder entries due at `now`, with the scores they are due at. Cost is
   * O(log N + due), independent of how many tokens exist.
   */
  async dueReminders(now: number, limit: number): Promise<Array<{ id: string; score: number }>> {
    const flat = await this.redis.zrangebyscore(this.keys.remindersDue, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ id: string; score: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    return out;
  }

  /** Leases due entries to their queued deliveries until `leaseUntil` (see LEASE_DUE_SCRIPT); returns how many. */
  async leaseReminders(entries: ReadonlyArray<{ id: string; score: number }>, leaseUntil: number): Promise<number> {
    if (entries.length === 0) return 0;
    const args = entries.flatMap(({ id, score }) => [id, score]);
    const leased = (await this.redis.eval(LEASE_DUE_SCRIPT, 1, this.keys.remindersDue, leaseUntil, ...args)) as string[];
    return leased.length;
  }

  /** When the token's reminders are next looked at (epoch ms), or undefined when none are pending. */
  async nextReminderAt(id: string): Promise<number | undefined> {
    const score = await this.redis.zscore(this.keys.remindersDue, id);
    return score === null ? undefined : Number(score);
  }

  /**
   * Stores a new token (recorded by hand, imported, or found by the organization sync, whose
   * link goes in `ops`). Idempotent: returns false and writes nothing when a token with this id
   * already exists.
   */
  async create(token: TokenRecord, event: TokenEvent, ops: IndexOp[] = []): Promise<boolean> {
    return commitRecord(this.redis, {
      key: this.keys.token(token.id),
      expected: null,
      next: this.withFirstEvent(token, event),
      ops: [...this.newTokenOps(token), ...ops],
    });
  }

  /** The token's history, oldest first: the entries the record holds, then those of the history key. */
  async history(id: string): Promise<TokenEvent[]> {
    const [record, raw] = await this.redis.mget(this.keys.token(id), this.keys.tokenHistory(id));
    const stored = decode(storedTokenSchema, record ?? null);
    const later = (raw ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TokenEvent);
    return [...(stored?.firstEvent ? [stored.firstEvent] : []), ...(stored?.events ?? []), ...later];
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
          ['SET', this.keys.token(token.id), this.withFirstEvent(token, { at: now, type: 'recorded', by: request.requesterId })],
          ...this.newTokenOps(token),
        ],
      };
    });
    if (!result) return undefined;
    if (result.changed && token) {
      const renewed = result.request.renewsTokenId;
      if (renewed) await this.markRenewed(renewed, token, now);
      return { token, created: true };
    }
    if (result.request.status === 'created' && result.request.tokenId) {
      const existing = await this.get(result.request.tokenId);
      if (existing) return { token: existing, created: false };
    }
    return { refused: result.request.status };
  }

  /**
   * The token `oldId` was renewed by `renewal`: it becomes rotated and its remaining reminders
   * stop. Only a renewal by its owner or a co-owner counts. Runs right after the new token is recorded; it is
   * idempotent, so a crash in between leaves at worst extra reminders for the old token.
   */
  async markRenewed(oldId: string, renewal: TokenRecord, now: number): Promise<boolean> {
    const result = await this.update(oldId, (old) => {
      if (!tokenPeople(old).includes(renewal.ownerId) || old.status === 'rotated' || old.status === 'revoked') return undefined;
      return {
        next: { ...old, status: 'rotated' },
        ops: [this.scheduleOp(oldId, undefined)],
        event: [
          { at: now, type: 'renewed', by: renewal.ownerId, detail: renewal.id },
          { at: now, type: 'rotated', by: renewal.ownerId, detail: `renewed by ${renewal.id}` },
        ],
      };
    });
    return result?.changed ?? false;
  }

  /** The tokens the user owns or co-owns, newest first. */
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
    return readAll(
      this.redis,
      tokenSchema,
      ids.map((id) => this.keys.token(id)),
    );
  }
}

/** Who shares a token: its owner and co-owners, each listed in their own index (userTokens). */
function sharers(token: Pick<TokenRecord, 'ownerId' | 'coOwners'>): string[] {
  return [token.ownerId, ...(token.coOwners ?? []).filter((id) => id !== token.ownerId)];
}
