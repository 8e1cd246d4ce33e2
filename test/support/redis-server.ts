import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { getFreePort, realNow, sleep } from './net.js';

export interface StartRedisOptions {
  /** Port to bind on 127.0.0.1; default: a free port. */
  port?: number;
  /** Working directory (AOF lives here); default: a fresh mkdtemp dir. */
  dir?: string;
  /** --appendonly yes|no; default false. */
  appendonly?: boolean;
  /** More redis-server arguments (e.g. `--replicaof`, `--cluster-enabled yes`). */
  args?: string[];
}

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  dir: string;
  /** Child pid of the current process (changes after restart()). */
  readonly pid: number | undefined;
  /** SIGTERM and wait for exit (no-op if not running). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (no-op if not running). */
  kill(): Promise<void>;
  /** Start again on the same port and dir (stops first if still running). */
  restart(): Promise<void>;
}

const INSTALL_HINT = 'redis-server binary not found on PATH: apt-get install -y redis-server';

/** Send one inline command over a raw socket and return the first reply line, or throw. */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    let buf = '';
    const done = (err: Error | null, line?: string) => {
      sock.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    sock.setTimeout(timeoutMs, () => done(new Error('PING timed out')));
    sock.on('error', (err) => done(err));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(null, buf.slice(0, i));
    });
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function spawnRedis(port: number, dir: string, appendonly: boolean, extra: string[] = []): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    appendonly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...extra,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });

  let spawnError: Error | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    spawnError = err.code === 'ENOENT' ? new Error(INSTALL_HINT) : err;
  });

  // A loop of its own, not vi.waitFor: this runs in vitest's globalSetup, where `vi` is not available.
  const deadline = realNow() + 10_000;
  for (;;) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${output}`);
    }
    try {
      const reply = await redisPing(port);
      // -LOADING while the AOF is replayed: keep waiting
      if (reply === '+PONG') return child;
    } catch {
      // not listening yet
    }
    if (realNow() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`);
    }
    await sleep(25);
  }
}

/** Spawn the system redis-server on 127.0.0.1 and wait until it answers PING. */
export async function startRedisServer(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await getFreePort());
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'redis-test-')));
  const appendonly = opts.appendonly ?? false;
  let child: ChildProcess | undefined = await spawnRedis(port, dir, appendonly, opts.args);

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    child = undefined;
    if (!c) return;
    const exited = waitExit(c);
    c.kill(signal);
    await exited;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid;
    },
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    async restart() {
      await terminate('SIGTERM');
      child = await spawnRedis(port, dir, appendonly, opts.args);
    },
  };
}

/**
 * A key prefix for one test/suite, e.g. `t-reminders-1a2b3c4d`. Contains no ':' so the app can
 * append its own separator.
 */
export function uniquePrefix(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40);
  return `t-${safe}-${randomBytes(4).toString('hex')}`;
}
