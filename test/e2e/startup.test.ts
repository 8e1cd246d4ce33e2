import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { getFreePort } from '../support/net.js';
import { npmStartArgs } from '../support/npm-start.js';
import { SIGNING_SECRET } from '../support/test-bot.js';

/**
 * Starts the bot the way users do: `npm start` runs `node scripts/start.mjs` with node's flags from
 * package.json (dist/main.js, compiled first when src/ changed); the Docker image runs `node dist/main.js` from `npm run build`. Each runs
 * in a scratch directory so a developer's .env is not read.
 */
const ROOT = resolve(import.meta.dirname, '../..');

let slack: FakeSlack;
let cwd: string;
beforeAll(async () => {
  slack = await startFakeSlack();
  cwd = mkdtempSync(join(tmpdir(), 'btb-start-'));
});
afterAll(async () => {
  await slack.stop();
  rmSync(cwd, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>, dir = cwd): Started {
  const child = spawn(command, args, {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

// Generous: a first start compiles src/ (seconds, tens of them on a loaded 2-core machine).
async function waitForHealthy(port: number, started: Started, timeoutMs = 90_000): Promise<Response> {
  // An early exit ends the wait at once (returned, not thrown, so vi.waitFor stops polling).
  const res = await vi
    .waitFor(
      async () => {
        if (started.child.exitCode !== null) return undefined;
        const res = await fetch(`http://127.0.0.1:${port}/healthz`); // throws while not listening yet
        if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
        return res;
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .catch((err: Error) => {
      throw new Error(`bot not healthy in ${timeoutMs} ms (${err.message}):\n${started.output()}`);
    });
  if (!res) throw new Error(`bot exited early:\n${started.output()}`);
  return res;
}

const slackEnv = () => ({
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.url,
  LOG_LEVEL: 'info',
});

describe('start-up', () => {
  it('stops with one clear message naming each bad variable', async () => {
    // NODE_ENV=production as in the image: without it, no Slack variable at all starts the sandbox.
    const started = run(process.execPath, npmStartArgs(), { NODE_ENV: 'production', PORT: 'eighty', REMINDER_DAYS: 'soon' });
    expect(await started.exited).toBe(1);
    const out = started.output();
    expect(out).toContain('SLACK_BOT_TOKEN is required');
    expect(out).toContain('PORT');
    expect(out).toContain('REMINDER_DAYS');
    expect(out).toContain('SLACK_SIGNING_SECRET');
    expect(out).not.toMatch(/at .*\.[jt]s:\d+/); // a message, not a stack trace
  });

  it('stops within seconds, saying why, when Slack rejects the token or cannot be reached', async () => {
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const rejected = run(process.execPath, npmStartArgs(), {
      ...slackEnv(),
      PORT: String(await getFreePort()),
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: 'startup-auth',
    });
    expect(await rejected.exited).toBe(1);
    expect(rejected.output()).toContain('Slack rejected SLACK_BOT_TOKEN (invalid_auth)');
    expect(rejected.output()).not.toMatch(/"stack"|ReceiverInconsistentStateError/);

    const unreachable = run(process.execPath, npmStartArgs(), {
      ...slackEnv(),
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: String(await getFreePort()),
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: 'startup-auth',
    });
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.output()).toContain('Cannot reach Slack at http://127.0.0.1:9/api/');
    expect(unreachable.output()).not.toMatch(/"stack"/);
  }, 180_000);

  it('without REDIS_URL and no redis-server on PATH, says how to install one', async () => {
    const started = run(process.execPath, npmStartArgs(), { ...slackEnv(), PATH: join(cwd, 'no-bin'), PORT: String(await getFreePort()) });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/"level":60,.*no redis-server binary was found on PATH/); // the fatal log line alone
    expect(started.output()).not.toMatch(/"stack"/);
  });

  it('refuses to start a second redis-server on a data directory still in use', async () => {
    const dataDir = join(cwd, 'busy-data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'redis.pid'), String(process.pid)); // a live process
    const started = run(process.execPath, npmStartArgs(), { ...slackEnv(), PORT: String(await getFreePort()), DATA_DIR: dataDir });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(`A redis-server (pid ${process.pid}) is still running on ${dataDir}`);
  });

  it('without REDIS_URL runs a local append-only redis-server and shuts down cleanly on SIGTERM', async () => {
    const port = await getFreePort();
    const started = run(process.execPath, npmStartArgs(), { ...slackEnv(), PORT: String(port), DATA_DIR: 'data' });
    const res = await waitForHealthy(port, started);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'up' });
    expect(started.output()).toContain('started local redis-server');
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(existsSync(join(cwd, 'data'))).toBe(true);
    expect(readdirSync(join(cwd, 'data')).join(' ')).toMatch(/appendonly/);
    const leftover = spawnSync('pgrep', ['-f', `--dir ${join(cwd, 'data')}`])
      .stdout.toString()
      .trim();
    expect(leftover).toBe('');
  }, 180_000);

  it('on a fresh clone with no Slack setting, compiles, runs the sandbox on a local redis-server and stops both on SIGTERM', async () => {
    // What `git clone` and `npm ci` leave: the committed files that start-up reads, no dist/.
    const clone = join(cwd, 'clone');
    mkdirSync(clone);
    for (const name of ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(join(ROOT, name), join(clone, name), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    const port = await getFreePort();
    const dataDir = join(clone, 'data');
    const started = run(process.execPath, npmStartArgs(clone), { PORT: String(port) }, clone);
    const address = await vi
      .waitFor(
        () => {
          if (started.child.exitCode !== null) return undefined;
          const found = /Sandbox: (http:\/\/\S+)/.exec(started.output())?.[1];
          if (!found) throw new Error('no Sandbox: line yet');
          return found;
        },
        { timeout: 90_000, interval: 100 },
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}:\n${started.output()}`);
      });
    expect(address, started.output()).toBe(`http://localhost:${port}/`);
    expect(started.output()).toMatch(/dist\/: compiled \d+ file\(s\) from src\/, 0 unchanged/);
    const ready = await vi.waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status !== 200) throw new Error(`/readyz answered ${res.status}`);
        return res.json();
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(ready).toEqual({ status: 'ready', redis: 'up', queue: 'up' });
    // The page and its files come from beside the compiled code (dist/sandbox/page).
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect((await fetch(`http://127.0.0.1:${port}/sandbox/style.css`)).status).toBe(200);
    // Built on the first request (node-emoji is loaded then, not at start).
    const emoji = (await (await fetch(`http://127.0.0.1:${port}/sandbox/emoji.json`)).json()) as Record<string, string>;
    expect(emoji['white_check_mark']).toBe('\u2705');
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    const leftover = spawnSync('pgrep', ['-f', `--dir ${dataDir}`])
      .stdout.toString()
      .trim();
    expect(leftover).toBe('');
  }, 180_000);

  it('the compiled image entry point (node dist/main.js) starts against REDIS_URL', async () => {
    const outDir = join(cwd, 'dist');
    // What `npm run build` writes after its type check.
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts/dist.mjs'), '--out-dir', outDir], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const port = await getFreePort();
    // dist/ needs node_modules next to it, as in the image: link the project's.
    spawnSync('ln', ['-s', join(ROOT, 'node_modules'), join(cwd, 'node_modules')]);
    spawnSync('cp', [join(ROOT, 'package.json'), cwd]);
    const started = run(process.execPath, [join(outDir, 'main.js')], {
      ...slackEnv(),
      PORT: String(port),
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: 'startup-dist',
    });
    await waitForHealthy(port, started);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }, 180_000);
});
