import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { npmStartArgs } from '../support/npm-start.js';
import { uniquePrefix } from '../support/redis-server.js';

/**
 * The sandbox in a real browser: the bot started as `npm start` starts it (no Slack
 * variable set), headless Chromium from the Debian package (`chromium`; .ci/run installs it)
 * driven by playwright-core, which downloads nothing. One journey through the product; a
 * screenshot per step in test-artifacts/sandbox/ (git-ignored).
 */

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-artifacts/sandbox');
const prefix = uniquePrefix('sandbox-browser');

let bot: ChildProcess;
let output = '';
let url: string;
let browser: Browser;
let page: Page;
let step = 0;
const timings: Record<string, number[]> = { pageReadyMs: [], commandToModalMs: [] };

async function shot(name: string): Promise<void> {
  step += 1;
  await page.screenshot({ path: join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`) });
}

const composer = () => page.getByRole('textbox', { name: /Message/ });
const dialog = () => page.getByRole('dialog');
const pane = () => page.locator('#pane');

async function send(text: string): Promise<void> {
  await composer().fill(text);
  await composer().press('Enter');
}

async function actAs(name: RegExp): Promise<void> {
  const option = page.locator('#persona option').filter({ hasText: name });
  await page.getByLabel('Persona').selectOption((await option.getAttribute('value'))!);
}

/** Opens the request modal with a slash command and measures until the dialog is visible. */
async function openRequestModal(text = '/bitbucket-token'): Promise<void> {
  await composer().fill(text);
  const started = performance.now();
  await composer().press('Enter');
  await expect.poll(() => dialog().isVisible(), { timeout: 5000, interval: 5 }).toBe(true);
  timings['commandToModalMs']!.push(Math.round(performance.now() - started));
  await shown(page.getByRole('dialog', { name: 'Bitbucket API token' }));
}

// playwright-core has no matchers of its own: waits on locators, and expect.poll for the rest.
const shown = (l: Locator) => l.first().waitFor({ state: 'visible', timeout: 10_000 });
const gone = (l: Locator) => l.waitFor({ state: 'hidden', timeout: 10_000 });
const textOf = (l: Locator) => expect.poll(async () => (await l.allTextContents()).join(' '), { timeout: 10_000 });
const countOf = (l: Locator) => expect.poll(() => l.count(), { timeout: 10_000 });

const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: ROOT,
    PORT: '0',
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: prefix,
  };
  bot = spawn(process.execPath, npmStartArgs(), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  bot.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  bot.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  url = await vi.waitFor(
    () => {
      const found = /Sandbox: (http:\/\/\S+)/.exec(output)?.[1];
      if (!found) throw new Error(`no sandbox address yet:\n${output}`);
      return found;
    },
    // A first start compiles src/; on a loaded 2-core machine that alone can take tens of seconds.
    { timeout: 90_000, interval: 50 },
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

// What the page showed when a step failed (test-artifacts/sandbox/failed-*.png).
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page) await page.screenshot({ path: join(SHOTS, `failed-${task.name.slice(0, 40)}.png`) });
});

afterAll(async () => {
  await browser?.close();
  if (bot && bot.exitCode === null) {
    const exited = new Promise((r) => bot.once('exit', r));
    bot.kill('SIGTERM');
    await exited;
  }
  const redis = new Redis(inject('redisUrl'));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  console.log(`sandbox timings (ms): ${JSON.stringify(timings)}`);
});

describe('the sandbox in a browser', () => {
  it('prints one line with its address, bound to localhost', () => {
    expect(output).toMatch(/^Sandbox: http:\/\/localhost:\d+\/ \(no Slack app configured; set SLACK_BOT_TOKEN/m);
  });

  it('is ready within a second, offline, several times', async () => {
    await page.context().route(/^(?!http:\/\/(localhost|127\.0\.0\.1))/, (route) => route.abort());
    for (let i = 0; i < 3; i++) {
      await page.goto(url);
      await page.locator('body[data-ready="true"]').waitFor();
      timings['pageReadyMs']!.push(Math.round(await page.evaluate(() => performance.getEntriesByName('sandbox-ready')[0]!.startTime)));
    }
    expect(Math.min(...timings['pageReadyMs']!)).toBeLessThan(1000);
    await shot('ready');
  });

  it('runs the journey: request, error, checklist, record, approval, self-approval, reminder, snooze, Home, leak guard', async () => {
    // The command and the modal with a preset.
    await openRequestModal();
    await page.getByLabel('Integration').selectOption('deeptraq');
    await expect.poll(() => page.getByLabel('Token name').inputValue()).toMatch(/DeepTraQ/);
    await shot('modal-preset');

    // A field error, shown under its field, then fixed.
    await page.getByLabel('Expiration date').fill(isoDay(-1));
    await dialog().getByRole('button', { name: 'Get checklist' }).click();
    await shown(dialog().getByRole('alert'));
    await expect.poll(() => page.getByLabel('Expiration date').getAttribute('aria-invalid')).toBe('true');
    await shot('field-error');
    await page.getByLabel('Expiration date').fill(isoDay(60));
    await dialog().locator('[type="submit"]').click();
    await gone(dialog());

    // The checklist DM, and "I've created the token".
    await shown(pane().getByRole('button', { name: "I've created the token" }));
    await shot('checklist');
    await pane().getByRole('button', { name: "I've created the token" }).click();
    await textOf(pane()).toMatch(/remind/i);
    await shot('recorded');

    // A risky request, approved by the approver.
    await openRequestModal();
    await page.getByLabel('Scopes').selectOption(['read:repository:bitbucket', 'admin:repository:bitbucket']);
    await shown(page.getByLabel(/Justification/));
    await page.getByLabel('Token name').fill('Release bot');
    await page.getByLabel(/Justification/).fill('Sets branch restrictions on release branches.');
    await dialog().locator('[type="submit"]').click();
    await gone(dialog());
    await actAs(/Arne/);
    await page.getByRole('button', { name: /token-approvals/ }).click();
    await pane().getByRole('button', { name: 'Approve', exact: true }).click();
    await textOf(pane()).toMatch(/Approved by/);
    await page
      .getByRole('button', { name: /repl(y|ies)/ })
      .first()
      .click();
    await textOf(page.getByRole('complementary', { name: 'Thread' })).toMatch(/Approved/);
    await shot('approved-in-thread');

    // A self-approval refused: the approver's own risky request.
    await page
      .getByRole('button', { name: /Token Bot/ })
      .first()
      .click();
    await openRequestModal();
    await page.getByLabel('Scopes').selectOption(['read:repository:bitbucket', 'delete:repository:bitbucket']);
    await page.getByLabel('Token name').fill('Cleanup job');
    await page.getByLabel(/Justification/).fill('Deletes stale forks.');
    await dialog().locator('[type="submit"]').click();
    await gone(dialog());
    await page.getByRole('button', { name: /token-approvals/ }).click();
    await pane().getByRole('article').filter({ hasText: 'Cleanup job' }).getByRole('button', { name: 'Approve', exact: true }).click();
    await textOf(pane()).toContain('You cannot decide on your own request');
    await shot('self-approval-refused');

    // The clock jumps to the requester's first reminder; it arrives once; Snooze.
    await actAs(/Riya/);
    await page
      .getByRole('button', { name: /Token Bot/ })
      .first()
      .click();
    // Every announcement of the live region, not only the last (the jump also brings the approval nudge).
    await page.evaluate(() => {
      const heard: string[] = [];
      (window as unknown as { heard: string[] }).heard = heard;
      const region = document.getElementById('announcer')!;
      new MutationObserver(() => heard.push(region.textContent ?? '')).observe(region, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.getByRole('button', { name: 'Next reminder' }).click();
    const reminders = pane()
      .getByRole('article')
      .filter({ has: page.getByRole('button', { name: 'Snooze 1 day' }) });
    await countOf(reminders).toBe(1);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { heard: string[] }).heard.join('\n')))
      .toMatch(/New direct message from Token Bot/);
    // Settled: nothing waiting or running, and the token's next look is ahead of the sandbox time.
    const queue = new Queue('jobs', { connection: { url: inject('redisUrl') } as never, prefix: `${prefix}:bull` });
    await expect
      .poll(async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
        return counts['waiting']! + counts['active']! + counts['prioritized']!;
      })
      .toBe(0);
    await queue.close();
    await countOf(reminders).toBe(1);
    await shot('reminder');
    await reminders.getByRole('button', { name: 'Snooze 1 day' }).click();
    await textOf(pane()).toMatch(/[Ss]noozed/);
    await shot('snoozed');

    // The App Home.
    await page.getByRole('button', { name: 'Home' }).click();
    await shown(page.getByRole('button', { name: 'Request a new token' }));
    await shot('home');

    // A pasted token is warned about, privately.
    await page.getByRole('button', { name: '# general' }).click();
    await send(`here it is ATATT3xFfGF0${'Q'.repeat(40)}=0123ABCD`);
    await textOf(pane().locator('.ephemeral')).toMatch(/revoke/i);
    await textOf(pane().locator('.ephemeral')).toContain('Only visible to you');
    await shot('leak-warning');

    // And the modal timing over a few commands.
    for (let i = 0; i < 2; i++) {
      await openRequestModal();
      await dialog().getByRole('button', { name: 'Close', exact: true }).click();
      await gone(dialog());
    }
    expect(Math.min(...timings['commandToModalMs']!)).toBeLessThan(300);
  }, 120_000);

  it('refuses forged and malformed actions as Slack would, storing nothing', async () => {
    const post = (op: string, body: unknown, contentType = 'application/json') =>
      fetch(`${url}sandbox/api/${op}`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
    expect(
      (
        await post('action', {
          user: 'U0RIYA',
          where: { kind: 'message', channel: 'C0GENERAL', ts: '1.000001' },
          blockIndex: 0,
          actionId: 'x',
        })
      ).status,
    ).toBe(400);
    expect((await post('command', { user: 'UNOBODY', channel: 'C0GENERAL', text: '/bitbucket-token' })).status).toBe(400);
    expect((await post('submit', { user: 'U0RIYA', viewId: 'V404', values: { a: { b: 'c' } } })).status).toBe(400);
    expect((await post('command', 'not json', 'text/plain')).status).toBe(415);
    const unsigned = await fetch(`${url}slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"event_callback"}',
    });
    expect(unsigned.status).toBe(401);
  });
});
