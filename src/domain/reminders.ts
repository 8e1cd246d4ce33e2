import { addDays } from './dates.js';

/** One planned reminder: `daysBefore` the expiry (0 = the expiry day), on `date`. */
export interface PlannedReminder {
  daysBefore: number;
  /** YYYY-MM-DD in the owner's timezone. */
  date: string;
}

/**
 * The reminders still ahead for a token expiring on `expiresOn`, given the owner's
 * `today`: thresholds that had already passed are skipped. Most distant first.
 */
export function planReminders(expiresOn: string, days: readonly number[], today: string): PlannedReminder[] {
  return [...new Set(days)]
    .sort((a, b) => b - a)
    .map((daysBefore) => ({ daysBefore, date: addDays(expiresOn, -daysBefore) }))
    .filter((r) => r.date >= today);
}
