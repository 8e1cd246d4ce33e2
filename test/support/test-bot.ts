import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createBot, type Bot } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { uniquePrefix } from './redis-server.js';
import { clusterNodeUrlFor } from './redis-ha.js';
import { createSlackSender, type SlackSender } from './slack-requests.js';

export const SIGNING_SECRET = 'abcdef0123456789abcdef0123456789';

/** Captures the app's log lines (JSON) so tests can assert on what was, and was not, logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestBot {
  bot: Bot;
  config: Config;
  slack: FakeSlack;
  sender: SlackSender;
  logs: LogCapture;
  prefix: string;
  redisUrl: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The real app (Bolt HTTP receiver, real Redis under a unique key prefix) talking to a
 * fake Slack Web API. Requests reach it signed, over HTTP, as Slack would send them.
 */
export async function startTestBot(opts: {
  name: string;
  env?: Record<string, string>;
  slack?: FakeSlack;
  prefix?: string;
  redisUrl?: string;
  /**
   * Redis settings instead of REDIS_URL (Sentinel or cluster: test/support/redis-ha.ts); redisUrl
   * is then ''. In the `cluster` project the default is the run's cluster, and redisUrl the node
   * that holds this bot's keys.
   */
  redisEnv?: Record<string, string>;
  unhandledRequestTimeoutMs?: number;
  /** Where the bot reads the time (default the system clock); e.g. createFixedClock for a shifted week. */
  clock?: Clock;
}): Promise<TestBot> {
  const slack = opts.slack ?? (await startFakeSlack());
  const prefix = opts.prefix ?? uniquePrefix(opts.name);
  // The `cluster` project runs every bot on a Redis Cluster (test/support/cluster-setup.ts).
  const cluster = opts.redisEnv || opts.redisUrl ? undefined : inject('redisCluster');
  const redisEnv = opts.redisEnv ?? (cluster ? { REDIS_CLUSTER_NODES: cluster } : undefined);
  const redisUrl = redisEnv ? '' : (opts.redisUrl ?? inject('redisUrl'));
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: '0',
    ...(redisEnv ?? { REDIS_URL: redisUrl }),
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const logs = new LogCapture();
  const logger = createLogger({ level: config.logLevel, destination: logs });
  const bot = createBot({
    config,
    logger,
    ...(redisUrl ? { redisUrl } : {}),
    slackRetries: 0,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.unhandledRequestTimeoutMs ? { unhandledRequestTimeoutMs: opts.unhandledRequestTimeoutMs } : {}),
  });
  const { port } = await bot.start();
  const sender = createSlackSender({
    baseUrl: `http://127.0.0.1:${port}`,
    signingSecret: SIGNING_SECRET,
    responseUrl: `${slack.origin}/response/command`,
  });
  return {
    bot,
    config,
    slack,
    sender,
    logs,
    prefix: config.redis.keyPrefix,
    // On a cluster: the node serving the prefix's hash tag, where all of this bot's keys are.
    redisUrl: cluster ? await clusterNodeUrlFor(cluster, config.redis.keyPrefix.slice(1, config.redis.keyPrefix.indexOf('}'))) : redisUrl,
    port,
    async stop() {
      await bot.stop();
      if (!opts.slack) await slack.stop();
    },
  };
}

/**
 * A client on the run's Redis for a test's own reads and writes: the shared redis-server, or in
 * the `cluster` project a cluster client (commands routed by key slot).
 */
export function openTestRedis(): Redis {
  const cluster = inject('redisCluster');
  if (!cluster) return new Redis(inject('redisUrl'));
  const nodes = cluster.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) }));
  return new Cluster(nodes) as unknown as Redis;
}
