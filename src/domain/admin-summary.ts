/**
 * The weekly admin summary: when it is due for an admin, and what it says. Pure: the clock
 * (`now`), the admin's timezone and the inventory are arguments.
 *
 * Each admin gets one summary per ISO week (Monday to Sunday in their own timezone), at the
 * first working time of the week: REMINDER_HOUR on the first of REMINDER_WORKDAYS (Monday
 * with the defaults), the same working hours owners' reminders keep. If the bot was down
 * then, it goes at the next working time of the same week; a week missed entirely is skipped.
 */
import { addDays, todayIn } from './dates.js';
import { rankTokens, summariseOrganisation, type OrgSummary, type TokenStanding } from './inventory.js';
import { isWorkingTime, zonedTime, type ReminderSettings } from './reminders.js';
import type { TokenRecord } from './types.js';

const weekdayOf = (isoDate: string): number => new Date(`${isoDate}T00:00:00Z`).getUTCDay();

/** The ISO 8601 week of a calendar day, e.g. `2027-W01` (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(isoDate: string): string {
  const thursday = addDays(isoDate, 3 - ((weekdayOf(isoDate) + 6) % 7));
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor((Date.parse(`${thursday}T00:00:00Z`) - Date.parse(`${year}-01-01T00:00:00Z`)) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday of the ISO week `isoDate` is in. */
export function weekStart(isoDate: string): string {
  return addDays(isoDate, -((weekdayOf(isoDate) + 6) % 7));
}

/**
 * The ISO week whose summary is due for an admin in `tz` at `now`, or undefined when none is:
 * outside working time, or before the week's first working start.
 */
export function adminSummaryDueWeek(now: number, tz: string, settings: ReminderSettings): string | undefined {
  if (!isWorkingTime(now, tz, settings)) return undefined;
  const today = todayIn(tz, new Date(now));
  const monday = weekStart(today);
  for (let i = 0; i < 7; i++) {
    const day = addDays(monday, i);
    if (!settings.workdays.includes(weekdayOf(day))) continue;
    return now >= zonedTime(day, settings.hour, tz) ? isoWeek(today) : undefined;
  }
  return undefined;
}

export interface AdminSummary {
  /** ISO week, e.g. 2027-W01. */
  week: string;
  /** Expiring in the next 30 days, owners gone, counts by riskiest scope (as on the admin Home). */
  org: OrgSummary;
  /** Live tokens nobody shares with the owner (no co-owner), soonest expiry first. */
  withoutCoOwner: TokenStanding[];
}

/** What the summary says about `tokens`, seen on the admin's `today`. */
export function summariseForAdmin(
  tokens: readonly TokenRecord[],
  today: string,
  goneOwnerIds: ReadonlySet<string>,
  week: string,
  partial = false,
): AdminSummary {
  return {
    week,
    org: summariseOrganisation(tokens, today, goneOwnerIds, partial),
    withoutCoOwner: rankTokens(tokens, today).filter((s) => s.status !== 'expired' && !s.token.coOwners?.length),
  };
}
