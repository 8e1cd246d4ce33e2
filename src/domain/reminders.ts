/**
 * Reminder schedule maths. Pure: the clock (`now`) and the owner's timezone are arguments.
 *
 * A token has one reminder per threshold in REMINDER_DAYS (days before its expiry; 0 = the
 * expiry day) plus one "expired" notice the day after. Each goes out at REMINDER_HOUR in the
 * owner's timezone on a workday: a reminder that would fall on a non-workday goes out on the
 * last workday before it (the "expired" notice, which must follow the expiry, on the first
 * workday after). Thresholds already past when the token was recorded are never sent; when
 * several are overdue at once (the bot was down) only the most urgent one is sent.
 */
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { addDays, isValidTimeZone, todayIn, wallClockIn, zonedHour } from './dates.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The threshold of the "expired" notice: the day after the expiry. */
export const EXPIRED = -1;

export interface ReminderSettings {
  /** Days before expiry, any order (0 = the expiry day). */
  days: readonly number[];
  /** Local hour (0-23) reminders go out at. */
  hour: number;
  /** Local hour (1-24) after which an overdue reminder waits for the next workday. */
  lastHour: number;
  /** Workdays, 0 = Sunday … 6 = Saturday. */
  workdays: readonly number[];
}

/** The reminder state kept inside a token record. */
/** Claims left unresolved are kept up to this many (each failed look adds one). */
export const MAX_UNRESOLVED_CLAIMS = 10;

/** Who claimed a reminder's (token, threshold) for delivery, and when. */
export interface ReminderClaim {
  threshold: number;
  at: number;
  by: string;
}

/** One copy of a reminder in Slack: to whom (a user or channel id) and where it is (for chat.update). */
export interface ReminderCopy {
  to: string;
  ch: string;
  ts: string;
  /** A line of the recipient's digest of this local hour (see {@link digestSlot}), not a message of its own. */
  d?: string;
}

/** The local hour a person's digest gathers reminders for: YYYY-MM-DDTHH in `tz`. */
export function digestSlot(now: number, tz: string): string {
  return dayjs(now).tz(zoneOf(tz)).format('YYYY-MM-DDTHH');
}

export interface ReminderState {
  /** The threshold last reminded (EXPIRED for the notice); every more distant one is done. */
  last?: number;
  /** Epoch ms: hold reminders until then, then remind again (Snooze). */
  snoozedUntil?: number;
  /** Epoch ms from which thresholds count (recording, or a new expiry date). */
  from?: number;
  /**
   * A delivery in progress: who claimed which threshold when (the idempotency key), and the
   * earlier claims it took over whose messages may or may not have reached Slack: they are
   * looked for in Slack before anything is sent, until a look succeeds.
   */
  sending?: ReminderClaim & {
    unresolved?: ReminderClaim[];
    /** Recipients this (token, threshold) already reached, each recorded right after its post. */
    sent?: ReminderCopy[];
    /**
     * Nothing is in flight: the delivery stopped on purpose (a co-owner outside their working
     * hours) or after a definite refusal, and `sent` is complete. The next look continues it.
     */
    paused?: boolean;
  };
  /** Where the last reminder went (every copy), so an answer can be shown in each. */
  copies?: ReminderCopy[];
  /** Epoch ms when the owner was found gone and the fallback channel was asked instead. */
  orphanedAt?: number;
}

/** What the schedule needs to know about a token. */
export interface ScheduledToken {
  expiresOn: string;
  createdAt: number;
  reminder?: ReminderState;
}

/** One planned reminder: `daysBefore` the expiry (0 = the expiry day), on `date`. */
export interface PlannedReminder {
  daysBefore: number;
  /** YYYY-MM-DD in the owner's timezone: the day it goes out (workday-adjusted). */
  date: string;
}

const zoneOf = (tz: string) => (isValidTimeZone(tz) ? tz : 'UTC');

/** Every threshold, most distant first, ending with EXPIRED. */
export function listThresholds(days: readonly number[]): number[] {
  return [...new Set(days)]
    .filter((d) => d >= 0)
    .sort((a, b) => b - a)
    .concat(EXPIRED);
}

/** The calendar day a threshold belongs to (expiry minus days; the day after for EXPIRED). */
export function thresholdDate(expiresOn: string, threshold: number): string {
  return addDays(expiresOn, threshold === EXPIRED ? 1 : -threshold);
}

const weekdayOf = (isoDate: string): number => new Date(`${isoDate}T00:00:00Z`).getUTCDay();

/** The day a threshold's reminder goes out: moved off non-workdays (earlier, or later for EXPIRED). */
export function sendDate(expiresOn: string, threshold: number, workdays: readonly number[]): string {
  let date = thresholdDate(expiresOn, threshold);
  if (workdays.length === 0) return date;
  const step = threshold === EXPIRED ? 1 : -1;
  for (let i = 0; i < 7 && !workdays.includes(weekdayOf(date)); i++) date = addDays(date, step);
  return date;
}

