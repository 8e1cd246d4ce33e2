import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { runInRequestContext, toBoltLogger, type Logger } from './logger.js';
import { createMetrics, createOutcomeCounter, createRequestTracker, type Metrics } from './metrics.js';
import { createKeys } from './store/keys.js';
import { createRedis, requireReplicas } from './store/redis.js';
import { RequestStore } from './store/requests.js';
import { TokenStore } from './store/tokens.js';
import { DigestStore } from './store/digests.js';
import { TokenInventory } from './store/inventory.js';
import { SeenMessages } from './store/seen-messages.js';
import { CalendarFeedStore } from './store/calendar-feeds.js';
import { AdminSummaryStore } from './store/admin-summaries.js';
import { createAppIdentity } from './slack-api/app-identity.js';
import { createAdminSummaryProcessors } from './jobs/processors/admin-summary.js';
import { createJobClient, createModalClient, createQuickClient, listenerClientOptions } from './slack-api/clients.js';
import { EmailDirectory, UserDirectory } from './slack-api/users.js';
import { ApproverDirectory } from './slack-api/approvers.js';
import { HomeVisits } from './store/home-visits.js';
import { HomePublisher } from './slack-api/home.js';
import { verifySlackAuth } from './slack-api/preflight.js';
import { JOB, createJobQueue, enqueueOrgSyncNow, installOrgSync, installReminderSweep, type JobQueue } from './jobs/queue.js';
import { createJobWorker, type JobWorker } from './jobs/worker.js';
import { createReminderProcessors } from './jobs/processors/reminders.js';
import { createChecklistProcessors } from './jobs/processors/checklists.js';
import { createApprovalProcessors, recoverUnpostedApprovals } from './jobs/processors/approvals.js';
import { createOrgSyncProcessors } from './jobs/processors/org-sync.js';
import { OrgSyncStore } from './store/org-sync.js';
import { registerListeners } from './slack/index.js';
import { createHealthRoutes } from './http/health.js';
import { createCalendarRoutes } from './http/calendar.js';
import { COMMAND } from './blocks/ids.js';
import { answerUnreadableEvent } from './http/request-guard.js';
import { WrappingReceiver } from './http/receiver.js';
import { createShedder } from './http/shed.js';
import { slackSentAtMs } from './http/request-age.js';
import { SENT_AT_PROPERTY } from './slack/kit/trigger-age.js';

