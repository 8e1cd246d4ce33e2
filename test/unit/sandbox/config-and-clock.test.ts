import { describe, expect, it } from 'vitest';
import { ConfigError, isSandbox, loadConfig } from '../../../src/config.js';
import { createTravelClock } from '../../../src/sandbox/clock.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('when the sandbox runs', () => {
  it('runs with no Slack variable outside production, bound to 127.0.0.1, on its own prefix and data dir', () => {
    const config = loadConfig({});
    expect(config.sandbox).toEqual({ host: '127.0.0.1' });
    expect(config.redis).toMatchObject({ keyPrefix: 'sandbox', dataDir: './data/sandbox' });
    expect(config.logLevel).toBe('warn');
    expect(loadConfig({ NODE_ENV: 'development', SANDBOX_HOST: '0.0.0.0' }).sandbox).toEqual({ host: '0.0.0.0' });
  });

  it('never runs in production unless SANDBOX=true, and never when SANDBOX=false', () => {
    expect(isSandbox({ NODE_ENV: 'production' })).toBe(false);
    expect(problemsOf({ NODE_ENV: 'production' })).toContain('SLACK_BOT_TOKEN is required');
    expect(isSandbox({ NODE_ENV: 'production', SANDBOX: 'true' })).toBe(true);
    expect(isSandbox({ SANDBOX: 'false' })).toBe(false);
    expect(problemsOf({ SANDBOX: 'false' })).toContain('SLACK_BOT_TOKEN is required');
  });

  it("gives a half-configured Slack app today's error, never a silent sandbox", () => {
    expect(problemsOf({ SLACK_SIGNING_SECRET: 'abcdef0123456789' })).toEqual(['SLACK_BOT_TOKEN is required']);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/SLACK_SIGNING_SECRET is required/);
    expect(isSandbox({ SLACK_API_URL: 'http://127.0.0.1:9/api/' })).toBe(false);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdef0123456789' }).sandbox).toBeUndefined();
  });

  it('refuses a malformed SANDBOX or SANDBOX_HOST', () => {
    expect(problemsOf({ SANDBOX: 'yes' })).toContain('SANDBOX must be true or false');
    expect(problemsOf({ SANDBOX_HOST: 'local host' })[0]).toMatch(/^SANDBOX_HOST must be an address/);
  });
});

describe('the sandbox clock', () => {
  it('moves only forward and remembers the time it was when a job was queued', () => {
    let real = 1_000_000;
    const clock = createTravelClock(() => real);
    expect(clock.now()).toBe(1_000_000);
    real += 10;
    clock.travelTo(5_000_000);
    expect(clock.now()).toBe(5_000_000);
    expect(clock.sandboxTimeAt(1_000_005)).toBe(1_000_005); // before the jump
    real += 100;
    expect(clock.now()).toBe(5_000_100);
    expect(clock.offsetMs()).toBe(5_000_000 - 1_000_010);
    expect(() => clock.travelTo(4_000_000)).toThrow(RangeError);
  });
});
