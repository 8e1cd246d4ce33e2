import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { escapeMrkdwn } from '../../blocks/text.js';
import { readReminderPress, showAnswer } from '../kit/reminder-press.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** No longer needed: marks the token revoked, stops its reminders, and says to revoke it in Atlassian. */
export function createReminderRevokeHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const press = await readReminderPress(deps, body, respond, { what: 'retire this token', orphanOk: true });
    if (!press) return;
    const now = Date.now();
    const result = await deps.tokens.update(press.token.id, (t) =>
      t.status === 'revoked' || t.status === 'rotated'
        ? undefined
        : {
            next: { ...t, status: 'revoked' },
            ops: [deps.tokens.scheduleOp(t.id, undefined)],
            event: { at: now, type: 'revoked', by: press.userId },
          },
    );
    if (!result?.changed) return;
    deps.logger.info({ tokenId: press.token.id, by: press.userId }, 'token marked no longer needed');
    await showAnswer(
      deps,
      client,
      press,
      `:wastebasket: <@${press.userId}> marked *${escapeMrkdwn(press.token.name)}* as no longer needed; its reminders have stopped. ` +
        'Revoke it in Atlassian too: id.atlassian.com → Security → API tokens → Revoke.',
    );
  };
}
