import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { StartupError } from './errors.js';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

export class RedisBinaryMissingError extends StartupError {
  override readonly code = 'redis_missing';
  constructor() {
    super(
      'REDIS_URL is not set and no redis-server binary was found on PATH.\n' +
        '  Install one (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)\n' +
        '  or point REDIS_URL at a running Redis, e.g. REDIS_URL=redis://localhost:6379',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/**
 * For `npm start` without REDIS_URL: runs a private redis-server bound to 127.0.0.1 with
 * append-only persistence under `dataDir`, and stops it when the bot stops.
 */
/** The pid in `<dir>/redis.pid` when that process is still alive (a bot killed with -9 leaves it). */
function livePidIn(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(resolve(dir, 'redis.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** How long a starting redis-server may take to accept connections; probed this often meanwhile. */
const START_TIMEOUT_MS = 10_000;
const PROBE_INTERVAL_MS = 10;

export async function startLocalRedis(dataDir: string, logger: Logger): Promise<LocalRedis> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  // Two servers on one append-only file would overwrite each other's writes.
  const stale = livePidIn(dir);
  if (stale !== undefined) {
    throw new StartupError(
      `A redis-server (pid ${stale}) is still running on ${dir}, probably left by a bot that was killed. ` +
        `Stop it (kill ${stale}) and start again, or set REDIS_URL.`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--pidfile',
      resolve(dir, 'redis.pid'),
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
    ],
    // Its own process group: Ctrl-C reaches the bot, which stops Redis after its own shutdown.
    { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const url = `redis://127.0.0.1:${port}`;
  // No binary on PATH shows as the spawn's error (ENOENT), without a `redis-server --version` first.
  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<void>((res) => {
    child.once('exit', () => res());
    child.once('error', (err) => {
      spawnError = err;
      res();
    });
  });
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused while the server starts: expected, retried below
  const deadline = performance.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch {
        if (spawnError?.code === 'ENOENT') throw new RedisBinaryMissingError();
        if (spawnError || child.exitCode !== null || performance.now() > deadline) {
          throw new Error(`local redis-server did not start (data dir ${dir})`);
        }
        // It usually accepts connections some 50 ms after the spawn.
        await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
      }
    }
  } catch (err) {
    if (child.exitCode === null && !spawnError) child.kill('SIGTERM');
    throw err;
  } finally {
    probe.disconnect();
  }
  logger.info({ url, dataDir: dir }, 'started local redis-server (append-only persistence)');
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
