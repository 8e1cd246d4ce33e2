/**
 * Where the reminder scheduler plugs into the benchmark: the sweep probe of part 2 and the app
 * delivering reminders through its scheduler in part 3.
 */
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createBot, type Bot } from '../src/app.js';
import { createKeys } from '../src/store/keys.js';
import { createRedis } from '../src/store/redis.js';
import { RequestStore } from '../src/store/requests.js';
import { TokenStore } from '../src/store/tokens.js';
import { createJobQueue } from '../src/jobs/queue.js';
import { sweepDueReminders } from '../src/jobs/processors/reminders.js';
import { ACTION } from '../src/blocks/ids.js';
import { addDays, todayIn } from '../src/domain/dates.js';
import { createTokenId } from '../src/domain/record-ids.js';
import type { TokenRecord } from '../src/domain/types.js';
import { median } from './stats.js';
import type { DeliveryFactory } from './delivery.js';
import type { SweepProbe } from './inventory.js';

const quietLogger = () => createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });

const SWEEP_RUNS = 5;

/**
 * One reminder sweep over the inventory (part 2): every token is scheduled an hour ahead except
 * `ctx.due` of them, spread over the inventory, scheduled a minute ago; then one
 * sweepDueReminders call with a real BullMQ queue. One uncounted run warms the scripts; the
 * median of SWEEP_RUNS runs is reported, the queue emptied between runs so each starts equal.
 */
export const sweepProbe: SweepProbe = async (ctx) => {
  const redis = createRedis(ctx.redisUrl);
  const tokens = new TokenStore(redis, ctx.keys, new RequestStore(redis, ctx.keys));
  const logger = quietLogger();
  const jobs = createJobQueue({ redisUrl: ctx.redisUrl, keyPrefix: ctx.keyPrefix, logger });
  const { queue } = jobs;
  const deps = { tokens, jobs, logger };
  const step = Math.max(1, Math.floor(ctx.tokens.length / ctx.due));
  const dueIds = Array.from({ length: Math.min(ctx.due, ctx.tokens.length) }, (_, i) => ctx.tokens[i * step]!.id);
  try {
    const later = Date.now() + 3600_000;
    for (let i = 0; i < ctx.tokens.length; i += 5000) {
      const batch = ctx.tokens.slice(i, i + 5000);
      await redis.zadd(ctx.keys.remindersDue, ...batch.flatMap((t) => [later, t.id]));
    }
    const times: number[] = [];
    let delivered = 0;
    for (let run = 0; run <= SWEEP_RUNS; run++) {
      await queue.obliterate({ force: true });
      const now = Date.now();
      // A distinct score per run gives distinct job ids, as successive real sweeps would.
      await redis.zadd(ctx.keys.remindersDue, ...dueIds.flatMap((id) => [now - 60_000 + run, id]));
      const started = performance.now();
      const { claimed } = await sweepDueReminders(deps, now);
      const ms = performance.now() - started;
      if (claimed !== dueIds.length) throw new Error(`sweep probe: claimed ${claimed}, expected ${dueIds.length}`);
      const jobs = await queue.getJobCountByTypes('waiting', 'prioritized', 'delayed');
      if (jobs !== dueIds.length) throw new Error(`sweep probe: ${jobs} delivery jobs queued, expected ${dueIds.length}`);
      if (run > 0) times.push(ms);
      delivered = claimed;
    }
    return { ms: median(times), delivered };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await jobs.close();
    await redis.quit().catch(() => redis.disconnect());
  }
};

/** Owners per reminder: about ten tokens each, as in the inventory. */
const TOKENS_PER_OWNER = 10;

/**
 * The app (createBot, Web API retries 0, sweeping every second) delivering reminders due now:
 * tokens expiring tomorrow, recorded through TokenStore.create, so the "1 day" reminder is due.
 * A reminder is known by its token id, the value of its Renew button.
 */
export const appDelivery: DeliveryFactory = async (ctx) => {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef0123456789',
    SLACK_API_URL: ctx.slackUrl,
    PORT: '0',
    REDIS_URL: ctx.redisUrl,
    REDIS_KEY_PREFIX: ctx.keyPrefix,
    LOG_LEVEL: 'warn',
    REMINDER_HOUR: '0',
    REMINDER_LAST_HOUR: '24',
    REMINDER_WORKDAYS: '0,1,2,3,4,5,6',
    REMINDER_SWEEP_SECONDS: '1',
    REMINDER_FALLBACK_CHANNEL_ID: 'C0FALLBACK',
    // One DM per reminder, as the reference sends: with digests (the default) an owner's ten
    // reminders due in the same hour make one DM and nine chat.update calls, which the tally
    // (one chat.postMessage per reminder) would count as nine losses.
    REMINDER_DIGEST: 'false',
  });
  let bot: Bot | undefined;
  return {
    async seedDue(count) {
      const redis = createRedis(ctx.redisUrl);
      const keys = createKeys(ctx.keyPrefix);
      const store = new TokenStore(redis, keys, new RequestStore(redis, keys));
      const now = Date.now();
      const expiresOn = addDays(todayIn('UTC', new Date(now)), 1);
      const owners = Math.max(1, Math.ceil(count / TOKENS_PER_OWNER));
      const tokens: TokenRecord[] = Array.from({ length: count }, (_, i) => ({
        id: createTokenId(),
        ownerId: `U${200000 + (i % owners)}`,
        name: `Integration ${i}`,
        scopes: ['read:repository:bitbucket'],
        workspace: 'acme',
        expiresOn,
        createdAt: now,
        status: 'active',
      }));
      try {
        for (let i = 0; i < tokens.length; i += 256) {
          const created = await Promise.all(
            tokens.slice(i, i + 256).map((t) => store.create(t, { at: now, type: 'imported', by: t.ownerId })),
          );
          if (created.some((c) => !c)) throw new Error('delivery: a seeded token already existed');
        }
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
      return tokens.map((t) => t.id);
    },
    reminderIdOf(call) {
      const blocks = call.args['blocks'];
      if (!Array.isArray(blocks)) return undefined;
      for (const block of blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>) {
        const renew = block.elements?.find((e) => e.action_id === ACTION.reminderRenew);
        if (renew?.value) return renew.value;
      }
      return undefined;
    },
    async start() {
      bot = createBot({ config, logger: quietLogger(), redisUrl: ctx.redisUrl, slackRetries: 0 });
      await bot.start();
    },
    async stop() {
      await bot?.stop();
    },
  };
};
