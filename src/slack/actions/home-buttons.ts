import type { WebClient } from '@slack/web-api';
import { blockActionSchema } from '../kit/payloads.js';
import { openRecordModal, openRequestModal } from '../../slack-api/modals.js';
import { assessForModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/**
 * The App Home buttons. Anyone may press them on their own Home, so there is no owner to
 * check; each opens its modal at once (the trigger_id lives 3 s).
 */
function createOpenModalHandler(deps: Pick<Services, 'logger'>, open: (client: WebClient, triggerId: string) => Promise<void>) {
  return async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    const triggerId = parsed.success ? parsed.data.trigger_id : undefined;
    if (!triggerId) {
      deps.logger.warn('App Home button without a trigger_id');
      return;
    }
    await open(client, triggerId);
  };
}

export const createHomeNewRequestHandler = (deps: Pick<Services, 'logger' | 'clock' | 'config' | 'approvers'>) =>
  createOpenModalHandler(deps, (client, triggerId) => {
    const now = new Date(deps.clock.now());
    return openRequestModal(client, triggerId, { now, review: (selection) => assessForModal(deps, selection, now) });
  });

export const createHomeRecordExistingHandler = (deps: Pick<Services, 'logger'>) => createOpenModalHandler(deps, openRecordModal);
