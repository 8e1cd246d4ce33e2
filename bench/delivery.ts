/**
 * Part 3: reminder delivery. `count` reminders due at once against a fake Slack that limits
 * chat.postMessage (429 + Retry-After): time to deliver all, 429s received, duplicates and
 * losses (both must be 0), next to the rate-limit ceiling (the ideal time).
 *
 * What delivers is a ReminderDelivery: the app's scheduler (wired in bench/run.ts) or the
 * reference below, which is @slack/web-api alone posting every message at once and honouring
 * Retry-After (no Redis, no scheduler): the floor a scheduler should come close to.
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../test/support/fake-slack.js';
import { realNow, sleep } from '../test/support/net.js';
import { ratio, round } from './stats.js';

export interface DeliveryContext {
  /** Fake Slack Web API base URL (ends in /api/). */
  slackUrl: string;
  /** Scratch Redis; use `keyPrefix` for every key. */
  redisUrl: string;
  keyPrefix: string;
}

export interface ReminderDelivery {
  /** Makes `count` reminders due now; resolves with the ids of the reminders that must arrive. */
  seedDue(count: number): Promise<string[]>;
  /** The reminder id a chat.postMessage call carries, or undefined when it is not a reminder. */
  reminderIdOf(call: FakeSlackCall): string | undefined;
  /** Starts delivering (e.g. starts the app and its scheduler). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type DeliveryFactory = (ctx: DeliveryContext) => Promise<ReminderDelivery>;

export interface DeliveryOptions {
  name: string;
  count: number;
  /** chat.postMessage calls allowed per window by the fake Slack. */
  limit: number;
  windowMs: number;
  redisUrl: string;
  keyPrefix: string;
  /** Give up waiting after this long (default 5x the ideal time + 30 s). */
  timeoutMs?: number;
  /** After the last reminder arrived, keep watching this long for duplicates (default 2 s). */
  settleMs?: number;
}

export interface DeliveryResult {
  name: string;
  count: number;
  limit: number;
  windowMs: number;
  /** From start() to the last reminder's arrival, ms (to the timeout when some never arrived). */
  deliverMs: number;
  /** What the rate limit allows at best: (ceil(count / limit) - 1) windows. */
  idealMs: number;
  deliverVsIdeal: number;
  rateLimited: number;
  duplicates: number;
  losses: number;
  /** Reminders delivered that were not seeded. */
  unexpected: number;
  timedOut: boolean;
}

/** The best a sender can do against a sliding window of `limit` calls per `windowMs`. */
export function idealDeliveryMs(count: number, limit: number, windowMs: number): number {
  return Math.max(0, Math.ceil(count / limit) - 1) * windowMs;
}

/**
 * Counts delivered reminders as calls arrive. Incremental: it reads only the calls since the
 * last look, so polling it does not steal time from a sender running in this process.
 */
function createTally(slack: FakeSlack, delivery: ReminderDelivery, expected: ReadonlySet<string>) {
  const seen = new Map<string, number>();
  let read = 0;
  let last = 0;
  let delivered = 0;
  let duplicates = 0;
  let unexpected = 0;
  return () => {
    for (; read < slack.calls.length; read++) {
      const call = slack.calls[read]!;
      if (call.method !== 'chat.postMessage' || call.status !== 200 || call.response['ok'] !== true) continue;
      const id = delivery.reminderIdOf(call);
      if (id === undefined) continue;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1) duplicates += 1;
      else if (expected.has(id)) delivered += 1;
      else unexpected += 1;
      last = Math.max(last, call.at);
    }
    return { delivered, duplicates, unexpected, last };
  };
}

export async function measureDelivery(factory: DeliveryFactory, o: DeliveryOptions): Promise<DeliveryResult> {
  const idealMs = idealDeliveryMs(o.count, o.limit, o.windowMs);
  const slack = await startFakeSlack({ rateLimits: { 'chat.postMessage': { limit: o.limit, windowMs: o.windowMs } } });
  const delivery = await factory({ slackUrl: slack.url, redisUrl: o.redisUrl, keyPrefix: o.keyPrefix });
  try {
    const expected = new Set(await delivery.seedDue(o.count));
    if (expected.size !== o.count) throw new Error(`delivery: seeded ${expected.size} distinct reminders, wanted ${o.count}`);
    const timeoutMs = o.timeoutMs ?? idealMs * 5 + 30_000;
    const tally = createTally(slack, delivery, expected);
    const started = realNow();
    await delivery.start();
    let timedOut = false;
    for (;;) {
      await sleep(100);
      if (tally().delivered >= o.count) break;
      if (realNow() - started > timeoutMs) {
        timedOut = true;
        break;
      }
    }
    await sleep(o.settleMs ?? 2000);
    const final = tally();
    const deliverMs = timedOut ? realNow() - started : final.last - started;
    return {
      name: o.name,
      count: o.count,
      limit: o.limit,
      windowMs: o.windowMs,
      deliverMs: round(deliverMs),
      idealMs,
      deliverVsIdeal: ratio(deliverMs, idealMs),
      rateLimited: slack.stats.rateLimited['chat.postMessage'] ?? 0,
      duplicates: final.duplicates,
      losses: o.count - final.delivered,
      unexpected: final.unexpected,
      timedOut,
    };
  } finally {
    await delivery.stop();
    await slack.stop();
  }
}

const REFERENCE_TEXT = /^Reminder (\S+)$/;

/**
 * The reference: one WebClient posts every reminder at once (its default queue of 100 requests
 * in flight) and waits out each 429's Retry-After, as @slack/web-api does by default.
 */
export const referenceDelivery: DeliveryFactory = async (ctx) => {
  const client = new WebClient('xoxb-bench-token', { slackApiUrl: ctx.slackUrl, logLevel: LogLevel.ERROR });
  let ids: string[] = [];
  let sending: Promise<unknown> | undefined;
  return {
    async seedDue(count) {
      ids = Array.from({ length: count }, (_, i) => `r${i}`);
      return ids;
    },
    reminderIdOf(call) {
      const text = call.args['text'];
      return typeof text === 'string' ? REFERENCE_TEXT.exec(text)?.[1] : undefined;
    },
    async start() {
      sending = Promise.allSettled(ids.map((id, i) => client.chat.postMessage({ channel: `U${100000 + i}`, text: `Reminder ${id}` })));
    },
    async stop() {
      await sending;
    },
  };
};
