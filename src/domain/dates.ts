/**
 * Calendar-date helpers. Dates are plain `YYYY-MM-DD` strings (an expiry is a day, not an
 * instant), and "today" depends on the user's Slack timezone, so the clock (`now`) and
 * the zone are always arguments: no hidden Date.now().
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * One day formatter per zone, built on first use. Building an Intl.DateTimeFormat costs far
 * more than formatting with one, and every command and submission asks for "today"
 * (profiled in `npm run bench`). Zones come from a finite IANA list; the cap guards the cache
 * against junk names anyway.
 */
const dayFormatters = new Map<string, Intl.DateTimeFormat | null>();
const DAY_FORMATTER_CAP = 1000;

function dayFormatter(timeZone: string): Intl.DateTimeFormat | null {
  const cached = dayFormatters.get(timeZone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat | null;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    formatter = null;
  }
  if (dayFormatters.size >= DAY_FORMATTER_CAP) dayFormatters.clear();
  dayFormatters.set(timeZone, formatter);
  return formatter;
}

/** True when `timeZone` is an IANA zone name this runtime knows (e.g. "Pacific/Auckland"). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  return dayFormatter(timeZone) !== null;
}

/** The calendar date (YYYY-MM-DD) at `now` in `timeZone`; an invalid zone falls back to UTC. */
export function todayIn(timeZone: string, now: Date): string {
  const formatter = (isValidTimeZone(timeZone) ? dayFormatter(timeZone) : null) ?? dayFormatter('UTC')!;
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(now)) parts[part.type] = part.value;
  return `${(parts['year'] ?? '').padStart(4, '0')}-${parts['month']}-${parts['day']}`;
}

/** True for a strict `YYYY-MM-DD` string naming a real day (no 2026-02-30, no time part). */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one (handles leap years).
  const probe = new Date(0);
  probe.setUTCFullYear(year, month, 0);
  const lastDay = probe.getUTCDate();
  return day <= lastDay;
}

function toUtcMs(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`Not a YYYY-MM-DD date: ${String(isoDate).slice(0, 40)}`);
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getTime();
}

function fromUtcMs(ms: number): string {
  const date = new Date(ms);
  const y = String(date.getUTCFullYear()).padStart(4, '0');
  const m = String(date.getUTCMonth() + 1).padStart(2, '0');
  const d = String(date.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** `isoDate` plus `n` calendar days (n may be negative). Throws RangeError on a bad date. */
export function addDays(isoDate: string, n: number): string {
  // UTC midnights have no DST, so adding whole days of milliseconds is exact.
  return fromUtcMs(toUtcMs(isoDate) + Math.trunc(n) * DAY_MS);
}

/** Calendar days from `fromIso` to `toIso` (negative when `toIso` is earlier). */
export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((toUtcMs(toIso) - toUtcMs(fromIso)) / DAY_MS);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A readable date such as "Fri 27 Feb 2026" (English, no timezone: it is a calendar day). */
export function formatLongDate(isoDate: string): string {
  const date = new Date(toUtcMs(isoDate));
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
