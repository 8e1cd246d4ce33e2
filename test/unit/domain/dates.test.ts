import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  formatLongDate,
  isIsoDate,
  isValidTimeZone,
  todayIn,
  wallClockIn,
  zonedHour,
} from '../../../src/domain/dates.js';

describe('dates', () => {
  // 11:30 UTC on 27 Feb is already 28 Feb 00:30 in Auckland (UTC+13 in summer).
  const now = new Date('2026-02-27T11:30:00Z');

  it('todayIn uses the zone, falling back to UTC', () => {
    expect(todayIn('UTC', now)).toBe('2026-02-27');
    expect(todayIn('Pacific/Auckland', now)).toBe('2026-02-28');
    expect(todayIn('America/Los_Angeles', new Date('2026-03-01T05:00:00Z'))).toBe('2026-02-28');
    expect(todayIn('Not/AZone', now)).toBe('2026-02-27');
    expect(todayIn('', now)).toBe('2026-02-27');
  });

  it("todayIn turns at the zone's midnight, also asked again within the minute before and after", () => {
    // Auckland is UTC+13 in February: its midnight is 11:00 UTC.
    expect(todayIn('Pacific/Auckland', new Date('2026-02-27T10:59:00Z'))).toBe('2026-02-27');
    expect(todayIn('Pacific/Auckland', new Date('2026-02-27T10:59:59.999Z'))).toBe('2026-02-27');
    expect(todayIn('Pacific/Auckland', new Date('2026-02-27T11:00:00Z'))).toBe('2026-02-28');
    expect(todayIn('Pacific/Auckland', new Date('2026-02-27T11:00:59Z'))).toBe('2026-02-28');
    expect(todayIn('Pacific/Auckland', new Date('2026-02-27T10:59:30Z'))).toBe('2026-02-27');
    // Before 1980 some offsets had seconds (Monrovia -0:44:30 until 1972): no shortcut there.
    expect(todayIn('Africa/Monrovia', new Date('1971-06-01T00:44:29Z'))).toBe('1971-05-31');
    expect(todayIn('Africa/Monrovia', new Date('1971-06-01T00:44:31Z'))).toBe('1971-06-01');
  });

  it('validates time zones', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('isIsoDate is strict', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-04-31')).toBe(false);
    expect(isIsoDate('2026-4-1')).toBe(false);
    expect(isIsoDate('2026-04-01T00:00:00Z')).toBe(false);
    expect(isIsoDate(' 2026-04-01')).toBe(false);
    expect(isIsoDate('0000-01-01')).toBe(false);
    expect(isIsoDate(20260401)).toBe(false);
    expect(isIsoDate(null)).toBe(false);
  });

  it('adds days across months, leap years and DST', () => {
    expect(addDays('2026-02-27', 1)).toBe('2026-02-28');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-02-28', 365)).toBe('2027-02-28');
    expect(() => addDays('nope', 1)).toThrow(RangeError);
  });

  it('counts calendar days', () => {
    expect(daysBetween('2026-02-27', '2026-02-27')).toBe(0);
    expect(daysBetween('2026-02-27', '2027-02-27')).toBe(365);
    expect(daysBetween('2026-03-01', '2026-02-27')).toBe(-2);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });

  it('formats long dates', () => {
    expect(formatLongDate('2026-02-27')).toBe('Fri 27 Feb 2026');
    expect(formatLongDate('2027-01-01')).toBe('Fri 1 Jan 2027');
  });

  it('zonedHour gives the instant of a local hour, across DST changes', () => {
    expect(zonedHour('2026-02-27', 10, 'UTC')).toBe(Date.parse('2026-02-27T10:00:00Z'));
    expect(zonedHour('2026-02-28', 0, 'Pacific/Auckland')).toBe(Date.parse('2026-02-27T11:00:00Z'));
    expect(zonedHour('2026-07-01', 10, 'Europe/London')).toBe(Date.parse('2026-07-01T09:00:00Z'));
    expect(zonedHour('2026-03-01', 10, 'Asia/Kathmandu')).toBe(Date.parse('2026-03-01T04:15:00Z'));
    // New York springs forward at 02:00 on 8 Mar 2026: 02:00 does not exist and reads as 03:00 EDT.
    expect(zonedHour('2026-03-08', 2, 'America/New_York')).toBe(Date.parse('2026-03-08T07:00:00Z'));
    expect(zonedHour('2026-03-08', 3, 'America/New_York')).toBe(Date.parse('2026-03-08T07:00:00Z'));
    // It falls back at 02:00 on 1 Nov 2026: 01:00 happens twice; the first one counts.
    expect(zonedHour('2026-11-01', 1, 'America/New_York')).toBe(Date.parse('2026-11-01T05:00:00Z'));
    expect(zonedHour('2026-11-01', 10, 'America/New_York')).toBe(Date.parse('2026-11-01T15:00:00Z'));
    expect(zonedHour('2026-02-27', 10, 'Not/AZone')).toBe(Date.parse('2026-02-27T10:00:00Z'));
  });

  it('wallClockIn reads the local weekday and hour', () => {
    expect(wallClockIn('Pacific/Auckland', now.getTime())).toEqual({
      year: 2026,
      month: 2,
      day: 28,
      hour: 0,
      minute: 30,
      second: 0,
      weekday: 6,
    });
    expect(wallClockIn('America/Los_Angeles', now.getTime())).toMatchObject({ day: 27, hour: 3, weekday: 5 });
    expect(wallClockIn('Not/AZone', now.getTime())).toMatchObject({ day: 27, hour: 11, weekday: 5 });
  });
});
