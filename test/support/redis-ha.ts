import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { getFreePort, realNow, sleep } from './net.js';
import { redisPing, startRedisServer, type RedisServer } from './redis-server.js';

/**
 * Highly available Redis for the tests, from real processes: a primary, a replica and three
 * sentinels (`redis-server --sentinel`, so the Debian package redis-server is all it needs),
 * or a three-primary cluster (`--cluster-enabled yes` + `redis-cli --cluster create`).
 */

export const MASTER_NAME = 'btbmaster';

/** Polls `check` every 100 ms until it returns a value, or throws after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = realNow() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (realNow() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** One Redis command on a short-lived connection (no retries: the caller polls). */
async function ask<T>(port: number, run: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await run(r);
  } finally {
    r.disconnect();
  }
}

/** Waits until the replica on `port` has its link to the primary up (initial sync done). */
const inSync = (port: number) =>
  until(
    `${port} in sync with its primary`,
    async () => {
      const role = await ask(port, (r) => r.call('ROLE') as Promise<unknown[]>);
      return role[0] === 'slave' && role[3] === 'connected' ? true : undefined;
    },
    30_000,
  );

export interface SentinelGroup {
  /** The sentinels as REDIS_SENTINELS wants them. */
  sentinels: string;
  /** The environment that points the bot at this group. */
  env: Record<string, string>;
  /** The port of the primary the sentinels name now. */
  primaryPort(): Promise<number>;
  /** The server process on `port` (primary or replica). */
  server(port: number): RedisServer;
  /** The port of a replica of the current primary. */
  replicaPort(): Promise<number>;
  /**
   * SIGKILLs the current primary, runs `meanwhile` (e.g. resume a paused replica), and resolves
   * once the sentinels name another primary and it answers as one.
   */
  killPrimary(meanwhile?: () => Promise<void>): Promise<{ killed: number; promoted: number; failoverMs: number }>;
  /** SIGSTOP / SIGCONT the server on `port`: its replication link goes quiet without closing. */
  pause(port: number): void;
  resume(port: number): void;
  /** Starts the killed server again, as a replica of the current primary, and waits until it is in sync. */
  restartAsReplica(port: number): Promise<void>;
  /** A client that follows the primary through the sentinels (for the test's own reads). */
  client(): Redis;
  stop(): Promise<void>;
}

/**
 * A primary, one replica and three sentinels (quorum 2) on 127.0.0.1. Sentinels call a primary
 * down after `downAfterMs` without an answer (default 1 s, so a failover takes seconds).
 */
