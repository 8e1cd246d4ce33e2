import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { isRedisUp } from '../store/redis.js';
import type { Metrics } from '../metrics.js';

export interface HealthDeps {
  redis: Redis;
  metrics: Metrics;
  /** True when the job queue's Redis connection answers (bounded: must not hang). */
  isQueueUp(): Promise<boolean>;
  /** True once shutdown has begun: the bot is finishing work and wants no more. */
  isStopping(): boolean;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * GET /healthz: liveness, 200 while the process runs (it reports Redis but does not fail on it:
 * restarting the bot does not bring Redis back). GET /readyz: 200 when Redis and the job queue
 * answer and the bot is not shutting down, else 503 with the reason. GET /metrics: Prometheus.
 */
export function createHealthRoutes({ redis, metrics, isQueueUp, isStopping }: HealthDeps): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: async (_req, res) => {
        json(res, 200, { status: 'ok', redis: (await isRedisUp(redis)) ? 'up' : 'down' });
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: async (_req, res) => {
        const [redisUp, queueUp] = await Promise.all([isRedisUp(redis), isQueueUp()]);
        const stopping = isStopping();
        const ready = redisUp && queueUp && !stopping;
        json(res, ready ? 200 : 503, {
          status: ready ? 'ready' : stopping ? 'stopping' : 'not_ready',
          redis: redisUp ? 'up' : 'down',
          queue: queueUp ? 'up' : 'down',
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: async (_req, res) => {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
      },
    },
  ];
}
