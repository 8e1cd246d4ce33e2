import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { blockActionSchema } from '../kit/payloads.js';
import { openRecordModal, openRequestModal } from '../../slack-api/modals.js';
import { assessForModal } from './policy-notice.js';
import type { Deps } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/**
 * The App Home buttons. Anyone may press them on their own Home, so there is no owner to
 * check; each opens its modal at once (the trigger_id lives 3 s).
 */
function createOpenModalHandler(deps: Deps, open: (args: Args, triggerId: string) => Promise<void>) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const parsed = blockActionSchema.safeParse(args.body);
    const triggerId = parsed.success ? parsed.data.trigger_id : undefined;
    if (!triggerId) {
      deps.logger.warn('App Home button without a trigger_id');
      return;
    }
    await open(args, triggerId);
  };
}

export const createHomeNewRequestHandler = (deps: Deps) =>
  createOpenModalHandler(deps, ({ client }, triggerId) => openRequestModal(client, triggerId, { review: (selection) => assessForModal(deps, selection, new Date()) }));

export const createHomeRecordExistingHandler = (deps: Deps) =>
  createOpenModalHandler(deps, ({ client }, triggerId) => openRecordModal(client, triggerId));
