import type { WebClient } from '@slack/web-api';
import { buildBusyMessage } from '../../blocks/messages.js';
import { blockActionSchema } from '../kit/payloads.js';
import { openOrSayBusy } from '../kit/trigger-age.js';
import { openRecordModal, openRequestModal } from '../../slack-api/modals.js';
import { assessForModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/**
 * The App Home buttons. Anyone may press them on their own Home, so there is no owner to
 * check; each opens its modal at once (the trigger_id lives 3 s). A press that comes too late
 * for that (overload) has no response_url to answer through: the presser gets a "busy" DM.
 */
function createOpenModalHandler(
  deps: Pick<Services, 'logger' | 'wallClock' | 'modalClient'>,
  open: (client: WebClient, triggerId: string) => Promise<void>,
) {
  return async ({ ack, body, client, context }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    const triggerId = parsed.success ? parsed.data.trigger_id : undefined;
    if (!triggerId) {
      deps.logger.warn('App Home button without a trigger_id');
      return;
    }
    const userId = parsed.data?.user.id;
    await openOrSayBusy(() => open(deps.modalClient, triggerId), {
      context,
      wallClock: deps.wallClock,
      logger: deps.logger,
      busy: async () => {
        if (!userId) return;
        await client.chat
          .postMessage({ channel: userId, ...buildBusyMessage() })
          .catch((err: unknown) => deps.logger.warn({ err }, 'could not send the busy message'));
      },
    });
  };
}

export const createHomeNewRequestHandler = (
  deps: Pick<Services, 'logger' | 'clock' | 'wallClock' | 'config' | 'approvers' | 'modalClient'>,
) =>
  createOpenModalHandler(deps, (client, triggerId) => {
    const now = new Date(deps.clock.now());
    return openRequestModal(client, triggerId, { now, review: (selection) => assessForModal(deps, selection, now) });
  });

export const createHomeRecordExistingHandler = (deps: Pick<Services, 'logger' | 'wallClock' | 'modalClient'>) =>
  createOpenModalHandler(deps, openRecordModal);