export async function startSentinelGroup(opts: { downAfterMs?: number } = {}): Promise<SentinelGroup> {
  const downAfter = opts.downAfterMs ?? 1000;
  const servers = new Map<number, RedisServer>();
  const sentinels: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  const dirs: string[] = [];
  const clients: Redis[] = [];

  const primary = await startRedisServer();
  servers.set(primary.port, primary);
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  servers.set(replica.port, replica);
  await inSync(replica.port);

  for (let i = 0; i < 3; i++) {
    const port = await getFreePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-test-'));
    dirs.push(dir);
    const conf = path.join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode no',
        `dir ${dir}`,
        'loglevel warning',
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} ${downAfter}`,
        `sentinel failover-timeout ${MASTER_NAME} 10000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    sentinels.push(child);
    sentinelPorts.push(port);
    await until(`sentinel on ${port}`, async () => ((await redisPing(port)) === '+PONG' ? true : undefined), 10_000);
  }

  // A failover needs every sentinel to know the replica and the other sentinels.
  await until(
    'sentinels see the replica and each other',
    async () => {
      for (const port of sentinelPorts) {
        const ok = await ask(port, async (r) => {
          const master = (await r.call('SENTINEL', 'MASTER', MASTER_NAME)) as string[];
          const field = (name: string) => Number(master[master.indexOf(name) + 1]);
          return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
        });
        if (!ok) return undefined;
      }
      return true;
    },
    30_000,
  );

  const primaryPort = () =>
    ask(sentinelPorts[0]!, async (r) => Number(((await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[])[1]));

  const list = sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  return {
    sentinels: list,
    env: { REDIS_SENTINELS: list, REDIS_SENTINEL_MASTER: MASTER_NAME },
    primaryPort,
    server: (port) => servers.get(port)!,
    async replicaPort() {
      const primary = await primaryPort();
      const other = [...servers.keys()].find((p) => p !== primary);
      if (other === undefined) throw new Error('no replica');
      return other;
    },
    pause: (port) => process.kill(servers.get(port)!.pid!, 'SIGSTOP'),
    resume: (port) => process.kill(servers.get(port)!.pid!, 'SIGCONT'),
    async killPrimary(meanwhile) {
      const killed = await primaryPort();
      const started = realNow();
      await servers.get(killed)!.kill();
      await meanwhile?.();
      const promoted = await until(
        'a new primary',
        async () => {
          const port = await primaryPort();
          if (port === killed) return undefined;
          // Promoted and answering as a primary.
          return (await ask(port, (r) => r.call('ROLE') as Promise<string[]>))[0] === 'master' ? port : undefined;
        },
        30_000,
      );
      return { killed, promoted, failoverMs: realNow() - started };
    },
    async restartAsReplica(port) {
      const old = servers.get(port)!;
      await old.stop();
      const current = await primaryPort();
      const again = await startRedisServer({ port, dir: old.dir, args: ['--replicaof', '127.0.0.1', String(current)] });
      servers.set(port, again);
      await inSync(port);
    },
    client() {
      const r = new Redis({
        sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
        name: MASTER_NAME,
        maxRetriesPerRequest: null,
        sentinelRetryStrategy: () => 200,
        retryStrategy: () => 200,
      });
      r.on('error', () => undefined);
      clients.push(r);
      return r;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      for (const s of sentinels) {
        const exited = waitExit(s);
        s.kill('SIGKILL');
        await exited;
      }
      for (const s of servers.values()) {
        await s.kill();
        await rm(s.dir, { recursive: true, force: true });
      }
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    },
  };
}

export interface RedisClusterProcesses {
  /** The nodes as REDIS_CLUSTER_NODES wants them. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

/**
 * A three-primary Redis Cluster on 127.0.0.1 (no replicas: the tests are about the bot's keys
 * and scripts on a cluster, not the cluster's own failover), formed with `redis-cli --cluster create`.
 */
export async function startRedisCluster(): Promise<RedisClusterProcesses> {
  const servers: RedisServer[] = [];
  for (let i = 0; i < 3; i++) {
    servers.push(
      await startRedisServer({
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'],
      }),
    );
  }
  const ports = servers.map((s) => s.port);
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  const create = spawn('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  create.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  create.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    create.once('error', reject);
    create.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${output}`);
  // Every node agrees the cluster is up (all 16384 slots served).
  await until(
    'cluster_state:ok on every node',
    async () => {
      for (const port of ports) {
        const info = await ask(port, (r) => r.call('CLUSTER', 'INFO') as Promise<string>);
        if (!info.includes('cluster_state:ok')) return undefined;
      }
      return true;
    },
    30_000,
  );
  return {
    nodes: addresses.join(','),
    ports,
    async stop() {
      for (const s of servers) {
        await s.kill();
        await rm(s.dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The redis:// URL of the cluster node that serves `hashTag`'s slot: every key of a bot whose
 * key prefix is `{hashTag}` lives there, so a plain client on it reads them all (KEYS included).
 */
export async function clusterNodeUrlFor(nodes: string, hashTag: string): Promise<string> {
  const [host = '127.0.0.1', port = '6379'] = nodes.split(',')[0]!.split(':');
  return ask(Number(port), async (r) => {
    const slot = Number(await r.call('CLUSTER', 'KEYSLOT', hashTag));
    const ranges = (await r.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!owner) throw new Error(`no node serves slot ${slot}`);
    const [ip, p] = owner[2];
    return `redis://${ip || host}:${p}`;
  });
}
