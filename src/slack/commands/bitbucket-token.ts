import {
  buildCommandBusyMessage,
  buildHelpMessage,
  buildScopeAdviceMessage,
  buildScopesUsage,
  buildSecretWarning,
} from '../../blocks/messages.js';
import { adviseOperations, splitOperationCalls } from '../../domain/scope-advisor.js';
import { buildTokenListMessage } from '../../blocks/inventory.js';
import { todayIn } from '../../domain/dates.js';
import { rankTokens } from '../../domain/inventory.js';
import { openRecordModal, openRequestModal } from '../../slack-api/modals.js';
import { USER_TOKENS_MAX } from '../../slack-api/home.js';
import { slashCommandSchema } from '../kit/payloads.js';
import { createReply } from '../kit/respond.js';
import { openOrSayBusy } from '../kit/trigger-age.js';
import { readCommandText } from '../kit/command-text.js';
import { assessForModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';
import type { CommandArgs } from '../kit/args.js';

/**
 * `/bitbucket-token [help | list | record | scopes <calls> | integration]`. Acks at once and opens any
 * modal before other I/O: the trigger_id dies 3 s after Slack sends it. A command that reaches
 * us too late for that (overload) is answered "busy, try again" through its response_url
 * instead of a views.open Slack would refuse (kit/trigger-age.ts).
 */
export function createTokenCommandHandler(
  deps: Pick<Services, 'users' | 'tokens' | 'config' | 'approvers' | 'logger' | 'clock' | 'wallClock' | 'modalClient'>,
) {
  return async ({ command, ack, respond, context }: CommandArgs): Promise<void> => {
    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      await ack();
      return;
    }
    const { text, trigger_id, user_id, channel_id, response_url } = parsed.data;
    const arg = text.trim();
    const intent = readCommandText(arg);
    if (intent.kind === 'secret') {
      await ack({ response_type: 'ephemeral', ...buildSecretWarning() });
      return;
    }
    if (intent.kind === 'help') {
      await ack({ response_type: 'ephemeral', ...buildHelpMessage() });
      return;
    }
    if (intent.kind === 'scopes') {
      // Pure and fast (the spec's operations table is in memory): the answer is the ack itself.
      const calls = splitOperationCalls(intent.calls);
      const message = calls.length === 0 ? buildScopesUsage() : buildScopeAdviceMessage(adviseOperations(calls));
      await ack({ response_type: 'ephemeral', ...message });
      return;
    }
    // Past Slack's 3 s, Bolt has already answered the HTTP request itself (its unhandled-request
    // timeout) and this ack fails; the user must still get the modal or the busy message below.
    await ack().catch((err: unknown) => deps.logger.warn({ err }, 'command acked too late: answering through its response_url'));
    const now = new Date(deps.clock.now());
    const openOrBusy = (open: () => Promise<void>) =>
      openOrSayBusy(open, {
        context,
        wallClock: deps.wallClock,
        logger: deps.logger,
        busy: () => createReply(respond, deps.logger)(buildCommandBusyMessage(arg)),
      });
    if (intent.kind === 'record') {
      await openOrBusy(() => openRecordModal(deps.modalClient, trigger_id));
      return;
    }
    if (intent.kind === 'list') {
      // Acked already: the reply goes through response_url, so Redis and users.info may take their time.
      const today = todayIn(await deps.users.timeZoneOf(user_id), now);
      const tokens = await deps.tokens.listByUser(user_id, USER_TOKENS_MAX);
      await createReply(respond, deps.logger)(buildTokenListMessage(rankTokens(tokens, today)));
      return;
    }
    const outcome = await openOrBusy(() =>
      openRequestModal(deps.modalClient, trigger_id, {
        now,
        text: arg,
        channelId: channel_id,
        responseUrl: response_url,
        review: (selection) => assessForModal(deps, selection, now),
      }),
    );
    if (outcome === 'busy') return;
    // Warm the timezone cache so the submission validates dates without waiting on Slack.
    deps.users.timeZoneOf(user_id).catch((err) => deps.logger.debug({ err }, 'timezone warm-up failed'));
  };
}
