import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { buildRequestModal } from '../../blocks/request-modal.js';
import { buildHelpMessage, buildSecretWarning } from '../../blocks/messages.js';
import { CUSTOM_PRESET_ID, matchPreset, suggestTokenName } from '../../domain/presets.js';
import { containsSecret } from '../../domain/secrets.js';
import { defaultExpiry } from '../../domain/validation.js';
import { slashCommandSchema } from '../payloads.js';
import { assessForModal } from '../approvals/policy-notice.js';
import type { Deps } from '../deps.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/bitbucket-token [help | integration]`. Acks at once and opens the modal before any
 * other I/O: the trigger_id dies 3 s after Slack sends it.
 */
export function createTokenCommandHandler(deps: Deps) {
  return async ({ command, ack, client, logger }: Args): Promise<void> => {
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      await ack();
      return;
    }
    const { text, trigger_id, user_id, channel_id, response_url } = parsed.data;
    const arg = text.trim();
    if (containsSecret(arg)) {
      await ack({ response_type: 'ephemeral', ...buildSecretWarning() });
      return;
    }
    if (/^(help|\?)$/i.test(arg)) {
      await ack({ response_type: 'ephemeral', ...buildHelpMessage() });
      return;
    }
    await ack();
    const preset = arg ? matchPreset(arg) : undefined;
    const now = new Date();
    const initial = { expiresOn: defaultExpiry('UTC', now), scopes: preset?.scopes ?? [] };
    const view = buildRequestModal({
      presetId: preset?.id ?? CUSTOM_PRESET_ID,
      name: preset ? suggestTokenName(preset.integration) : arg ? suggestTokenName(arg) : undefined,
      ...initial,
      review: assessForModal(deps, initial, now),
      metadata: { channelId: channel_id, responseUrl: response_url, revision: 0 },
    });
    await client.views.open({ trigger_id, view: view as never });
    // Warm the timezone cache so the submission validates dates without waiting on Slack.
    deps.users.timeZoneOf(user_id).catch((err) => logger.debug(err));
  };
}
