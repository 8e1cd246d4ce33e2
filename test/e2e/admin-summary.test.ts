import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { openTestRedis, startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack.js';
import { uniquePrefix } from '../support/redis-server.js';
import { acrossAnotherSweep, waitForAnotherSweep, waitForIdleQueue } from '../support/queue-state.js';
import { createFixedClock } from '../../src/clock.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import type { TokenRecord } from '../../src/domain/types.js';

/**
 * The weekly admin summary under a shifted clock: the bot reads the time from a clock the test
 * moves (the same Clock the process takes from the system), over a week in January 2027. One
 * admin is in New York, one in UTC; each gets exactly one summary on Monday at their own
 * REMINDER_HOUR (10:00), none on Sunday, still one after more sweeps and after a restart.
 */
const NY = 'UADMINNY';
const UTC = 'UADMINUTC';
const at = (iso: string) => Date.parse(iso);
const SUNDAY_AFTERNOON_NY = at('2027-01-03T20:00:00Z'); // Sun 15:00 in New York
const MONDAY_MORNING_UTC = at('2027-01-04T13:00:00Z'); // Mon 13:00 UTC, 08:00 in New York
const MONDAY_NY_1030 = at('2027-01-04T15:30:00Z');
const MONDAY_NY_1130 = at('2027-01-04T16:30:00Z');
const NEXT_MONDAY_NY_1030 = at('2027-01-11T15:30:00Z');

const clock = createFixedClock(SUNDAY_AFTERNOON_NY);
const prefix = uniquePrefix('admin-summary');
const env = {
  ADMIN_USER_IDS: `${NY},${UTC}`,
  REMINDER_SWEEP_SECONDS: '1',
  REMINDER_HOUR: '10',
  REMINDER_LAST_HOUR: '18',
  REMINDER_WORKDAYS: '1,2,3,4,5',
};

let slack: FakeSlack;
let t: TestBot;
let redis: Redis;

beforeAll(async () => {
  slack = await startFakeSlack({
    users: {
      [NY]: { tz: 'America/New_York' },
      [UTC]: { tz: 'UTC' },
      UOWNER: { tz: 'Europe/Berlin' },
      UGONE: { tz: 'UTC', deleted: true },
    },
  });
  t = await startTestBot({ name: 'admin-summary', slack, prefix, clock, env });
  redis = openTestRedis();
  const keys = createKeys(t.prefix);
  const tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
  const seed = async (over: Partial<TokenRecord>) => {
    const token: TokenRecord = {
      id: createTokenId(),
      ownerId: 'UOWNER',
      name: 'unnamed',
      scopes: ['read:repository:bitbucket'],
      expiresOn: '2027-06-30',
      createdAt: SUNDAY_AFTERNOON_NY,
      status: 'active',
      ...over,
    };
    await tokens.create(token, { at: token.createdAt, type: 'imported' });
  };
  await seed({ name: 'DeepTraQ scanner', expiresOn: '2027-01-20', coOwners: ['UCOOWNER'] });
  // No co-owner: with one, the co-owner would become the owner once the bot sees the owner gone.
  await seed({ name: 'Orphaned CI token', ownerId: 'UGONE', expiresOn: '2027-05-01' });
  await seed({ name: 'Admin-scoped deployer', scopes: ['admin:repository:bitbucket', 'read:repository:bitbucket'] });
  await seed({ name: 'Rotated long ago', status: 'rotated', expiresOn: '2027-01-10' });
});
afterAll(async () => {
  redis?.disconnect();
  await t?.stop();
  await slack?.stop();
});

const summariesTo = (userId: string): FakeSlackCall[] =>
  slack
    .callsTo('chat.postMessage')
    .filter(
      (c) =>
        c.args['channel'] === userId &&
        c.response['ok'] === true &&
        (c.args['metadata'] as { event_type?: string } | undefined)?.event_type === 'btb_admin_summary',
    );
const counts = () => ({ ny: summariesTo(NY).length, utc: summariesTo(UTC).length });

/** Moves the clock and waits until a sweep (and the summary checks it adds) ran at the new time. */
async function moveTo(instant: number, bot: TestBot = t): Promise<void> {
  clock.set(instant);
  await waitForAnotherSweep(bot);
  await waitForIdleQueue(bot);
}

describe('weekly admin summary', () => {
  it('sends nothing on Sunday', async () => {
    const { before, after } = await acrossAnotherSweep(t, counts);
    expect(before).toEqual({ ny: 0, utc: 0 });
    expect(after).toEqual({ ny: 0, utc: 0 });
  });

  it('on Monday at 13:00 UTC, sends to the UTC admin only: it is 08:00 in New York', async () => {
    await moveTo(MONDAY_MORNING_UTC);
    const { after } = await acrossAnotherSweep(t, counts);
    expect(after).toEqual({ ny: 0, utc: 1 });
  });

  it('at 10:30 in New York sends the New York admin one summary with what needs attention', async () => {
    await moveTo(MONDAY_NY_1030);
    const { before, after } = await acrossAnotherSweep(t, counts);
    expect(before).toEqual({ ny: 1, utc: 1 });
    expect(after).toEqual(before);

    const text = JSON.stringify(summariesTo(NY)[0]!.args['blocks']);
    expect(text).toContain('Weekly token summary · 2027-W01');
    // Expiring within 30 days (16 days from Monday), with its owner.
    expect(text).toMatch(/Expiring in the next 30 days \(1\)/);
    expect(text).toContain('DeepTraQ scanner');
    // The owner Slack says is deleted.
    expect(text).toMatch(/Owner no longer in Slack \(1\)/);
    expect(text).toContain('Orphaned CI token');
    // Without a co-owner: the admin-scoped and the orphaned one (DeepTraQ has one; the rotated one is not live).
    expect(text).toMatch(/Without a co-owner \(2\)/);
    const withoutCoOwner = text.slice(text.indexOf('Without a co-owner (2)'));
    expect(withoutCoOwner.indexOf('Orphaned CI token')).toBeGreaterThan(-1);
    expect(withoutCoOwner.indexOf('Orphaned CI token')).toBeLessThan(withoutCoOwner.indexOf('Admin-scoped deployer'));
    expect(text).not.toContain('Rotated long ago');
    // Riskiest scope counts of the three live tokens.
    expect(text).toContain(':red_circle: 1 high');
    expect(text).toContain(':large_green_circle: 2 low');
    expect(text).toContain('slack://app?team=T1&id=A1&tab=home');
  });

  it('after a restart later on Monday, still one each', async () => {
    await t.stop();
    clock.set(MONDAY_NY_1130);
    t = await startTestBot({ name: 'admin-summary', slack, prefix, clock, env });
    await moveTo(MONDAY_NY_1130);
    const { before, after } = await acrossAnotherSweep(t, counts);
    expect(before).toEqual({ ny: 1, utc: 1 });
    expect(after).toEqual(before);
  });

  it('the next Monday brings the next week’s summary, once, with two replicas running', async () => {
    const replica = await startTestBot({ name: 'admin-summary', slack, prefix, clock, env });
    try {
      await moveTo(NEXT_MONDAY_NY_1030);
      const { before, after } = await acrossAnotherSweep(t, counts);
      expect(before).toEqual({ ny: 2, utc: 2 });
      expect(after).toEqual(before);
      expect(JSON.stringify(summariesTo(NY)[1]!.args['blocks'])).toContain('2027-W02');
    } finally {
      await replica.stop();
    }
  });
});
