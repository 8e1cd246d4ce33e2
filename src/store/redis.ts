import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connection for request handlers: commands fail fast (rather than hang past
 * Slack's 3 s) while Redis is away, and the client keeps reconnecting by itself.
 */
export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
    ...extra,
  });
}

/** Connection for BullMQ workers and queues, which must wait for Redis rather than fail. */
export function createQueueRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
}

export async function isRedisUp(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
