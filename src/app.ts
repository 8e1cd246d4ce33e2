import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { toBoltLogger, type Logger } from './logger.js';
import { createKeys } from './store/keys.js';
import { createRedis } from './store/redis.js';
import { RequestStore } from './store/requests.js';
import { TokenStore } from './store/tokens.js';
import { UserDirectory } from './slack/users.js';
import { registerListeners } from './slack/index.js';
import { createHealthRoutes } from './http/health.js';
import { createScheduler, type JobProcessor, type Scheduler } from './scheduler/scheduler.js';
import { ApproverDirectory } from './slack/approvers.js';
import { createApprovalProcessors, recoverUnpostedApprovals } from './scheduler/approval-jobs.js';


export interface Bot {
  app: App;
  redis: Redis;
  scheduler: Scheduler;
  /** Connects to Slack (auth.test) and starts listening. Resolves with the HTTP port. */
  start(): Promise<{ port: number }>;
  /** Stops taking requests, then closes Redis. Safe to call twice. */
  stop(): Promise<void>;
}

export interface BotOptions {
  config: Config;
  logger: Logger;
  /** Overrides config.redis.url (e.g. the local redis-server main.ts started). */
  redisUrl: string;
  /** Web API retries; tests use few. */
  slackRetries?: number;
  /** Run the BullMQ worker in this process (default true). */
  runWorker?: boolean;
}

/** Composition root: config, logger, Redis, stores, Bolt app and listeners. */
export function createBot({ config, logger, redisUrl, slackRetries, runWorker }: BotOptions): Bot {
  const redis = createRedis(redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const keys = createKeys(config.redis.keyPrefix);
  const requests = new RequestStore(redis, keys);
  const tokens = new TokenStore(redis, keys, requests);
  const boltLogger = toBoltLogger(logger);
  const customRoutes = createHealthRoutes(redis);

  const receiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger: boltLogger,
        customRoutes,
        installerOptions: { port: config.port },
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: '/slack/events',
        logger: boltLogger,
        customRoutes,
        // Ack first, work after: Slack's 3 s clock starts before we see the request.
        processBeforeResponse: false,
      });

  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger,
    deferInitialization: true,
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      timeout: 10_000,
      ...(slackRetries === undefined ? {} : { retryConfig: { retries: slackRetries, factor: 1, minTimeout: 50, maxTimeout: 200 } }),
    },
  });

  const users = new UserDirectory(app.client, logger);
  // Job processors are registered by name as features add them; see src/scheduler/.
  const processors: Record<string, JobProcessor> = {};
  const scheduler = createScheduler({ redisUrl, keyPrefix: config.redis.keyPrefix, logger, processors, runWorker });
  const approvers = new ApproverDirectory(app.client, config.approvals);
  Object.assign(processors, createApprovalProcessors({ client: app.client, requests, approvers, config, logger, scheduler: () => scheduler }));
  registerListeners(app, { config, logger, requests, tokens, users, scheduler, approvers });
  app.error(async (error) => {
    logger.error({ err: error, code: (error as { code?: string }).code }, 'unhandled error in a listener');
  });

  let stopped = false;
  return {
    app,
    redis,
    scheduler,
    async start() {
      await app.init();
      await scheduler.start();
      if (config.approvals.policy.mode !== 'none' && !approvers.configured) {
        logger.warn('approval policy is on but APPROVAL_CHANNEL_ID or approvers are not set: flagged requests will be refused with an explanation');
      }
      const recovered = await recoverUnpostedApprovals(requests, scheduler);
      if (recovered > 0) logger.info({ recovered }, 'pending approvals re-queued for posting');
      const server = (await app.start(config.port)) as unknown;
      const port = config.slack.socketMode ? config.port : ((server as Server).address() as AddressInfo).port;
      logger.info({ port, mode: config.slack.socketMode ? 'socket' : 'http' }, 'bot started');
      return { port };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop().catch((err) => logger.warn({ err }, 'error while stopping Bolt'));
      await scheduler.stop().catch((err) => logger.warn({ err }, 'error while stopping the scheduler'));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
