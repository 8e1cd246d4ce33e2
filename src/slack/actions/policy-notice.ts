import { blockActionSchema } from '../kit/payloads.js';
import { readModalMetadata, readRequestState } from '../kit/request-state.js';
import { rebuildRequestModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/**
 * Changing the expiry or the scopes re-renders the modal with an up-to-date policy notice.
 * The revision stays the same, so Slack keeps everything the user typed or picked.
 */
export function createPolicyRefreshHandler(deps: Pick<Services, 'config' | 'approvers' | 'logger' | 'clock'>) {
  return async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.view) return;
    const { view } = parsed.data;
    const { raw } = readRequestState(view.state.values);
    const updated = rebuildRequestModal(deps, raw, readModalMetadata(view.private_metadata), new Date(deps.clock.now()));
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: updated });
    } catch (err) {
      // hash_conflict: a newer change is on its way and will render its own notice.
      deps.logger.info({ err }, 'views.update for policy notice skipped');
    }
  };
}
