import { describe, expect, it } from 'vitest';
import { adminSummaryDueWeek, isoWeek, summariseForAdmin, weekStart } from '../../../src/domain/admin-summary.js';
import type { TokenRecord } from '../../../src/domain/types.js';

const settings = { days: [30, 14, 7, 1, 0], hour: 10, lastHour: 18, workdays: [1, 2, 3, 4, 5] };

describe('isoWeek', () => {
  it('numbers weeks from the one holding the first Thursday, across year ends', () => {
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2027-01-03')).toBe('2026-W53'); // a Sunday: still the last week of 2026
    expect(isoWeek('2026-12-02')).toBe('2026-W49');
    expect(isoWeek('2024-12-30')).toBe('2025-W01'); // a Monday whose Thursday is in 2025
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(weekStart('2027-01-10')).toBe('2027-01-04');
  });
});

describe('adminSummaryDueWeek', () => {
  it('is due from REMINDER_HOUR on Monday in the admin’s zone, within working hours', () => {
    const ny = 'America/New_York';
    expect(adminSummaryDueWeek(Date.parse('2027-01-03T20:00:00Z'), ny, settings)).toBeUndefined(); // Sunday
    expect(adminSummaryDueWeek(Date.parse('2027-01-04T14:59:00Z'), ny, settings)).toBeUndefined(); // Mon 09:59
    expect(adminSummaryDueWeek(Date.parse('2027-01-04T15:00:00Z'), ny, settings)).toBe('2027-W01'); // Mon 10:00
    expect(adminSummaryDueWeek(Date.parse('2027-01-04T23:30:00Z'), ny, settings)).toBeUndefined(); // Mon 18:30
    expect(adminSummaryDueWeek(Date.parse('2027-01-05T15:00:00Z'), ny, settings)).toBe('2027-W01'); // Tue: catch-up
    expect(adminSummaryDueWeek(Date.parse('2027-01-04T15:00:00Z'), 'Asia/Tokyo', settings)).toBeUndefined(); // Tue 00:00 Tokyo
  });

  it('waits for the first workday of the week when Monday is not one', () => {
    const tueToFri = { ...settings, workdays: [2, 3, 4, 5] };
    expect(adminSummaryDueWeek(Date.parse('2027-01-04T11:00:00Z'), 'UTC', tueToFri)).toBeUndefined();
    expect(adminSummaryDueWeek(Date.parse('2027-01-05T11:00:00Z'), 'UTC', tueToFri)).toBe('2027-W01');
  });
});

describe('summariseForAdmin', () => {
  const token = (over: Partial<TokenRecord>): TokenRecord => ({
    id: 'tabcdefghijklmnop',
    ownerId: 'U1',
    name: 'n',
    scopes: ['read:repository:bitbucket'],
    expiresOn: '2027-02-01',
    createdAt: 0,
    status: 'active',
    ...over,
  });

  it('lists live, unexpired tokens without a co-owner, soonest first', () => {
    const summary = summariseForAdmin(
      [
        token({ name: 'later', expiresOn: '2027-03-01' }),
        token({ name: 'shared', coOwners: ['U2'] }),
        token({ name: 'sooner', expiresOn: '2027-01-20' }),
        token({ name: 'expired', expiresOn: '2027-01-01' }),
        token({ name: 'revoked', status: 'revoked' }),
      ],
      '2027-01-04',
      new Set(),
      '2027-W01',
    );
    expect(summary.withoutCoOwner.map((s) => s.token.name)).toEqual(['sooner', 'later']);
    expect(summary.org.expiringSoon.map((s) => s.token.name)).toEqual(['sooner', 'shared']);
  });
});
