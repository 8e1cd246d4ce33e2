import type { Redis } from 'ioredis';
import { addDays, todayIn, zonedHour } from '../domain/dates.js';
import { dueTime, EXPIRED, planReminders, type ReminderSettings } from '../domain/reminders.js';
import { JOB, type JobQueue } from '../jobs/queue.js';
import { decode, tokenSchema } from '../store/schemas.js';
import type { TravelClock } from './clock.js';

/** Where a time-travel control moves the sandbox's clock to. */
export type Jump = { kind: 'hours'; hours: number } | { kind: 'next-morning'; tz: string; hour: number } | { kind: 'next-reminder' };

export interface TravelDeps {
  clock: TravelClock;
  jobs: JobQueue;
  redis: Redis;
  /** The reminder schedule's key (store/keys.ts remindersDue) and a token record's key. */
  remindersDueKey: string;
  tokenKey: (id: string) => string;
  reminders: ReminderSettings;
  /** An owner's time zone (the personas'), UTC for anyone else. */
  timeZoneOf: (userId: string) => string;
}

/** Tokens looked at when finding the next reminder (the sandbox holds a handful). */
const NEXT_REMINDER_SCAN = 500;

/** When the earliest reminder still ahead of `now` is due, over every token in the schedule. */
async function nextReminderAt(deps: TravelDeps, now: number): Promise<number | undefined> {
  const ids = await deps.redis.zrange(deps.remindersDueKey, '0', String(NEXT_REMINDER_SCAN - 1));
  const raws = ids.length > 0 ? await deps.redis.mget(...ids.map(deps.tokenKey)) : [];
  let next: number | undefined;
  for (const raw of raws) {
    // Through the store's schema: records are kept in a compact shape (store/token-shape.ts).
    const token = decode(tokenSchema, raw);
    if (!token) continue;
    const tz = deps.timeZoneOf(token.ownerId);
    const candidates = [
      ...planReminders(token, deps.reminders, tz).map((r) => dueTime(token.expiresOn, r.daysBefore, deps.reminders, tz)),
      ...(token.reminder?.last === EXPIRED ? [] : [dueTime(token.expiresOn, EXPIRED, deps.reminders, tz)]),
      ...(token.reminder?.snoozedUntil ? [token.reminder.snoozedUntil] : []),
    ];
    for (const at of candidates) if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}

let sweepSeq = 0;

/** The instant a jump leads to, or a sentence saying why there is nowhere to go. */
export async function jumpTarget(deps: TravelDeps, jump: Jump): Promise<number | string> {
  const now = deps.clock.now();
  if (jump.kind === 'hours') return now + jump.hours * 3_600_000;
  if (jump.kind === 'next-morning') {
    return zonedHour(addDays(todayIn(jump.tz, new Date(now)), 1), jump.hour, jump.tz);
  }
  return (await nextReminderAt(deps, now)) ?? 'No reminder is scheduled after the sandbox time: record a token first.';
}

/**
 * Moves the sandbox's clock to `at`, then lets the bot see it at once: delayed jobs due by the
 * new time (approval nudge and expiry) are promoted, and a reminder sweep runs now rather than
 * at its next tick. The sweep claims due reminders atomically, so an extra one sends nothing twice.
 */
export async function travelTo(deps: TravelDeps, at: number): Promise<{ promoted: number }> {
  deps.clock.travelTo(at);
  const now = deps.clock.now();
  let promoted = 0;
  for (const job of await deps.jobs.queue.getDelayed()) {
    // The scheduler's own next sweep keeps its rhythm; the extra sweep below stands in for it.
    if (job.name === JOB.reminderSweep) continue;
    const due = deps.clock.sandboxTimeAt(job.timestamp) + (job.delay ?? 0);
    if (due > now) continue;
    await job.promote().then(
      () => (promoted += 1),
      () => undefined, // already promoted or done meanwhile
    );
  }
  sweepSeq += 1;
  await deps.jobs.enqueue(JOB.reminderSweep, {}, { jobId: `sandbox-sweep-${Date.now()}-${sweepSeq}`, removeOnComplete: true, attempts: 1 });
  return { promoted };
}
