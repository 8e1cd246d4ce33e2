import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { formatLocalTime, snoozeUntil } from '../../domain/reminders.js';
import { readReminderPress, showAnswer } from '../kit/reminder-press.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** Snooze: remind again one working day later (at most until the expiry day). */
export function createReminderSnoozeHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const press = await readReminderPress(deps, body, respond, { what: 'snooze this token' });
    if (!press) return;
    const now = Date.now();
    const tz = await deps.users.timeZoneOf(press.userId);
    const until = snoozeUntil(press.token.expiresOn, deps.config.reminders, tz, now);
    const result = await deps.tokens.update(press.token.id, (t) =>
      // Already snoozed until then: a double click or a redelivery, not a second snooze.
      t.status !== 'active' || t.reminder?.snoozedUntil === until
        ? undefined
        : {
            next: { ...t, reminder: { ...t.reminder, snoozedUntil: until } },
            ops: [deps.tokens.scheduleOp(t.id, until)],
            event: { at: now, type: 'snoozed', by: press.userId, detail: new Date(until).toISOString() },
          },
    );
    if (!result?.changed) return;
    await showAnswer(deps, client, press, `:zzz: Snoozed: I will remind you again on ${formatLocalTime(until, tz)}.`);
  };
}
