/**
 * `npm run bench:startup [-- --runs=3] [-- --idle=3000] [-- --modes=sandbox,slack]`
 *
 * Start-up of the bot the way users start it: time from spawn to ready (the "Sandbox:" line,
 * or the "bot started" log line when a Slack app is configured), the CPU time the process tree
 * spent until then (steadier than the wall time on a busy machine), and the RSS of the node
 * process(es) after an idle wait, read from /proc. Each command runs in a scratch directory (no
 * .env is read) with its own DATA_DIR and port; one uncounted start first fills the file and
 * tsx caches. Compares `npm start` (package.json's command, `node --max-semi-space-size=4
 * scripts/start.mjs`: checks that dist/ is current, then imports dist/main.js in the same process;
 * dist/ is brought up to date before the runs) with what it replaced (`node --import tsx src/main.ts`: tsx's loader compiles every file at each start) and
 * with `node --max-semi-space-size=4 dist/main.js` (the Docker image).
 *
 * Modes: `sandbox` (no Slack settings: the README's one command on a fresh clone; a local
 * redis-server is started by the bot) and `slack` (a Slack app configured, against a fake
 * Slack in this process and a scratch redis-server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from '../scripts/dist.mjs';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { getFreePort, realNow, sleep } from '../test/support/net.js';
import { npmStartArgs } from '../test/support/npm-start.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { cpuMs } from './load.js';
import { table } from './report.js';
import { median, round } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN_TS = path.join(ROOT, 'src/main.ts');
const MAIN_JS = path.join(ROOT, 'dist/main.js');
const SIGNING_SECRET = 'abcdef0123456789abcdef0123456789';
const READY = /Sandbox: |"msg":"bot started"/;
const MiB = 1024 * 1024;

type Mode = 'sandbox' | 'slack';

interface Variant {
  name: string;
  command: string;
  args: string[];
  modes: Mode[];
}

function variants(): Variant[] {
  // `--import tsx` resolves from the working directory, which is a scratch one here.
  const tsxLoader = import.meta.resolve('tsx');
  return [
    { name: 'npm start', command: process.execPath, args: npmStartArgs(), modes: ['sandbox', 'slack'] },
    {
      name: 'before: node --import tsx src/main.ts',
      command: process.execPath,
      args: ['--import', tsxLoader, MAIN_TS],
      modes: ['sandbox', 'slack'],
    },
    {
      name: 'node --max-semi-space-size=4 dist/main.js (the Docker image)',
      command: process.execPath,
      args: ['--max-semi-space-size=4', MAIN_JS],
      modes: ['sandbox', 'slack'],
    },
  ];
}

/** The process and its descendants, from /proc. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let children = '';
    try {
      children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean)) out.push(Number(child));
  }
  return out;
}

function nodeProcesses(pid: number): number[] {
  return processTree(pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node';
    } catch {
      return false;
    }
  });
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

interface Sample {
  readyMs: number;
  cpuToReadyMs: number;
  /** All node processes of the command (one for each variant measured now; the tsx CLI ran two). */
  rssMiB: number;
  /** The largest one: the bot itself. */
  botRssMiB: number;
}

async function startOnce(variant: Variant, env: Record<string, string>, idleMs: number): Promise<Sample> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'btb-startup-'));
  const started = realNow();
  const child: ChildProcess = spawn(variant.command, variant.args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, DATA_DIR: path.join(cwd, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${variant.name}: not ready in 120 s\n${output}`)), 120_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (READY.test(output)) {
          clearTimeout(timer);
          resolve(realNow() - started);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${variant.name}: exited (${code}) before ready\n${output}`)));
    });
    const cpuToReadyMs = nodeProcesses(child.pid!).reduce((sum, p) => sum + cpuMs(p), 0);
    await sleep(idleMs);
    const rss = nodeProcesses(child.pid!).map(rssBytes);
    return { readyMs, cpuToReadyMs, rssMiB: rss.reduce((a, b) => a + b, 0) / MiB, botRssMiB: Math.max(...rss) / MiB };
  } finally {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      idle: { type: 'string', default: '3000' },
      modes: { type: 'string', default: 'sandbox,slack' },
    },
  });
  const runs = Number(values.runs);
  const idleMs = Number(values.idle);
  const modes = values.modes.split(',').map((m) => m.trim()) as Mode[];
  // As the first `npm start` after a change would: measured here are the starts after it.
  build({ log: (line) => process.stderr.write(`[startup] ${line}\n`) });
  const slack = await startFakeSlack();
  const redis = await startRedisServer();
  const rows: (string | number)[][] = [];
  try {
    for (const mode of modes) {
      for (const variant of variants().filter((v) => v.modes.includes(mode))) {
        const env = async (): Promise<Record<string, string>> => ({
          PORT: String(await getFreePort()),
          LOG_LEVEL: 'info',
          ...(mode === 'slack'
            ? {
                SLACK_BOT_TOKEN: 'xoxb-startup-bench',
                SLACK_SIGNING_SECRET: SIGNING_SECRET,
                SLACK_API_URL: slack.url,
                REDIS_URL: redis.url,
              }
            : {}),
        });
        process.stderr.write(`[startup] ${mode}: ${variant.name}\n`);
        await startOnce(variant, await env(), 0); // uncounted: fills the file and tsx caches
        const samples: Sample[] = [];
        for (let run = 0; run < runs; run++) samples.push(await startOnce(variant, await env(), idleMs));
        const med = (pick: (s: Sample) => number) => round(median(samples.map(pick)));
        rows.push([mode, variant.name, med((s) => s.readyMs), med((s) => s.cpuToReadyMs), med((s) => s.botRssMiB), med((s) => s.rssMiB)]);
      }
    }
  } finally {
    await slack.stop();
    await redis.stop();
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    table(
      `Start-up (median of ${runs}; idle ${idleMs} ms after ready; load ${load})`,
      ['mode', 'command', 'ready ms', 'CPU ms to ready', 'bot RSS MiB', 'all node RSS MiB'],
      rows,
    ),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
