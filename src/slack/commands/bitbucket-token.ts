import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { buildHelpMessage, buildSecretWarning } from '../../blocks/messages.js';
import { buildTokenListMessage } from '../../blocks/inventory.js';
import { containsSecret } from '../../domain/secrets.js';
import { todayIn } from '../../domain/dates.js';
import { rankTokens } from '../../domain/inventory.js';
import { slashCommandSchema } from '../kit/payloads.js';
import { openRecordModal, openRequestModal } from '../../slack-api/modals.js';
import { respondEphemeral } from '../../slack-api/checklist.js';
import { USER_TOKENS_MAX } from '../../slack-api/home.js';
import { assessForModal } from '../actions/policy-notice.js';
import type { Deps } from '../kit/services.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/bitbucket-token [help | list | record | integration]`. Acks at once and opens any
 * modal before other I/O: the trigger_id dies 3 s after Slack sends it.
 */
export function createTokenCommandHandler(deps: Deps) {
  return async ({ command, ack, client, logger, respond }: Args): Promise<void> => {
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
    if (/^record$/i.test(arg)) {
      await openRecordModal(client, trigger_id);
      return;
    }
    if (/^list$/i.test(arg)) {
      // Acked already: the reply goes through response_url, so Redis and users.info may take their time.
      const today = todayIn(await deps.users.timeZoneOf(user_id), new Date());
      const tokens = await deps.tokens.listByUser(user_id, USER_TOKENS_MAX);
      await respondEphemeral(respond as never, buildTokenListMessage(rankTokens(tokens, today)), deps.logger);
      return;
    }
    await openRequestModal(client, trigger_id, { text: arg, channelId: channel_id, responseUrl: response_url, review: (selection) => assessForModal(deps, selection, new Date()) });
    // Warm the timezone cache so the submission validates dates without waiting on Slack.
    deps.users.timeZoneOf(user_id).catch((err) => logger.debug(err));
  };
}
