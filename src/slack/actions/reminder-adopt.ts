import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { escapeMrkdwn } from '../../blocks/text.js';
import { readReminderPress, showAnswer } from '../kit/reminder-press.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** Adopt (fallback channel): the clicker becomes the owner of a token whose owner has left. */
export function createReminderAdoptHandler(deps: Deps) {
  return async ({ ack, body, client, respond }: Args): Promise<void> => {
    await ack();
    const press = await readReminderPress(deps, body, respond, { what: 'adopt this token', orphanOk: true });
    if (!press) return;
    const now = Date.now();
    const result = await deps.tokens.update(press.token.id, (t) => {
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
    deps.logger.info({ tokenId: press.token.id, by: press.userId }, 'token adopted');
    await showAnswer(deps, client, press, `:handshake: <@${press.userId}> adopted *${escapeMrkdwn(press.token.name)}* and gets its reminders from now on.`);
  };
}
