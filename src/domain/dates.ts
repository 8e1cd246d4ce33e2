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
  // UTC (the request modal's "today", and many users') needs no formatter at all.
  if (timeZone === 'UTC') {
    const year = now.getUTCFullYear();
    if (year >= 1 && year <= 9999) return now.toISOString().slice(0, 10);
  }
  // Since 1980 every zone's offset is whole minutes (Monrovia's -0:44:30 was the last to go, in
  // 1972), so a zone's day changes only on a UTC minute: the answer for one minute holds for all of it. A submission asks for two zones' "today"
  // twice each (src/slack/views/request-submit.ts), and formatToParts costs more than the rest.
  const minute = Math.floor(now.getTime() / 60_000);
  const known = minute >= WHOLE_MINUTE_OFFSETS_SINCE ? lastDays.get(timeZone) : undefined;
  if (known?.minute === minute) return known.day;
  const formatter = (isValidTimeZone(timeZone) ? dayFormatter(timeZone) : null) ?? dayFormatter('UTC')!;
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(now)) parts[part.type] = part.value;
  const day = `${(parts['year'] ?? '').padStart(4, '0')}-${parts['month']}-${parts['day']}`;
  if (minute >= WHOLE_MINUTE_OFFSETS_SINCE) {
    if (lastDays.size >= DAY_FORMATTER_CAP) lastDays.clear();
    lastDays.set(timeZone, { minute, day });
  }
  return day;
}

/** 1980-01-01T00:00Z in epoch minutes. */
const WHOLE_MINUTE_OFFSETS_SINCE = 5_258_880;
/** Per zone, the day {@link todayIn} answered last and the UTC minute (epoch minutes) it holds for. */
const lastDays = new Map<string, { minute: number; day: string }>();

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

/** Wall-clock fields of an instant in a timezone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/**
 * One wall-clock formatter per zone, as for dayFormatter: dayjs's timezone plugin builds a new
 * formatter on every call, and the reminder schedule asks for local times several times per
 * token (it was the largest item of our own code in the `npm run bench` delivery profile).
 */
const clockFormatters = new Map<string, Intl.DateTimeFormat>();

function clockFormatter(timeZone: string): Intl.DateTimeFormat {
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  let formatter = clockFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (clockFormatters.size >= DAY_FORMATTER_CAP) clockFormatters.clear();
    clockFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock at `at` (epoch ms) in `timeZone`; an invalid zone falls back to UTC. */
export function wallClockIn(timeZone: string, at: number): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const part of clockFormatter(timeZone).formatToParts(at)) {
    if (part.type === 'weekday') clock.weekday = WEEKDAYS.indexOf(part.value as (typeof WEEKDAYS)[number]);
    else if (part.type in clock) clock[part.type as Exclude<keyof WallClock, 'weekday'>] = Number(part.value);
  }
  return clock;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in ms. */
function zoneOffsetMs(timeZone: string, at: number): number {
  const c = wallClockIn(timeZone, at);
  const wall = new Date(0);
  wall.setUTCFullYear(c.year, c.month - 1, c.day);
  wall.setUTCHours(c.hour, c.minute, c.second);
  return wall.getTime() - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * Epoch ms of `hour`:00 on `isoDate` in `timeZone`. In a DST gap (a wall time that does not
 * exist) it reads the time with the offset before the gap (02:00 becomes 03:00), as dayjs does;
 * a wall time that occurs twice (clocks going back) gives the first occurrence, whatever the
 * date today (dayjs picks by today's offset).
 */
export function zonedHour(isoDate: string, hour: number, timeZone: string): number {
  const key = `${isoDate} ${hour} ${timeZone}`;
  let at = zonedHours.get(key);
  if (at === undefined) {
    at = computeZonedHour(isoDate, hour, timeZone);
    if (zonedHours.size >= ZONED_HOURS_CAP) zonedHours.clear();
    zonedHours.set(key, at);
  }
  return at;
}

/**
 * Answers of zonedHour: tokens share few expiry dates and owners few zones, and the schedule
 * asks for the same hours for every token it looks at, so most calls are a lookup.
 */
const zonedHours = new Map<string, number>();
const ZONED_HOURS_CAP = 10_000;

function computeZonedHour(isoDate: string, hour: number, timeZone: string): number {
  const local = toUtcMs(isoDate) + hour * 3_600_000;
  // dayjs's fixOffset: guess with the offset at the local time read as UTC, then correct once.
  const o0 = zoneOffsetMs(timeZone, local);
  let guess = local - o0;
  const o2 = zoneOffsetMs(timeZone, guess);
  if (o2 === o0) return guess;
  guess -= o2 - o0;
  const o3 = zoneOffsetMs(timeZone, guess);
  return o2 === o3 ? guess : local - Math.min(o2, o3);
}
