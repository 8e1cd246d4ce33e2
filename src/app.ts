import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { bindRequestLogContext, toBoltLogger, type Logger } from './logger.js';
import { createKeys } from './store/keys.js';
import { createRedis } from './store/redis.js';
import { RequestStore } from './store/requests.js';
import { TokenStore } from './store/tokens.js';
import { SeenMessages } from './store/seen-messages.js';
import { UserDirectory } from './slack-api/users.js';
import { registerListeners } from './slack/index.js';
import { verifySlackAuth } from './slack-api/preflight.js';
import { createHealthRoutes } from './http/health.js';
import { answerUnreadableEvent, guardSlackEndpoint } from './http/request-guard.js';
import { createScheduler, type JobProcessor, type Scheduler } from './jobs/queue.js';
import { createReminderProcessors, installReminderSweep } from './jobs/processors/reminders.js';
import { createChecklistProcessors } from './jobs/processors/checklists.js';
import { LogLevel, WebClient } from '@slack/web-api';
import { TokenInventory } from './store/inventory.js';
import { createMetrics, instrumentApp, type Metrics } from './metrics.js';
import { ApproverDirectory } from './slack-api/approvers.js';
import { createApprovalProcessors, recoverUnpostedApprovals } from './jobs/processors/approvals.js';


export interface Bot {
  app: App;
  redis: Redis;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Connects to Slack (auth.test) and starts listening. Resolves with the HTTP port. */
  start(): Promise<{ port: number }>;
  /**
   * Graceful shutdown: stops taking requests, waits (bounded) for requests in progress, lets
   * running jobs finish or puts them back in the queue, then closes Redis. Calling it again
   * returns the same promise.
   */
  stop(): Promise<void>;
}

/** How long stop() waits for Slack requests still being worked on after their ack. */
const REQUEST_DRAIN_MS = 5000;

export interface BotOptions {
  config: Config;
  logger: Logger;
  /** Overrides config.redis.url (e.g. the local redis-server main.ts started). */
  redisUrl: string;
  /** Web API retries; tests use few. */
  slackRetries?: number;
  /** Run the BullMQ worker in this process (default true). */
  runWorker?: boolean;
  /**
   * How long Bolt waits for a listener to ack before answering a payload no listener handles
   * (Bolt's default 3001 ms). Test harness only: the fuzz tests send thousands of those.
   */
  unhandledRequestTimeoutMs?: number;
}

/** Composition root: config, logger, Redis, stores, Bolt app and listeners. */
export function createBot({ config, logger, redisUrl, slackRetries, runWorker, unhandledRequestTimeoutMs }: BotOptions): Bot {
  const redis = createRedis(redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const keys = createKeys(config.redis.keyPrefix);
  const requests = new RequestStore(redis, keys);
  const tokens = new TokenStore(redis, keys, requests);
  const boltLogger = toBoltLogger(logger);
  const inventory = new TokenInventory(redis, keys);
  // Gauges are read at scrape time, after start, when `scheduler` below exists.
  const metrics = createMetrics({ queueCounts: () => scheduler.counts(), tokenCounts: () => inventory.countByStatus() });
  let stopping: Promise<void> | undefined;
  const customRoutes = createHealthRoutes({ redis, metrics, isQueueUp: () => scheduler.isUp(), isStopping: () => stopping !== undefined });

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
        processEventErrorHandler: answerUnreadableEvent,
        ...(unhandledRequestTimeoutMs === undefined ? {} : { unhandledRequestTimeoutMillis: unhandledRequestTimeoutMs }),
      });
  if (receiver instanceof HTTPReceiver) {
    guardSlackEndpoint(receiver, { path: '/slack/events', signingSecret: config.slack.signingSecret!, logger });
  }

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

  // First global middleware, so it counts every request whatever later middleware does.
  const tracker = instrumentApp(app, metrics);
  bindRequestLogContext(app);
  const users = new UserDirectory(app.client, logger);
  // Job processors are registered by name as features add them; see src/scheduler/.
  const processors: Record<string, JobProcessor> = {};
  const scheduler = createScheduler({ redisUrl, keyPrefix: config.redis.keyPrefix, logger, processors, runWorker });
  // Jobs use a client that surfaces rate limits instead of sleeping in them, so a 429
  // reschedules the reminder (Retry-After) rather than holding a worker for minutes.
  const jobClient = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    timeout: 10_000,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
  Object.assign(
    processors,
    createReminderProcessors({
      tokens,
      users: new UserDirectory(jobClient, logger),
      client: jobClient,
      queue: scheduler.queue,
      settings: config.reminders,
      fallbackChannelId: config.reminders.fallbackChannelId ?? config.approvals.channelId,
      logger,
      metrics,
    }),
  );
  Object.assign(processors, createChecklistProcessors({ requests, client: jobClient, logger }));
  const seenMessages = new SeenMessages(redis, keys);
  const approvers = new ApproverDirectory(app.client, config.approvals);
  Object.assign(processors, createApprovalProcessors({ client: jobClient, requests, approvers, config, logger, scheduler: () => scheduler }));
  // The App Home's approver queue: pending requests, not one's own, for approvers only.
  const loadApprovalQueue = async (userId: string) =>
    (await approvers.isApprover(userId).catch(() => false)) ? (await requests.listPendingApprovals()).filter((r) => r.requesterId !== userId) : [];
  registerListeners(app, { config, logger, requests, tokens, users, scheduler, metrics, seenMessages, approvers, loadApprovalQueue, quickClient: jobClient });
  app.error(async (error) => {
    logger.error({ err: error, code: (error as { code?: string }).code }, 'unhandled error in a listener');
  });

  let listening = false;
  return {
    app,
    redis,
    scheduler,
    metrics,
    async start() {
      await verifySlackAuth(config.slack.botToken, config.slack.apiUrl);
      await app.init();
      await scheduler.start();
      if (config.approvals.policy.mode !== 'none' && !approvers.configured) {
        logger.warn('approval policy is on but APPROVAL_CHANNEL_ID or approvers are not set: flagged requests will be refused with an explanation');
      }
      await installReminderSweep(scheduler.queue, config.reminders.sweepSeconds * 1000);
      // In the background: start-up does not wait on it, and a failure only delays posting.
      void recoverUnpostedApprovals(requests, scheduler)
        .then((recovered) => recovered > 0 && logger.info({ recovered }, 'pending approvals re-queued for posting'))
        .catch((err) => logger.warn({ err }, 'could not re-queue pending approvals'));
      const server = (await app.start(config.port)) as unknown;
      listening = true;
      const port = config.slack.socketMode ? config.port : ((server as Server).address() as AddressInfo).port;
      logger.info({ port, mode: config.slack.socketMode ? 'socket' : 'http' }, 'bot started');
      return { port };
    },
    stop() {
      stopping ??= (async () => {
        // Bolt refuses to stop a receiver that never started (a failed start-up).
        if (listening) await app.stop().catch((err) => logger.warn({ err }, 'error while stopping Bolt'));
        if (!(await tracker.drain(REQUEST_DRAIN_MS))) logger.warn({ inFlight: tracker.inFlight() }, 'shutdown: requests still in progress');
        await scheduler.stop().catch((err) => logger.warn({ err }, 'error while stopping the scheduler'));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return stopping;
    },
  };
}
