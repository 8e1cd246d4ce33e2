import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { decode, encode } from './schemas.js';
import { confirmReplicated } from './redis.js';

/**
 * Compare-and-set of one JSON record plus the index writes that go with it, in one Lua
 * script: either everything is written or nothing is. Callers read a record, decide in
 * pure code, and commit; when someone else changed the record first the commit returns
 * false and the caller reads again. This is how exactly one decision wins.
 */
const COMMIT_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if cur then return 0 end
elseif cur ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
local ops = cjson.decode(ARGV[3])
for _, op in ipairs(ops) do
  local args = {}
  for i = 3, #op do args[#args + 1] = op[i] end
  redis.call(op[1], KEYS[op[2]], unpack(args))
end
return 1
`;

/** One extra write applied with the record, e.g. `['ZADD', indexKey, score, member]`. */
export type IndexOp = [
  command: 'ZADD' | 'ZREM' | 'SADD' | 'SREM' | 'SET' | 'DEL' | 'RPUSH' | 'APPEND' | 'HSET' | 'HDEL' | 'PEXPIRE',
  key: string,
  ...args: (string | number)[],
];

export interface CommitArgs {
  key: string;
  /** The JSON currently stored, or null when the record must not exist yet. */
  expected: string | null;
  next: string;
  ops?: IndexOp[];
}

/** The script as an ioredis command: EVALSHA, falling back to EVAL once after a Redis restart or flush. */
type WithCommit = Redis & { btbCommitRecord(numKeys: number, ...args: string[]): Promise<number> };
const withCommand = new WeakSet<Redis>();

function commitCommand(redis: Redis): WithCommit {
  if (!withCommand.has(redis)) {
    redis.defineCommand('btbCommitRecord', { lua: COMMIT_SCRIPT });
    withCommand.add(redis);
  }
  return redis as WithCommit;
}

/**
 * Commits one record change (see COMMIT_SCRIPT). Returns false when the record was not as
 * expected. With REDIS_MIN_REPLICAS set, a commit that too few replicas confirm in time throws
 * NotReplicatedError (src/store/redis.ts): the caller reports it like any Redis failure.
 */
export async function commitRecord(redis: Redis, { key, expected, next, ops = [] }: CommitArgs): Promise<boolean> {
  const keys = [key];
  const encoded = ops.map(([command, opKey, ...args]) => {
    keys.push(opKey);
    return [command, keys.length, ...args.map(String)];
  });
  // Sending the script's SHA rather than its text saves bytes and a hash on every commit.
  const result = await commitCommand(redis).btbCommitRecord(keys.length, ...keys, expected ?? '', next, JSON.stringify(encoded));
  // Everything a user is told is done passes here: with REDIS_MIN_REPLICAS, not done until replicas have it.
  if (result === 1) await confirmReplicated(redis, key);
  return result === 1;
}

/** What an update decides: the next record and the index writes that go with it. */
export interface RecordChange<T> {
  next: T;
  ops?: IndexOp[];
}

/**
 * The read-decide-commit loop behind every record update: reads the record, lets `change`
 * decide (undefined leaves it alone), adds `derivedOps(before, after)` (indexes that follow
 * the record's fields), and commits only if nobody changed the record meanwhile, else
 * reads again. Returns the record as it ended up and whether this call changed it, or
 * undefined when the record does not exist.
 */
export async function updateRecord<T>(
  redis: Redis,
  key: string,
  schema: z.ZodType<T>,
  change: (current: T) => RecordChange<T> | undefined,
  derivedOps: (before: T, after: T) => IndexOp[] = () => [],
): Promise<{ value: T; changed: boolean } | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const raw = await redis.get(key);
    const current = decode(schema, raw);
    if (current === undefined || raw === null) return undefined;
    const decision = change(current);
    if (!decision) return { value: current, changed: false };
    const ok = await commitRecord(redis, {
      key,
      expected: raw,
      next: encode(schema, decision.next),
      ops: [...(decision.ops ?? []), ...derivedOps(current, decision.next)],
    });
    if (ok) return { value: decision.next, changed: true };
  }
  throw new Error(`${key} is too contended to update`);
}
