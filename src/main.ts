/**
 * Entry point for `npm start` and the Docker image: config, Redis (a local one when
 * no REDIS_URL, Sentinel or cluster setting is given), the bot, and a bounded graceful shutdown on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startLocalRedis, type LocalRedis } from './local-redis.js';
import type { Bot } from './app.js';
import { StartupError } from './errors.js';
import type { Sandbox } from './sandbox/index.js';

const SHUTDOWN_BOUND_MS = 15_000;

async function main(): Promise<void> {
  // .env is optional: containers and CI pass real environment variables instead.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, pretty: config.pretty });
  let localRedis: LocalRedis | undefined;
  let localRedisStarting: Promise<LocalRedis> | undefined;
  let bot: Bot | undefined;
  let sandbox: Sandbox | undefined;

  // Graceful and bounded. Repeated signals are ignored (Ctrl-C under npm can deliver SIGINT
  // twice at once); the bound below ends a shutdown that hangs.
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    timer.unref();
    let code = 0;
    sandbox?.closeStreams();
    await bot?.stop().catch((err) => {
      logger.error({ err }, 'error during shutdown');
      code = 1;
    });
    await sandbox?.stop().catch(() => undefined);
    localRedis ??= await localRedisStarting?.catch(() => undefined); // a signal while it starts
    await localRedis?.stop().catch(() => undefined);
    logger.info('stopped');
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    // No Redis configured (no REDIS_URL, Sentinel or cluster settings): run a private one. It
    // boots while the bot's modules load, most of start-up's CPU time.
    localRedisStarting = config.redis.target ? undefined : startLocalRedis(config.redis.dataDir, logger);
    localRedisStarting?.catch(() => undefined); // awaited after the import; a failure is thrown there
    const { createBot } = await import('./app.js');
    localRedis = await localRedisStarting;
    const redisUrl = localRedis?.url;
    const redis = redisUrl ?? config.redis.target;
    if (config.sandbox && redis !== undefined) {
      // No Slack app configured: the real bot against the local sandbox's emulated Slack.
      // Loaded only here: a bot connected to Slack never loads the emulation and its page.
      const { startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox({ config, logger, redis });
      bot = createBot({
        config: sandbox.config,
        logger,
        ...(redisUrl ? { redisUrl } : {}),
        clock: sandbox.clock,
        host: config.sandbox.host,
        routes: sandbox.routes,
      });
    } else {
      bot = createBot({ config, logger, ...(redisUrl ? { redisUrl } : {}) });
    }
    const { port } = await bot.start();
    if (sandbox) {
      sandbox.attach({ port, jobs: bot.jobs, redis: bot.redis });
      process.stdout.write(
        `Sandbox: ${sandbox.address(port)} (no Slack app configured; set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, ` +
          'or SLACK_APP_TOKEN, to connect to Slack)\n',
      );
    }
  } catch (err) {
    // Known causes get their message alone (it says what to do); anything else its stack too.
    if (err instanceof StartupError) logger.fatal(err.message);
    else logger.fatal({ err }, (err as Error).message);
    sandbox?.closeStreams();
    await bot?.stop();
    await sandbox?.stop();
    // Started, though the import or the bot failed meanwhile.
    localRedis ??= await localRedisStarting?.catch(() => undefined);
    await localRedis?.stop();
    process.exit(1);
  }
}

void main();
