import { buildRequestModal } from '../../blocks/request-modal.js';
import { buildRotatedModal, buildScopesModal } from '../../blocks/reminders.js';
import { escapeMrkdwn } from '../../blocks/text.js';
import { CUSTOM_PRESET_ID } from '../../domain/presets.js';
import { formatLocalTime, snoozeUntil } from '../../domain/reminders.js';
import { defaultExpiry } from '../../domain/validation.js';
import { createReminderButtonListener, showAnswerEverywhere } from '../kit/reminder-press.js';
import { tokenPeople } from '../../domain/team.js';
import type { Services } from '../kit/services.js';

/*
 * The buttons of a reminder DM (and of the fallback channel's post when the owner has left).
 * Each one is a compare-and-set on the token record: a double click or a redelivery changes
 * nothing twice, and the message shows the answer instead of its buttons.
 */

type ReminderServices = Pick<Services, 'tokens' | 'logger' | 'clock' | 'wallClock' | 'digests' | 'modalClient'>;

/**
 * Renew: opens the request modal pre-filled from the token (normal policy and approval
 * apply). The request carries renewsTokenId, so recording the new token retires this one.
 */
export const createReminderRenewHandler = (deps: ReminderServices) =>
  createReminderButtonListener(deps, { what: 'renew this token' }, async (press) => {
    if (!press.triggerId) return;
    const { record: token } = press;
    const view = buildRequestModal({
      presetId: CUSTOM_PRESET_ID,
      name: token.name,
      expiresOn: defaultExpiry('UTC', new Date(deps.clock.now())),
      scopes: token.scopes,
      workspace: token.workspace,
      purpose: token.purpose,
      places: token.places,
      // The presser renews it: everyone else who answers for the token stays with the new one.
      coOwners: tokenPeople(token).filter((id) => id !== press.userId),
      teamChannelId: token.teamChannelId,
      metadata: { channelId: press.channel, renewsTokenId: token.id, revision: 0 },
    });
    const opened = await press.openModal((trigger, modals) => modals.views.open({ trigger_id: trigger, view }));
    if (!opened) return;
    await showAnswerEverywhere(
      deps,
      press.client,
      press.record,
      press,
      `:arrows_counterclockwise: <@${press.userId}> started a renewal. Reminders for this token stop once the new one is recorded.`,
    );
  });

/** Already rotated: asks for the new expiry date (see views/rotated-submit.ts). */
export const createReminderRotatedHandler = (deps: ReminderServices) =>
  createReminderButtonListener(deps, { what: 'update this token' }, async (press) => {
    if (!press.triggerId) return;
    const { record: token } = press;
    const view = buildRotatedModal(token, defaultExpiry('UTC', new Date(deps.clock.now())), {
      tokenId: token.id,
      channel: press.channel,
      ts: press.ts,
    });
    await press.openModal((trigger, modals) => modals.views.open({ trigger_id: trigger, view }));
  });

/** No longer needed: marks the token revoked, stops its reminders, and says to revoke it in Atlassian. */
export const createReminderRevokeHandler = (deps: ReminderServices) =>
  createReminderButtonListener(deps, { what: 'retire this token', orphanOk: true }, async (press) => {
    const now = deps.clock.now();
    const result = await deps.tokens.update(press.record.id, (t) =>
      t.status === 'revoked' || t.status === 'rotated'
        ? undefined
        : {
            next: { ...t, status: 'revoked' },
            ops: [deps.tokens.scheduleOp(t.id, undefined)],
            event: { at: now, type: 'revoked', by: press.userId },
          },
    );
    if (!result?.changed) return;
    deps.logger.info({ tokenId: press.record.id, by: press.userId }, 'token marked no longer needed');
    await showAnswerEverywhere(
      deps,
      press.client,
      press.record,
      press,
      `:wastebasket: <@${press.userId}> marked *${escapeMrkdwn(press.record.name)}* as no longer needed; its reminders have stopped. ` +
        'Revoke it in Atlassian too: id.atlassian.com → Security → API tokens → Revoke.',
    );
  });

/** Snooze: remind again one working day later (at most until the expiry day). */
export const createReminderSnoozeHandler = (deps: ReminderServices & Pick<Services, 'users' | 'config'>) =>
  createReminderButtonListener(deps, { what: 'snooze this token' }, async (press) => {
    const now = deps.clock.now();
    const tz = await deps.users.timeZoneOf(press.userId);
    const until = snoozeUntil(press.record.expiresOn, deps.config.reminders, tz, now);
    const result = await deps.tokens.update(press.record.id, (t) =>
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
    await showAnswerEverywhere(
      deps,
      press.client,
      press.record,
      press,
      `:zzz: <@${press.userId}> snoozed this reminder: the next one comes on ${formatLocalTime(until, tz)} (${tz}).`,
    );
  });

/** Adopt (fallback channel): the presser becomes the owner of a token whose owner has left. */
export const createReminderAdoptHandler = (deps: ReminderServices) =>
  createReminderButtonListener(deps, { what: 'adopt this token', orphanOk: true }, async (press) => {
    const now = deps.clock.now();
    const result = await deps.tokens.update(press.record.id, (t) => {
      if (t.reminder?.orphanedAt === undefined || t.ownerId === press.userId) return undefined;
      const { orphanedAt: _gone, ...reminder } = t.reminder;
      return {
        next: { ...t, ownerId: press.userId, reminder },
        // The new owner's timezone decides the next reminder: look at it at the next sweep.
        ops: [deps.tokens.scheduleOp(t.id, t.status === 'active' ? now : undefined)],
        event: { at: now, type: 'adopted', by: press.userId, detail: `from ${t.ownerId}` },
      };
    });
    if (!result?.changed) return;
    deps.logger.info({ tokenId: press.record.id, by: press.userId }, 'token adopted');
    await showAnswerEverywhere(
      deps,
      press.client,
      press.record,
      press,
      `:handshake: <@${press.userId}> adopted *${escapeMrkdwn(press.record.name)}* and gets its reminders from now on.`,
    );
  });

/**
 * Say its scopes (a token found by the organization sync, whose scopes Atlassian does not list):
 * opens a modal to pick them (see views/scopes-submit.ts). Optional: reminders work without.
 */
export const createReminderScopesHandler = (deps: ReminderServices) =>
  createReminderButtonListener(deps, { what: 'say the scopes of this token' }, async (press) => {
    if (!press.triggerId) return;
    const view = buildScopesModal(press.record, { tokenId: press.record.id, channel: press.channel, ts: press.ts });
    await press.openModal((trigger, modals) => modals.views.open({ trigger_id: trigger, view }));
  });