export interface Bot {
  app: App;
  redis: Redis;
  /** The job queue (producer side). */
  jobs: JobQueue;
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
const SLACK_EVENTS_PATH = '/slack/events';

export interface BotOptions {
  config: Config;
  logger: Logger;
  /**
   * Overrides config.redis.target (e.g. the local redis-server main.ts started); one of the two
   * must be set.
   */
  redisUrl?: string;
  /** Retries of Bolt's client after an ack (default: clients.ts LISTENER_RETRIES); tests use 0. */
  slackRetries?: number;
  /** Run the BullMQ worker in this process (default true). */
  runWorker?: boolean;
  /**
   * How long Bolt waits for a listener to ack before answering a payload no listener handles
   * (Bolt's default 3001 ms). Test harness only: the fuzz tests send thousands of those.
   */
  unhandledRequestTimeoutMs?: number;
  /** Where the bot reads the time; the system clock unless a test fixes it (or the sandbox moves it). */
  clock?: Clock;
  /** HTTP mode: the address to listen on (default: every interface). The sandbox binds 127.0.0.1. */
  host?: string;
  /** More HTTP routes beside /slack/events and the ops endpoints: the sandbox's page and its API. */
  routes?: CustomRoute[];
}

/**
 * Composition root: builds everything in dependency order (Redis and stores, Slack clients and
 * directories, the job queue, processors and worker, the Bolt app and its listeners), each
 * piece given only what it uses. Nothing is changed after it is built.
 */
export function createBot(options: BotOptions): Bot {
  const { config, logger, runWorker = true, clock = systemClock } = options;
  const { keyPrefix } = config.redis;
  // A URL, or Sentinel or cluster settings: every connection below is made from it (src/store/redis.ts).
  const redisUrl = options.redisUrl ?? config.redis.target;
  if (redisUrl === undefined) throw new Error('createBot needs a Redis: config.redis.target or the redisUrl option');

  // Storage. Writes reported to a user as done wait for REDIS_MIN_REPLICAS replicas (WAIT).
  const redis = requireReplicas(createRedis(redisUrl), { minReplicas: config.redis.minReplicas, timeoutMs: config.redis.waitTimeoutMs });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const keys = createKeys(keyPrefix);
  const requests = new RequestStore(redis, keys);
  const tokens = new TokenStore(redis, keys, requests);
  const inventory = new TokenInventory(redis, keys);
  const seenMessages = new SeenMessages(redis, keys);
  const digests = new DigestStore(redis, keys);
  const calendarFeeds = new CalendarFeedStore(redis, keys, config.calendar.secret);
  const orgSyncStore = new OrgSyncStore(redis, keys);

  // Outgoing Slack calls (which client for which path: src/slack-api/clients.ts)
  const slack = { botToken: config.slack.botToken, apiUrl: config.slack.apiUrl, listenerRetries: options.slackRetries };
  const quickClient = createQuickClient(slack);
  const modalClient = createModalClient(slack);
  const jobClient = createJobClient(slack);
  const users = new UserDirectory(quickClient, logger, clock);
  const approvers = new ApproverDirectory(quickClient, config.approvals, clock);

  // Background jobs
  const jobs = createJobQueue({ redisUrl, keyPrefix, logger });
  const metrics = createMetrics({
    queueCounts: () => jobs.counts(),
    tokenCounts: () => inventory.countByStatus(),
    ...(config.orgSync ? { orgSyncStatus: () => orgSyncStore.status() } : {}),
  });
  const processors = {
    ...createReminderProcessors({
      tokens,
      users,
      client: jobClient,
      jobs,
      settings: config.reminders,
      fallbackChannelId: config.reminders.fallbackChannelId ?? config.approvals.channelId,
      logger,
      metrics,
      clock,
      adminUserIds: config.adminUserIds,
      ...(config.reminders.digest ? { digests } : {}),
    }),
    ...createAdminSummaryProcessors({
      summaries: new AdminSummaryStore(redis, keys),
      tokens,
      users,
      client: jobClient,
      adminUserIds: config.adminUserIds,
      settings: config.reminders,
      homeLink: createAppIdentity(jobClient),
      clock,
      logger,
    }),
    ...createChecklistProcessors({ requests, client: jobClient, logger, clock }),
    ...createApprovalProcessors({ client: jobClient, requests, approvers, settings: config.approvals, jobs, logger, clock }),
    // The Atlassian organization sync runs only when ATLASSIAN_ORG_ID and ATLASSIAN_ADMIN_API_KEY are set.
    ...(config.orgSync
      ? createOrgSyncProcessors({
          tokens,
          store: orgSyncStore,
          emails: new EmailDirectory(jobClient, clock),
          settings: config.orgSync,
          client: jobClient,
          jobs,
          fallbackChannelId: config.reminders.fallbackChannelId ?? config.approvals.channelId,
          clock,
          logger,
          // The admins' Homes show the last sync: republish them when one finishes.
          onFinished: () => {
            for (const adminId of config.adminUserIds) home.refresh(adminId);
          },
        })
      : {}),
  };
  const worker: JobWorker | undefined = runWorker ? createJobWorker({ redisUrl, keyPrefix, logger, processors }) : undefined;

  // Inbound: the receiver, the Bolt app and its listeners
  let stopping: Promise<void> | undefined;
  const boltLogger = toBoltLogger(logger);
  const tracker = createRequestTracker(metrics);
  // Slack signs requests with the wall clock: request ages are read on it, never on `clock`
  // (the sandbox moves its product clock ahead).
  const wallClock = systemClock;
  const customRoutes = [
    ...createHealthRoutes({
      redis,
      metrics,
      isQueueUp: () => jobs.isUp(),
      isStopping: () => stopping !== undefined,
      minReplicas: config.redis.minReplicas,
    }),
    ...createCalendarRoutes({ feeds: calendarFeeds, command: COMMAND, logger }),
    ...(options.routes ?? []),
  ];
  const inner = config.slack.socketMode
    ? {
        mode: 'socket' as const,
        receiver: new SocketModeReceiver({
          appToken: config.slack.appToken!,
          logger: boltLogger,
          customRoutes,
          installerOptions: { port: config.port },
        }),
      }
    : {
        mode: 'http' as const,
        path: SLACK_EVENTS_PATH,
        signingSecret: config.slack.signingSecret!,
        now: () => clock.now(),
        host: options.host,
        // Overload: a request already too old on arrival is answered "busy" before Bolt.
        shed: createShedder({
          signingSecret: config.slack.signingSecret!,
          wallClock,
          logger,
          onShed: (kind) => metrics.shedRequests.inc({ kind }),
          hold: (work) => tracker.hold(work),
        }),
        receiver: new HTTPReceiver({
          signingSecret: config.slack.signingSecret!,
          endpoints: SLACK_EVENTS_PATH,
          logger: boltLogger,
          customRoutes,
          // Ack first, work after: Slack's 3 s clock starts before we see the request.
          processBeforeResponse: false,
          processEventErrorHandler: answerUnreadableEvent,
          // When Slack sent the request, for listeners to tell a trigger_id too old to use (overload).
          customPropertiesExtractor: (req) => {
            const sentAt = slackSentAtMs(req);
            return sentAt === undefined ? {} : { [SENT_AT_PROPERTY]: sentAt };
          },
          ...(options.unhandledRequestTimeoutMs === undefined ? {} : { unhandledRequestTimeoutMillis: options.unhandledRequestTimeoutMs }),
        }),
      };
  const receiver = new WrappingReceiver(inner, {
    // Every request gets its logging context and is timed and counted until Bolt is done with it.
    hook: (event, process) => runInRequestContext(event.body, () => tracker.track(event, process)),
    logger,
    boltLogger,
  });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger,
    deferInitialization: true,
    clientOptions: listenerClientOptions(slack),
  });
  app.use(createOutcomeCounter(metrics));
  const home = new HomePublisher({
    client: app.client,
    requests,
    tokens,
    users,
    approvers,
    adminUserIds: config.adminUserIds,
    logger,
    clock,
    calendar: { feeds: calendarFeeds, publicUrl: config.publicUrl },
    visits: new HomeVisits(redis, keys),
    ...(config.orgSync ? { orgSync: { status: () => orgSyncStore.status(), unusedDays: config.orgSync.unusedDays } } : {}),
  });
  registerListeners(app, {
    config,
    logger,
    clock,
    wallClock,
    requests,
    tokens,
    seenMessages,
    users,
    approvers,
    home,
    jobs,
    quickClient,
    modalClient,
    calendarFeeds,
    digests,
  });
  app.error(async (error) => {
    logger.error({ err: error, code: (error as { code?: string }).code }, 'unhandled error in a listener');
  });

  let listening = false;
  return {
    app,
    redis,
    jobs,
    metrics,
    async start() {
      await verifySlackAuth(config.slack.botToken, config.slack.apiUrl);
      await app.init();
      await worker?.start();
      if (config.approvals.policy.mode !== 'none' && !approvers.configured) {
        logger.warn(
          'approval policy is on but APPROVAL_CHANNEL_ID or approvers are not set: flagged requests will be refused with an explanation',
        );
      }
      await installReminderSweep(jobs, config.reminders.sweepSeconds * 1000);
      if (config.orgSync) {
        await installOrgSync(jobs, config.orgSync.everyMs);
        // A sync at start-up too (replicas starting together add one job).
        await enqueueOrgSyncNow(jobs);
      } else {
        // Turned off: a schedule left from an earlier configuration would add jobs nobody runs.
        await jobs.queue.removeJobScheduler(JOB.orgSync);
      }
      // In the background: start-up does not wait on it, and a failure only delays posting.
      void recoverUnpostedApprovals(requests, jobs)
        .then((recovered) => recovered > 0 && logger.info({ recovered }, 'pending approvals re-queued for posting'))
        .catch((err) => logger.warn({ err }, 'could not re-queue pending approvals'));
      const server = await app.start(config.port);
      listening = true;
      const port = config.slack.socketMode ? config.port : ((server as Server).address() as AddressInfo).port;
      logger.info({ port, mode: config.slack.socketMode ? 'socket' : 'http' }, 'bot started');
      return { port };
    },
    stop() {
      stopping ??= (async () => {
        // Bolt refuses to stop a receiver that never started (a failed start-up).
        if (listening) await app.stop().catch((err: unknown) => logger.warn({ err }, 'error while stopping Bolt'));
        if (!(await tracker.drain(REQUEST_DRAIN_MS))) logger.warn({ inFlight: tracker.inFlight() }, 'shutdown: requests still in progress');
        await worker?.stop().catch((err: unknown) => logger.warn({ err }, 'error while stopping the job worker'));
        await jobs.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return stopping;
    },
  };
}
