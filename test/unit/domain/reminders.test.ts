import { describe, expect, it } from 'vitest';
import {
  EXPIRED,
  decideReminder,
  dueTime,
  isWorkingTime,
  listThresholds,
  nextWorkingStart,
  planReminders,
  sendDate,
  snoozeUntil,
  type ReminderSettings,
  type ScheduledToken,
} from '../../../src/domain/reminders.js';

// 2026-02-27 is a Friday; 28 Feb / 1 Mar the weekend; 2 Mar a Monday.
const settings: ReminderSettings = { days: [30, 14, 7, 1, 0], hour: 10, lastHour: 18, workdays: [1, 2, 3, 4, 5] };
const at = (iso: string) => Date.parse(iso);
const token = (expiresOn: string, createdAt: string, reminder?: ScheduledToken['reminder']): ScheduledToken => ({
  expiresOn,
  createdAt: at(createdAt),
  ...(reminder ? { reminder } : {}),
});

describe('schedule maths', () => {
  it('lists thresholds most distant first, ending with the expired notice', () => {
    expect(listThresholds([0, 7, 30, 7, 1, 14])).toEqual([30, 14, 7, 1, 0, EXPIRED]);
  });

  it('moves weekend reminders to the Friday before, and the expired notice to the Monday after', () => {
    expect(sendDate('2026-03-02', 1, settings.workdays)).toBe('2026-02-27'); // Sunday -> Friday
    expect(sendDate('2026-03-01', 0, settings.workdays)).toBe('2026-02-27'); // Sunday expiry day -> Friday
    expect(sendDate('2026-03-02', 0, settings.workdays)).toBe('2026-03-02');
    expect(sendDate('2026-02-27', EXPIRED, settings.workdays)).toBe('2026-03-02'); // Saturday -> Monday
    expect(sendDate('2026-03-01', 1, [0, 1, 2, 3, 4, 5, 6])).toBe('2026-02-28');
  });

  it("sends at REMINDER_HOUR in the owner's timezone", () => {
    // 7 days before Mon 9 Mar is Mon 2 Mar: 10:00 in Auckland (UTC+13) and in Los Angeles (UTC-8).
    expect(new Date(dueTime('2026-03-09', 7, settings, 'Pacific/Auckland')).toISOString()).toBe('2026-03-01T21:00:00.000Z');
    expect(new Date(dueTime('2026-03-09', 7, settings, 'America/Los_Angeles')).toISOString()).toBe('2026-03-02T18:00:00.000Z');
    expect(new Date(dueTime('2026-03-09', 7, settings, 'Not/AZone')).toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });

  it('knows working time per zone', () => {
    const now = at('2026-02-27T22:00:00Z'); // Sat 11:00 in Auckland, Fri 14:00 in Los Angeles
    expect(isWorkingTime(now, 'Pacific/Auckland', settings)).toBe(false);
    expect(isWorkingTime(now, 'America/Los_Angeles', settings)).toBe(true);
    expect(new Date(nextWorkingStart(now, 'Pacific/Auckland', settings)).toISOString()).toBe('2026-03-01T21:00:00.000Z'); // Mon 10:00 NZDT
  });
});

describe('decideReminder', () => {
  const t = token('2026-03-09', '2026-01-01T00:00:00Z', { last: 14 });

  it('waits for the next threshold, then sends it', () => {
    const due = at('2026-03-02T10:00:00Z');
    expect(decideReminder(t, settings, 'UTC', due - 1)).toEqual({ kind: 'wait', at: due });
    expect(decideReminder(t, settings, 'UTC', due)).toEqual({ kind: 'send', threshold: 7, repeat: false, skipped: [] });
  });

  it('skips thresholds already past when the token was recorded', () => {
    const fresh = token('2026-03-09', '2026-02-25T12:00:00Z'); // 30 and 14 days before are past
    expect(decideReminder(fresh, settings, 'UTC', at('2026-02-25T12:00:01Z'))).toEqual({ kind: 'wait', at: at('2026-03-02T10:00:00Z') });
    expect(planReminders(fresh, settings, 'UTC').map((p) => p.daysBefore)).toEqual([7, 1, 0]);
  });

  it('a threshold due on the recording day goes out at once', () => {
    const today = token('2026-03-09', '2026-03-02T11:00:00Z');
    expect(decideReminder(today, settings, 'UTC', at('2026-03-02T11:00:01Z'))).toMatchObject({ kind: 'send', threshold: 7 });
  });

  it('catches up with only the most urgent overdue threshold', () => {
    const d = decideReminder(t, settings, 'UTC', at('2026-03-09T12:00:00Z'));
    expect(d).toEqual({ kind: 'send', threshold: 0, repeat: false, skipped: [7, 1] });
  });

  it('holds overdue reminders outside working hours and on weekends', () => {
    expect(decideReminder(t, settings, 'UTC', at('2026-03-02T19:00:00Z'))).toEqual({ kind: 'wait', at: at('2026-03-03T10:00:00Z') });
    const saturday = decideReminder(token('2026-03-02', '2026-01-01T00:00:00Z', { last: 1 }), settings, 'UTC', at('2026-03-07T12:00:00Z'));
    expect(saturday).toEqual({ kind: 'wait', at: at('2026-03-09T10:00:00Z') });
  });

  it('sends the expired notice the day after, then is done', () => {
    const expiring = token('2026-03-03', '2026-01-01T00:00:00Z', { last: 0 });
    expect(decideReminder(expiring, settings, 'UTC', at('2026-03-04T10:00:00Z'))).toMatchObject({ kind: 'send', threshold: EXPIRED });
    expect(decideReminder({ ...expiring, reminder: { last: EXPIRED } }, settings, 'UTC', at('2026-03-05T10:00:00Z'))).toEqual({
      kind: 'done',
    });
  });

  it('decides per owner timezone at one instant', () => {
    const now = at('2026-03-01T21:00:00Z'); // Mon 10:00 in Auckland, Sun 13:00 in Los Angeles
    expect(decideReminder(t, settings, 'Pacific/Auckland', now)).toMatchObject({ kind: 'send', threshold: 7 });
    expect(decideReminder(t, settings, 'America/Los_Angeles', now)).toEqual({ kind: 'wait', at: at('2026-03-02T18:00:00Z') });
  });
});

describe('snooze', () => {
  it('snoozes one working day, over weekends, at most until the expiry day', () => {
    expect(new Date(snoozeUntil('2026-03-20', settings, 'UTC', at('2026-02-27T11:00:00Z'))).toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(new Date(snoozeUntil('2026-03-20', settings, 'UTC', at('2026-03-03T08:00:00Z'))).toISOString()).toBe('2026-03-04T10:00:00.000Z');
    expect(new Date(snoozeUntil('2026-03-02', settings, 'UTC', at('2026-03-02T08:00:00Z'))).toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });

  it('holds every reminder until then, then reminds again', () => {
    const until = at('2026-03-03T10:00:00Z');
    const snoozed = token('2026-03-09', '2026-01-01T00:00:00Z', { last: 7, snoozedUntil: until });
    expect(decideReminder(snoozed, settings, 'UTC', until - 1)).toEqual({ kind: 'wait', at: until });
    expect(decideReminder(snoozed, settings, 'UTC', until)).toEqual({ kind: 'send', threshold: 7, repeat: true, skipped: [] });
    // A threshold falling inside the snooze is delayed to its end, and sent instead of the repeat.
    expect(
      decideReminder(
        { ...snoozed, reminder: { last: 7, snoozedUntil: at('2026-03-08T10:00:00Z') } },
        settings,
        'UTC',
        at('2026-03-09T10:00:00Z'),
      ),
    ).toEqual({ kind: 'send', threshold: 0, repeat: false, skipped: [1] });
  });
});
