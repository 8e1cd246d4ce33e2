import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRotatedModal } from '../../blocks/reminders.js';
import { defaultExpiry } from '../../domain/validation.js';
import { readReminderPress } from '../kit/reminder-press.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** Already rotated: asks for the new expiry date (see views/rotated-submit.ts). */
export function createReminderRotatedHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const press = await readReminderPress(deps, body, respond, { what: 'update this token' });
    if (!press?.triggerId) return;
    const view = buildRotatedModal(press.token, defaultExpiry('UTC', new Date()), { tokenId: press.token.id, channel: press.channel, ts: press.ts });
    await client.views.open({ trigger_id: press.triggerId, view: view as never });
  };
}
