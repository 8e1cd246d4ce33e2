import { randomBytes } from 'node:crypto';
import type { CustomRoute } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { SANDBOX_BOT_TOKEN, type Config, type RedisTarget } from '../config.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import { createKeys } from '../store/keys.js';
import { createRedis } from '../store/redis.js';
import { createTravelClock, type TravelClock } from './clock.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { loadPersonas, PERSONAS_FILE } from './personas.js';
import { createSandboxRoutes } from './routes.js';
import { createSlackSender, type SlackSender } from './slack-requests.js';
import type { TravelDeps } from './time-travel.js';
import { Workspace } from './workspace.js';

/**
 * The local browser sandbox: the real bot (composed by main.ts with createBot) against the
 * emulated Slack Web API the tests use, a page that acts as a small Slack, personas from
 * personas.json and a clock that can jump forward. Everything binds 127.0.0.1 unless
 * SANDBOX_HOST says otherwise; the bot's HTTP server serves /slack/events and the page.
 */
export interface Sandbox {
  /** The bot's configuration pointed at the emulated Slack, with the personas' roles. */
  config: Config;
  clock: TravelClock;
  /** The page and its API, for createBot({ routes }). */
  routes: CustomRoute[];
  slack: FakeSlack;
  /** Call once the bot listens: the page's actions then reach it as signed requests. */
  attach(bot: { port: number; jobs: JobQueue; redis: Redis }): void;
  /** The page's address, e.g. http://localhost:3000/. */
  address(port: number): string;
  /** Ends the page's event streams; call before the bot stops (its server waits for them). */
  closeStreams(): void;
  /** Stops the emulated Web API; call after the bot stopped. */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  config: Config;
  logger: Logger;
  /** The Redis the bot will use (the local redis-server main.ts started, or config.redis.target). */
  redis: RedisTarget;
  personasFile?: string;
}

/** Deletes the sandbox's keys (its own prefix): each sandbox starts empty, like its emulated Slack. */
async function clearSandboxData(target: RedisTarget, keyPrefix: string): Promise<void> {
  // A cluster spreads keys over nodes SCAN does not walk together; the sandbox leaves it as is.
  if (typeof target === 'object' && target.kind === 'cluster') return;
  const redis = createRedis(target);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export async function startSandbox({ config, logger, redis: target, personasFile = PERSONAS_FILE }: SandboxOptions): Promise<Sandbox> {
  const host = config.sandbox?.host ?? '127.0.0.1';
  const personas = loadPersonas(personasFile);
  const clock = createTravelClock();
  await clearSandboxData(target, config.redis.keyPrefix);
  const slack = await startFakeSlack({
    users: Object.fromEntries(personas.users.map((u) => [u.id, { name: u.name, real_name: u.realName, tz: u.tz }])),
    // The bot is in both channels: either can be picked as a token's team channel.
    channels: Object.fromEntries(Object.values(personas.channels).map((c) => [c.id, { name: c.name }])),
    now: () => clock.now(),
  });
  const workspace = new Workspace(slack);
  // A fresh signing secret per run: the page's server signs, the bot verifies, nobody else knows it.
  const signingSecret = randomBytes(32).toString('hex');
  const withRole = (role: 'approver' | 'admin') => personas.users.filter((u) => u.roles.includes(role)).map((u) => u.id);
  const sandboxConfig: Config = {
    ...config,
    slack: { botToken: SANDBOX_BOT_TOKEN, signingSecret, apiUrl: slack.url, socketMode: false },
    approvals: {
      ...config.approvals,
      channelId: personas.channels.approvals.id,
      approverUserIds: withRole('approver'),
      approverUsergroupId: undefined,
    },
    reminders: { ...config.reminders, fallbackChannelId: undefined },
    adminUserIds: withRole('admin'),
  };
  let connection: { sender: SlackSender; travel: TravelDeps } | undefined;
  const { routes, closeStreams } = createSandboxRoutes({
    workspace,
    personas,
    clock,
    slack,
    logger,
    reminderHour: config.reminders.hour,
    connection: () => connection,
  });
  // The page's server reaches the bot on the address it listens on (loopback for "any").
  const connectHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    config: sandboxConfig,
    clock,
    routes,
    slack,
    attach({ port, jobs, redis }) {
      const keys = createKeys(config.redis.keyPrefix);
      connection = {
        sender: createSlackSender({ baseUrl: `http://${connectHost}:${port}`, signingSecret }),
        travel: {
          clock,
          jobs,
          redis,
          remindersDueKey: keys.remindersDue,
          tokenKey: keys.token,
          reminders: config.reminders,
          timeZoneOf: (userId) => personas.users.find((u) => u.id === userId)?.tz ?? 'UTC',
        },
      };
    },
    address(port) {
      const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      return `http://${shown}:${port}/`;
    },
    closeStreams,
    stop: () => slack.stop(),
  };
}
