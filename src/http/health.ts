import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { connectedReplicas, isRedisUp } from '../store/redis.js';
import type { Metrics } from '../metrics.js';

export interface HealthDeps {
  redis: Redis;
  metrics: Metrics;
  /** True when the job queue's Redis connection answers (bounded: must not hang). */
  isQueueUp(): Promise<boolean>;
  /** True once shutdown has begun: the bot is finishing work and wants no more. */
  isStopping(): boolean;
  /** REDIS_MIN_REPLICAS: replicas every reported write waits for (0: none, no check). */
  minReplicas?: number;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * GET /healthz: liveness, 200 while the process runs (it reports Redis but does not fail on it:
 * restarting the bot does not bring Redis back). GET /readyz: 200 when Redis and the job queue
 * answer, the bot is not shutting down and, with REDIS_MIN_REPLICAS set, the primary has that
 * many replicas connected (without them every write the bot reports would be refused after its
 * WAIT timed out), else 503 with the reason. GET /metrics: Prometheus.
 */
export function createHealthRoutes({ redis, metrics, isQueueUp, isStopping, minReplicas = 0 }: HealthDeps): CustomRoute[] {
  /** undefined when no replica is required or Redis does not answer (reported as down already). */
  const replicas = async (redisUp: boolean): Promise<number | undefined> =>
    minReplicas > 0 && redisUp ? connectedReplicas(redis).catch(() => undefined) : undefined;
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
        const connected = await replicas(redisUp);
        const replicasShort = connected !== undefined && connected < minReplicas;
        const stopping = isStopping();
        const ready = redisUp && queueUp && !replicasShort && !stopping;
        json(res, ready ? 200 : 503, {
          status: ready ? 'ready' : stopping ? 'stopping' : 'not_ready',
          redis: redisUp ? 'up' : 'down',
          queue: queueUp ? 'up' : 'down',
          ...(connected === undefined ? {} : { replicas: { connected, required: minReplicas } }),
          ...(replicasShort
            ? {
                reason: `no replica: the Redis primary has ${connected} connected of the ${minReplicas} REDIS_MIN_REPLICAS requires, so writes cannot be confirmed and are refused`,
              }
            : {}),
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
