import { existsSync, readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { uniquePrefix } from '../support/redis-server.js';
import { getFreePort } from '../support/net.js';
import { killHard, startAppProcess, type AppProcess } from '../support/faults.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import { addDays, todayIn } from '../../src/domain/dates.js';

/**
 * The whole bot process runs under a clock shifted eight days ahead (libfaketime, Debian's
 * `faketime` package, preloaded into `npm start`'s process): the reminder that is due by then
 * goes out, though by the real clock it is six days early.
 */
const LIBFAKETIME = readdirSync('/usr/lib')
  .map((dir) => `/usr/lib/${dir}/faketime/libfaketime.so.1`)
  .find((path) => existsSync(path));

let slack: FakeSlack;
let redis: Redis;
let app: AppProcess | undefined;
beforeAll(async () => {
  slack = await startFakeSlack();
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  if (app) await killHard(app);
  redis.disconnect();
  await slack.stop();
});

describe('shifted clock', () => {
  it('has libfaketime installed (.ci/run installs the faketime package)', () => {
    expect(LIBFAKETIME, 'apt-get install -y faketime').toBeDefined();
  });

  it('sends the reminder that is due in the shifted time, and only that one', async () => {
    const prefix = uniquePrefix('shifted-clock');
    const keys = createKeys(prefix);
    const tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
    const today = todayIn('UTC', new Date());
    // Expires in 20 days: the 30-day reminder has passed already; the 14-day one is due in 6 days.
    const token = {
      id: createTokenId(),
      ownerId: 'USHIFT1',
      name: 'Shifted clock token',
      scopes: ['read:repository:bitbucket'],
      expiresOn: addDays(today, 20),
      createdAt: Date.now(),
      status: 'active' as const,
    };
    expect(await tokens.create(token, { at: token.createdAt, type: 'recorded', by: token.ownerId })).toBe(true);

    // As `npm start` runs it (one process, as the fault tests do), so killing the child kills the bot.
    app = startAppProcess({
      port: await getFreePort(),
      slack,
      redisUrl: inject('redisUrl'),
      prefix,
      env: {
        LD_PRELOAD: LIBFAKETIME!,
        FAKETIME: '+8d',
        REMINDER_HOUR: '0',
        REMINDER_LAST_HOUR: '24',
        REMINDER_WORKDAYS: '0,1,2,3,4,5,6',
        REMINDER_SWEEP_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
    });
    const dm = await slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === token.ownerId && c.response['ok'] === true, {
      timeoutMs: 30_000,
    });
    const text = JSON.stringify(dm.args);
    expect(text).toContain('Shifted clock token');
    expect(text).toMatch(/12 days/); // 20 days from the real today is 12 from the shifted one
    const readReminded = async () => (await tokens.history(token.id)).find((e) => e.type === 'reminded');
    // The history entry is written just after Slack accepts the DM.
    const reminded = await vi.waitFor(
      async () => {
        const entry = await readReminded();
        if (!entry) throw new Error('no `reminded` history entry yet');
        return entry;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(reminded?.detail).toContain('d14');
    // The process stamped it with its own (shifted) time.
    expect(reminded!.at - Date.now()).toBeGreaterThan(7 * 86_400_000);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === token.ownerId)).toHaveLength(1);
  }, 60_000);
});