/** Epoch ms of `hour`:00 on `isoDate` in `tz`. */
export function zonedTime(isoDate: string, hour: number, tz: string): number {
  return zonedHour(isoDate, hour, zoneOf(tz));
}

/** When a threshold's reminder is due for an owner in `tz`. */
export function dueTime(expiresOn: string, threshold: number, settings: ReminderSettings, tz: string): number {
  return zonedTime(sendDate(expiresOn, threshold, settings.workdays), settings.hour, tz);
}

/** True when `now` is a workday between REMINDER_HOUR and the last hour in `tz`. */
export function isWorkingTime(now: number, tz: string, settings: ReminderSettings): boolean {
  const local = wallClockIn(zoneOf(tz), now);
  return settings.workdays.includes(local.weekday) && local.hour >= settings.hour && local.hour < settings.lastHour;
}

/** The next start of working time (REMINDER_HOUR on a workday) strictly after `now`, in `tz`. */
export function nextWorkingStart(now: number, tz: string, settings: ReminderSettings): number {
  let date = todayIn(zoneOf(tz), new Date(now));
  for (let i = 0; i < 15; i++) {
    const at = zonedTime(date, settings.hour, tz);
    if (at > now && settings.workdays.includes(weekdayOf(date))) return at;
    date = addDays(date, 1);
  }
  return now + 86_400_000;
}

/** The thresholds still to send: not already reminded, and not past when scheduling began. */
function pendingThresholds(token: ScheduledToken, settings: ReminderSettings, tz: string): number[] {
  const from = todayIn(zoneOf(tz), new Date(token.reminder?.from ?? token.createdAt));
  const last = token.reminder?.last;
  return listThresholds(settings.days).filter((t) => (last === undefined || t < last) && thresholdDate(token.expiresOn, t) >= from);
}

export type ReminderDecision =
  /** Nothing due yet: look again at `at`. */
  | { kind: 'wait'; at: number }
  /**
   * Remind now. `threshold` is the most urgent overdue one (or, after a snooze with nothing
   * newly due, the last one again: `repeat`); `skipped` are overdue ones superseded by it.
   */
  | { kind: 'send'; threshold: number; repeat: boolean; skipped: number[] }
  /** Every reminder has been sent. */
  | { kind: 'done' };

/** Decides what to do about a token's reminders at `now`, for an owner in `tz`. */
export function decideReminder(token: ScheduledToken, settings: ReminderSettings, tz: string, now: number): ReminderDecision {
  const pending = pendingThresholds(token, settings, tz);
  const snoozedUntil = token.reminder?.snoozedUntil;
  const repeatable = snoozedUntil !== undefined && token.reminder?.last !== undefined;
  if (pending.length === 0 && !repeatable) return { kind: 'done' };
  const due = pending.filter((t) => dueTime(token.expiresOn, t, settings, tz) <= now);
  const nextDue = pending.length > 0 ? dueTime(token.expiresOn, pending[0]!, settings, tz) : Number.POSITIVE_INFINITY;
  if (snoozedUntil !== undefined && snoozedUntil > now) return { kind: 'wait', at: snoozedUntil };
  if (due.length === 0 && !repeatable) return { kind: 'wait', at: nextDue };
  if (!isWorkingTime(now, tz, settings)) return { kind: 'wait', at: nextWorkingStart(now, tz, settings) };
  if (due.length === 0) return { kind: 'send', threshold: token.reminder!.last!, repeat: true, skipped: [] };
  return { kind: 'send', threshold: due[due.length - 1]!, repeat: false, skipped: due.slice(0, -1) };
}

/**
 * Snooze: one working day later (REMINDER_HOUR on the next workday after today), but at most
 * until the expiry day's reminder time.
 */
export function snoozeUntil(expiresOn: string, settings: ReminderSettings, tz: string, now: number): number {
  const tomorrowStart = zonedTime(addDays(todayIn(zoneOf(tz), new Date(now)), 1), 0, tz);
  const next = nextWorkingStart(Math.max(now, tomorrowStart - 1), tz, settings);
  const cap = zonedTime(expiresOn, settings.hour, tz);
  return cap > now ? Math.min(next, cap) : next;
}

/** Whole days from the owner's today to the expiry (negative once expired). */
export function daysLeft(expiresOn: string, tz: string, now: number): number {
  const today = todayIn(zoneOf(tz), new Date(now));
  return Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** A local date and time such as "Tue 12 May 2026 10:00" in `tz`. */
export function formatLocalTime(at: number, tz: string): string {
  return dayjs(at).tz(zoneOf(tz)).format('ddd D MMM YYYY HH:mm');
}

/** The reminders still ahead for a token (for the "I will remind you on …" line). */
export function planReminders(token: ScheduledToken, settings: ReminderSettings, tz: string): PlannedReminder[] {
  return pendingThresholds(token, settings, tz)
    .filter((t) => t !== EXPIRED)
    .map((daysBefore) => ({ daysBefore, date: sendDate(token.expiresOn, daysBefore, settings.workdays) }));
}
