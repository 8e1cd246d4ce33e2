import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRequestModal } from '../../blocks/request-modal.js';
import { CUSTOM_PRESET_ID } from '../../domain/presets.js';
import { defaultExpiry } from '../../domain/validation.js';
import { readReminderPress, showAnswer } from '../kit/reminder-press.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/**
 * Renew: opens the request modal pre-filled from the token (normal policy and approval
 * apply). The request carries renewsTokenId, so recording the new token retires this one.
 */
export function createReminderRenewHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const press = await readReminderPress(deps, body, respond, { what: 'renew this token' });
    if (!press?.triggerId) return;
    const { token } = press;
    const view = buildRequestModal({
      presetId: CUSTOM_PRESET_ID,
      name: token.name,
      expiresOn: defaultExpiry('UTC', new Date()),
      scopes: token.scopes,
      workspace: token.workspace,
      purpose: token.purpose,
      metadata: { channelId: press.channel, renewsTokenId: token.id, revision: 0 },
    });
    await client.views.open({ trigger_id: press.triggerId, view: view as never });
    await showAnswer(deps, client, press, ':arrows_counterclockwise: Renewal started. Reminders for this token stop once the new one is recorded.');
  };
}
