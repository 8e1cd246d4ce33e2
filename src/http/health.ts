import type { CustomRoute } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { isRedisUp } from '../store/redis.js';

/** GET /healthz: 200 while Redis answers, 503 (with the reason) while it does not. */
export function createHealthRoutes(redis: Redis): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: async (_req, res) => {
        const redisUp = await isRedisUp(redis);
        res.writeHead(redisUp ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: redisUp ? 'ok' : 'degraded', redis: redisUp ? 'up' : 'down' }));
      },
    },
  ];
}
