import { pushAdvisorModal } from '../../slack-api/modals.js';
import { captureRootValues } from '../kit/advisor-state.js';
import { blockActionSchema } from '../kit/payloads.js';
import { readModalMetadata, readRequestState } from '../kit/request-state.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/**
 * "Help me choose scopes" in the request modal: pushes the scope advisor (views.push) at once,
 * the trigger_id lives 3 s. A pushed view's submission does not carry the root view's state, so
 * what the user typed so far (secrets redacted) travels in the advisor's private_metadata,
 * together with the root view's id, to re-render the request modal with the chosen scopes.
 */
export function createAdvisorOpenHandler(deps: Pick<Services, 'logger' | 'modalClient'>) {
  return async ({ ack, body }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.view || !parsed.data.trigger_id) {
      deps.logger.warn('scope advisor button without a view or trigger_id');
      return;
    }
    const { view, user, trigger_id } = parsed.data;
    const root = captureRootValues(readRequestState(view.state.values), readModalMetadata(view.private_metadata));
    try {
      await pushAdvisorModal(deps.modalClient, trigger_id, { rootViewId: view.id, userId: user.id, root });
    } catch (err) {
      deps.logger.warn({ err }, 'could not push the scope advisor');
    }
  };
}
