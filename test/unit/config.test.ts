import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'abcdef0123456789' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('builds PUBLIC_URL from PORT by default, trims a trailing slash, refuses other schemes and short calendar secrets', () => {
    expect(loadConfig(base).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ ...base, PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://bot.example.com/' }).publicUrl).toBe('https://bot.example.com');
    expect(problemsOf({ ...base, PUBLIC_URL: 'ftp://bot.example.com' })[0]).toMatch(/^PUBLIC_URL must be the http\(s\) address/);
    expect(problemsOf({ ...base, CALENDAR_SECRET: 'short' })[0]).toMatch(/^CALENDAR_SECRET must be at least 32 characters/);
    // Unset, the feed key follows the bot token; set, it does not.
    expect(loadConfig(base).calendar.secret).not.toBe(loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxb-other' }).calendar.secret);
    expect(loadConfig({ ...base, CALENDAR_SECRET: 'k'.repeat(32) }).calendar.secret).toBe('k'.repeat(32));
  });

  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.slack.socketMode).toBe(false);
    expect(config.port).toBe(3000);
    expect(config.redis).toEqual({
      url: undefined,
      target: undefined,
      keyPrefix: 'btb',
      dataDir: './data',
      minReplicas: 0,
      waitTimeoutMs: 500,
    });
    expect(config.reminders).toEqual({
      days: [30, 14, 7, 1, 0],
      hour: 10,
      lastHour: 18,
      workdays: [1, 2, 3, 4, 5],
      fallbackChannelId: undefined,
      sweepSeconds: 60,
      digest: true,
    });
    expect(config.logLevel).toBe('info');
  });

  it('reads Sentinel settings into one target, with the passwords', () => {
    const config = loadConfig({
      ...base,
      REDIS_SENTINELS: 'sentinel-1:26379, sentinel-2 ,sentinel-3:26380',
      REDIS_SENTINEL_MASTER: 'mymaster',
      REDIS_PASSWORD: 'pw',
      REDIS_SENTINEL_PASSWORD: 'spw',
      REDIS_MIN_REPLICAS: '1',
    });
    expect(config.redis.url).toBeUndefined();
    expect(config.redis.target).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: 'sentinel-2', port: 26379 },
        { host: 'sentinel-3', port: 26380 },
      ],
      masterName: 'mymaster',
      password: 'pw',
      sentinelPassword: 'spw',
    });
    expect(config.redis.minReplicas).toBe(1);
  });

  it('gives a cluster one hash-tagged key prefix', () => {
    const config = loadConfig({ ...base, REDIS_CLUSTER_NODES: 'node-1:7000,node-2:7001' });
    expect(config.redis.target).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'node-1', port: 7000 },
        { host: 'node-2', port: 7001 },
      ],
    });
    expect(config.redis.keyPrefix).toBe('{btb}');
  });

  it('refuses two ways to reach Redis, naming both, and half a Sentinel setting', () => {
    expect(problemsOf({ ...base, REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'm' }).join('\n')).toMatch(
      /REDIS_URL and REDIS_SENTINELS/,
    );
    expect(problemsOf({ ...base, REDIS_SENTINELS: 's:26379' }).join('\n')).toMatch(/REDIS_SENTINEL_MASTER is required/);
    expect(problemsOf({ ...base, REDIS_MIN_REPLICAS: '9' }).join('\n')).toMatch(/REDIS_MIN_REPLICAS/);
  });

  it('reads and checks the reminder settings', () => {
    const config = loadConfig({
      ...base,
      REMINDER_HOUR: '9',
      REMINDER_LAST_HOUR: '17',
      REMINDER_WORKDAYS: '5, 1,2',
      REMINDER_FALLBACK_CHANNEL_ID: 'C0FALL',
      REMINDER_SWEEP_SECONDS: '30',
    });
    expect(config.reminders).toMatchObject({ hour: 9, lastHour: 17, workdays: [1, 2, 5], fallbackChannelId: 'C0FALL', sweepSeconds: 30 });
    const problems = problemsOf({
      ...base,
      REMINDER_HOUR: '24',
      REMINDER_WORKDAYS: 'mon',
      REMINDER_FALLBACK_CHANNEL_ID: '#ops',
      REMINDER_SWEEP_SECONDS: '0',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'REMINDER_HOUR',
      'REMINDER_WORKDAYS',
      'REMINDER_FALLBACK_CHANNEL_ID',
      'REMINDER_SWEEP_SECONDS',
    ]);
    expect(problemsOf({ ...base, REMINDER_HOUR: '18', REMINDER_LAST_HOUR: '18' })[0]).toMatch(/REMINDER_LAST_HOUR must be later/);
  });

  it('names every offending variable in one message', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user',
      PORT: 'eighty',
      REMINDER_DAYS: '30,soon',
      APPROVER_USER_IDS: 'U123,alice',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'localhost:6379',
    });
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'PORT',
        'REMINDER_DAYS',
        'APPROVER_USER_IDS',
        'LOG_LEVEL',
        'REDIS_URL',
        'SLACK_SIGNING_SECRET',
      ]),
    );
    expect(problems.find((p) => p.startsWith('SLACK_BOT_TOKEN'))).toMatch(/xoxb-/);
  });

  it('reads ADMIN_USER_IDS as a list and refuses a non-user id', () => {
    expect(loadConfig(base).adminUserIds).toEqual([]);
    expect(loadConfig({ ...base, ADMIN_USER_IDS: 'U1ADMIN, W2ADMIN' }).adminUserIds).toEqual(['U1ADMIN', 'W2ADMIN']);
    expect(problemsOf({ ...base, ADMIN_USER_IDS: 'U1ADMIN,bob' })[0]).toMatch(/^ADMIN_USER_IDS /);
  });

  it('says a missing bot token is required', () => {
    expect(problemsOf({ SLACK_SIGNING_SECRET: 'abcdef0123456789' })).toEqual(['SLACK_BOT_TOKEN is required']);
  });

  it('uses Socket Mode when an app token is set, without a signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' });
    expect(config.slack.socketMode).toBe(true);
  });

  it('normalises SLACK_API_URL, REMINDER_DAYS and id lists', () => {
    const config = loadConfig({
      ...base,
      SLACK_API_URL: 'http://127.0.0.1:9/api',
      REMINDER_DAYS: '1, 30,7,7',
      APPROVER_USER_IDS: 'U1, W2 ,',
      PORT: '',
    });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(config.reminders.days).toEqual([30, 7, 1]);
    expect(config.approvals.approverUserIds).toEqual(['U1', 'W2']);
    expect(config.port).toBe(3000);
  });

  it('reads the approval policy and timers, accepting fractions of hours and days', () => {
    const defaults = loadConfig(base).approvals;
    expect(defaults.policy).toEqual({ mode: 'risky', maxDays: 90 });
    expect(defaults.remindAfterMs).toBe(4 * 3600_000);
    expect(defaults.expireAfterMs).toBe(7 * 86_400_000);
    const custom = loadConfig({
      ...base,
      APPROVAL_POLICY: 'ALL',
      APPROVAL_MAX_DAYS: '30',
      APPROVAL_REMIND_HOURS: '0.5',
      APPROVAL_EXPIRE_DAYS: '1.5',
    }).approvals;
    expect(custom.policy).toEqual({ mode: 'all', maxDays: 30 });
    expect(custom.remindAfterMs).toBe(1_800_000);
    expect(custom.expireAfterMs).toBe(1.5 * 86_400_000);
  });

  it('names bad approval settings', () => {
    const problems = problemsOf({
      ...base,
      APPROVAL_POLICY: 'some',
      APPROVAL_MAX_DAYS: '12.5',
      APPROVAL_REMIND_HOURS: '-1',
      APPROVAL_EXPIRE_DAYS: 'never',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'APPROVAL_EXPIRE_DAYS',
      'APPROVAL_MAX_DAYS',
      'APPROVAL_POLICY',
      'APPROVAL_REMIND_HOURS',
    ]);
    expect(problems.find((p) => p.startsWith('APPROVAL_POLICY'))).toMatch(/all, risky, none/);
  });

  it('leaves the organization sync off unless both the org id and the admin key are set', () => {
    expect(loadConfig(base).orgSync).toBeUndefined();
    const config = loadConfig({ ...base, ATLASSIAN_ORG_ID: 'a1b2-c3d4', ATLASSIAN_ADMIN_API_KEY: 'secret-admin-key-123' });
    expect(config.orgSync).toEqual({
      orgId: 'a1b2-c3d4',
      apiKey: 'secret-admin-key-123',
      apiUrl: 'https://api.atlassian.com',
      everyMs: 6 * 3_600_000,
      unusedDays: 90,
    });
  });

  it('reads the organization sync settings', () => {
    const config = loadConfig({
      ...base,
      ATLASSIAN_ORG_ID: 'org-1',
      ATLASSIAN_ADMIN_API_KEY: 'secret-admin-key-123',
      ATLASSIAN_API_URL: 'http://127.0.0.1:8080/',
      ORG_SYNC_HOURS: '0.5',
      UNUSED_TOKEN_DAYS: '30',
    });
    expect(config.orgSync).toMatchObject({ apiUrl: 'http://127.0.0.1:8080', everyMs: 1_800_000, unusedDays: 30 });
  });

  it('names half-set or bad organization sync settings, never echoing the key', () => {
    expect(problemsOf({ ...base, ATLASSIAN_ORG_ID: 'org-1' })).toEqual([expect.stringMatching(/^ATLASSIAN_ADMIN_API_KEY is required/)]);
    expect(problemsOf({ ...base, ATLASSIAN_ADMIN_API_KEY: 'secret-admin-key-123' })).toEqual([
      expect.stringMatching(/^ATLASSIAN_ORG_ID is required/),
    ]);
    const problems = problemsOf({
      ...base,
      ATLASSIAN_ORG_ID: 'org/1',
      ATLASSIAN_ADMIN_API_KEY: 'short',
      ATLASSIAN_API_URL: 'not a url',
      ORG_SYNC_HOURS: '0',
      UNUSED_TOKEN_DAYS: '1.5',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'ATLASSIAN_ADMIN_API_KEY',
      'ATLASSIAN_API_URL',
      'ATLASSIAN_ORG_ID',
      'ORG_SYNC_HOURS',
      'UNUSED_TOKEN_DAYS',
    ]);
    expect(problems.join('\n')).not.toContain('short');
  });
});
