/**
 * The process under load, started by the benchmark as a child (`node --import tsx bench/target.ts`)
 * so that the load generator and the fake Slack in the parent do not share its event loop.
 *
 *   BENCH_KIND=app       the real bot: createBot() from src/app.ts, logs at warn to a null stream
 *   BENCH_KIND=baseline  a bare Bolt App with HTTPReceiver: a command acks and calls views.open
 *                        with the same modal; a submission validates nothing, acks, then
 *                        stores one record in Redis and sends one DM (a fair floor for the
 *                        app's validate → store → ack → DM the checklist)
 *
 * Both verify signatures the same way and open the same modal on the same fake Slack. The child
 * reports over IPC: {type:'ready', port, readyMs} once it listens, {type:'memory', ...} on request,
 * and exits on {type:'stop'}.
 */
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createBot } from '../src/app.js';
import { buildRequestModal } from '../src/blocks/request-modal.js';
import { defaultExpiry } from '../src/domain/validation.js';
import { CUSTOM_PRESET_ID } from '../src/domain/presets.js';
import { CALLBACK, COMMAND } from '../src/blocks/ids.js';

export type TargetKind = 'app' | 'baseline';

export type TargetMessage =
  | { type: 'ready'; port: number; readyMs: number }
  | { type: 'memory'; rss: number; heapUsed: number; heapTotal: number; external: number }
  | { type: 'error'; message: string };

interface Target {
  port: number;
  stop(): Promise<void>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench target: ${name} is not set`);
  return value;
}

async function startApp(): Promise<Target> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: env('BENCH_SIGNING_SECRET'),
    SLACK_API_URL: env('BENCH_SLACK_URL'),
    PORT: '0',
    REDIS_URL: env('BENCH_REDIS_URL'),
    REDIS_KEY_PREFIX: env('BENCH_PREFIX'),
    LOG_LEVEL: 'warn',
    ...(process.env['BENCH_MIN_REPLICAS'] ? { REDIS_MIN_REPLICAS: process.env['BENCH_MIN_REPLICAS'] } : {}),
  });
  const nullStream = new Writable({ write: (_chunk, _enc, done) => done() });
  const logger = createLogger({ level: config.logLevel, destination: nullStream });
  const bot = createBot({ config, logger, redisUrl: config.redis.url!, slackRetries: 0 });
  const { port } = await bot.start();
  return { port, stop: () => bot.stop() };
}

async function startBaseline(): Promise<Target> {
  // The same modal the bot opens, built once: the baseline pays only Bolt's and the wire's cost.
  const view = buildRequestModal({
    presetId: CUSTOM_PRESET_ID,
    expiresOn: defaultExpiry('UTC', new Date()),
    scopes: [],
    metadata: { channelId: 'C1', revision: 0 },
  });
  const receiver = new HTTPReceiver({
    signingSecret: env('BENCH_SIGNING_SECRET'),
    endpoints: '/slack/events',
    processBeforeResponse: false,
  });
  const app = new App({
    token: 'xoxb-bench-token',
    receiver,
    logLevel: LogLevel.ERROR,
    deferInitialization: true,
    clientOptions: { slackApiUrl: env('BENCH_SLACK_URL'), timeout: 10_000, retryConfig: { retries: 0 } },
  });
  app.command(COMMAND, async ({ ack, command, client }) => {
    await ack();
    await client.views.open({ trigger_id: command.trigger_id, view: view as never });
  });
  const redis = new Redis(env('BENCH_REDIS_URL'));
  const prefix = env('BENCH_PREFIX');
  let seq = 0;
  app.view(CALLBACK.requestModal, async ({ ack, body, client }) => {
    await ack();
    seq += 1;
    await redis.set(`${prefix}:baseline:${seq}`, JSON.stringify({ user: body.user.id, values: body.view.state.values, at: Date.now() }));
    await client.chat.postMessage({ channel: body.user.id, text: `Stored request ${seq}` });
  });
  app.error(async () => undefined);
  await app.init();
  const server = (await app.start(0)) as unknown as { address(): { port: number } };
  return {
    port: server.address().port,
    stop: async () => {
      await app.stop();
      await redis.quit();
    },
  };
}

function send(message: TargetMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const kind = (process.env['BENCH_KIND'] ?? 'app') as TargetKind;
  const target = kind === 'baseline' ? await startBaseline() : await startApp();
  // performance.now() counts from process start: module loading (tsx included) and connecting.
  send({ type: 'ready', port: target.port, readyMs: performance.now() });
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'memory') {
      const m = process.memoryUsage();
      send({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external });
    } else if (msg.type === 'stop') {
      void target.stop().finally(() => process.exit(0));
    }
  });
  // If the benchmark dies, do not linger.
  process.on('disconnect', () => void target.stop().finally(() => process.exit(0)));
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
