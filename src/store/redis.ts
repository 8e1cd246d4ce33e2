import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config.js';

export type { RedisTarget } from '../config.js';

/*
 * Every Redis connection the bot opens is made here, from one RedisTarget: a redis:// URL,
 * a Sentinel-monitored primary (ioredis asks the sentinels where the primary is, and asks
 * again after every disconnect, so a failover is followed without a restart) or a Redis
 * Cluster. The rest of the bot sees the `Redis` command interface: ioredis's Cluster has the
 * same commands (and defineCommand), routed by key slot; the one keyless command the store
 * sends on purpose, WAIT, is routed by hand below.
 */

const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2000);

/** ioredis's own options for a target, plus `extra` (per-connection behaviour). */
function open(target: RedisTarget, extra: RedisOptions): Redis {
  if (typeof target === 'string') return new Redis(target, extra);
  if (target.kind === 'sentinel') {
    return new Redis({
      ...extra,
      sentinels: target.sentinels,
      name: target.masterName,
      ...(target.password === undefined ? {} : { password: target.password }),
      ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
      // Sentinels are asked again on every reconnect; between failovers a short back-off is enough.
      sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 200, 1000),
      // A client still talking to a demoted primary gets READONLY: reconnect (to the new primary) and resend.
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
    });
  }
  const options: ClusterOptions = {
    redisOptions: { ...extra, ...(target.password === undefined ? {} : { password: target.password }) },
    clusterRetryStrategy: (attempt: number) => reconnectDelay(attempt),
    // BullMQ's blocking commands and ours wait for the cluster rather than fail while it re-forms.
    enableOfflineQueue: true,
    ...(extra.maxRetriesPerRequest === undefined ? {} : { maxRetriesPerRequest: extra.maxRetriesPerRequest }),
  };
  // Same commands, routed by slot; see the note at the top of this file.
  return new Cluster(target.nodes, options) as unknown as Redis;
}

/**
 * Redis connection for request handlers: commands fail fast (rather than hang past
 * Slack's 3 s) while Redis is away, and the client keeps reconnecting by itself.
 */
export function createRedis(target: RedisTarget, extra: RedisOptions = {}): Redis {
  return open(target, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
    ...extra,
  });
}

/** Connection for BullMQ workers and queues, which must wait for Redis rather than fail. */
export function createQueueRedis(target: RedisTarget): Redis {
  return open(target, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
}

export function isCluster(redis: Redis): boolean {
  return (redis as unknown) instanceof Cluster;
}

export async function isRedisUp(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * Replicas connected to the primary behind `redis` (INFO replication, connected_slaves); on a
 * cluster, the fewest any primary has. Throws when Redis does not answer.
 */
export async function connectedReplicas(redis: Redis): Promise<number> {
  const primaries = isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
  const counts = await Promise.all(
    primaries.map(async (node) => Number(/^connected_slaves:(\d+)/m.exec(await node.info('replication'))?.[1] ?? 0)),
  );
  return Math.min(...counts);
}

/** What a write must reach before the bot calls it done (REDIS_MIN_REPLICAS, REDIS_WAIT_TIMEOUT_MS). */
export interface Durability {
  minReplicas: number;
  timeoutMs: number;
}

/** A write the primary took but too few replicas confirmed in time: it may be lost in a failover. */
export class NotReplicatedError extends Error {
  readonly code = 'redis_not_replicated';
  constructor(
    readonly replicas: number,
    readonly wanted: number,
  ) {
    super(`write confirmed by ${replicas} of ${wanted} required Redis replicas in time; not reported as saved`);
  }
}

const durability = new WeakMap<Redis, Durability>();

/**
 * From now on, every write committed through src/store/commit.ts on `redis` waits (WAIT) for
 * `minReplicas` replicas, and fails with NotReplicatedError when they do not confirm within
 * `timeoutMs`. 0 replicas: no WAIT (a single Redis, or a deployment that accepts the risk).
 */
export function requireReplicas(redis: Redis, settings: Durability): Redis {
  if (settings.minReplicas > 0) durability.set(redis, settings);
  return redis;
}

/** The node of a cluster that holds `key` (WAIT is per connection, so it must go where the write went). */
async function nodeFor(cluster: Cluster, key: string): Promise<Redis> {
  const slot = Number(await cluster.cluster('KEYSLOT', key));
  const nodeKey = cluster.slots[slot]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === nodeKey);
  if (!node) throw new Error(`no cluster node known for slot ${slot}`);
  return node;
}

/**
 * Waits until the writes this connection made so far (the last one to `key`) reached the
 * required replicas, if `requireReplicas` asked for any. Throws NotReplicatedError when they
 * did not confirm in time: the caller then reports the write as not done.
 */
export async function confirmReplicated(redis: Redis, key: string): Promise<void> {
  const wanted = durability.get(redis);
  if (!wanted) return;
  const conn = isCluster(redis) ? await nodeFor(redis as unknown as Cluster, key) : redis;
  const acked = Number(await conn.wait(wanted.minReplicas, wanted.timeoutMs));
  if (acked < wanted.minReplicas) throw new NotReplicatedError(acked, wanted.minReplicas);
}
