/**
 * Parent side of bench/target.ts: spawns the app (or the bare-Bolt baseline) as a child process,
 * waits for it to listen, reads its memory and stops it.
 */
import { npmStartArgs } from '../test/support/npm-start.js';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { TargetKind, TargetMessage } from './target.js';

const TARGET = path.join(path.dirname(fileURLToPath(import.meta.url)), 'target.ts');

export interface TargetMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface RunningTarget {
  kind: TargetKind;
  port: number;
  /** ms from process start to listening, measured inside the child (module loading included). */
  readyMs: number;
  /** ms from spawn() to the ready message, measured by the parent (node + tsx start-up included). */
  spawnToReadyMs: number;
  pid: number;
  memory(): Promise<TargetMemory>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  kind: TargetKind;
  slackUrl: string;
  redisUrl: string;
  prefix: string;
  signingSecret: string;
  /** Directory for `node --cpu-prof` output; no profiling when unset. */
  cpuProfDir?: string;
  /** REDIS_MIN_REPLICAS for the app (WAIT after every reported write). */
  minReplicas?: number;
}

function waitFor<T extends TargetMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<TargetMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`bench target did not send '${type}' within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (msg: TargetMessage) => {
      if (msg.type === 'error') done(new Error(`bench target failed: ${msg.message}`));
      else if (msg.type === type) done(null, msg as Extract<TargetMessage, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`bench target exited (code ${code}) before '${type}'`));
    function done(err: Error | null, msg?: Extract<TargetMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(msg!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startTarget(opts: TargetOptions): Promise<RunningTarget> {
  // node's flags as `npm start` gives them (both targets alike), then tsx for the TypeScript.
  const execArgv = [...npmStartArgs().filter((arg) => arg.startsWith('-')), '--import', 'tsx'];
  if (opts.cpuProfDir) {
    mkdirSync(opts.cpuProfDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  }
  const started = performance.now();
  const child = fork(TARGET, [], {
    execArgv,
    env: {
      ...process.env,
      BENCH_KIND: opts.kind,
      BENCH_SLACK_URL: opts.slackUrl,
      BENCH_REDIS_URL: opts.redisUrl,
      BENCH_PREFIX: opts.prefix,
      BENCH_SIGNING_SECRET: opts.signingSecret,
      ...(opts.minReplicas ? { BENCH_MIN_REPLICAS: String(opts.minReplicas) } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready: Awaited<ReturnType<typeof waitFor>>;
  try {
    ready = await waitFor(child, 'ready', 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const spawnToReadyMs = performance.now() - started;
  return {
    kind: opts.kind,
    port: ready.port,
    readyMs: ready.readyMs,
    spawnToReadyMs,
    pid: child.pid ?? -1,
    async memory() {
      const reply = waitFor(child, 'memory', 5_000);
      child.send({ type: 'memory' });
      const { type: _type, ...memory } = await reply;
      return memory;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
