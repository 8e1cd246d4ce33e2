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
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.slack.socketMode).toBe(false);
    expect(config.port).toBe(3000);
    expect(config.redis).toEqual({ url: undefined, keyPrefix: 'btb', dataDir: './data' });
    expect(config.reminders.days).toEqual([30, 14, 7, 1, 0]);
    expect(config.logLevel).toBe('info');
  });

  it('names every offending variable in one message', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxp-user', PORT: 'eighty', REMINDER_DAYS: '30,soon', APPROVER_USER_IDS: 'U123,alice', LOG_LEVEL: 'loud', REDIS_URL: 'localhost:6379' });
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'PORT', 'REMINDER_DAYS', 'APPROVER_USER_IDS', 'LOG_LEVEL', 'REDIS_URL', 'SLACK_SIGNING_SECRET']));
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
    const config = loadConfig({ ...base, SLACK_API_URL: 'http://127.0.0.1:9/api', REMINDER_DAYS: '1, 30,7,7', APPROVER_USER_IDS: 'U1, W2 ,', PORT: '' });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(config.reminders.days).toEqual([30, 7, 1]);
    expect(config.approvals.approverUserIds).toEqual(['U1', 'W2']);
    expect(config.port).toBe(3000);
  });
});
