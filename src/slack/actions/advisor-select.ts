import { buildAdvisorModal } from '../../blocks/advisor-modal.js';
import { readAdvisorMetadata, readSelectedCapabilities } from '../kit/advisor-state.js';
import { blockActionSchema } from '../kit/payloads.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/**
 * Ticking or unticking a capability in the scope advisor re-renders it with the minimal scopes
 * for the new selection (views.update). Block ids stay the same, so Slack keeps every tick.
 */
export function createAdvisorSelectHandler(deps: Pick<Services, 'logger'>) {
  return async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.view) return;
    const { view, user } = parsed.data;
    const metadata = readAdvisorMetadata(view.private_metadata);
    if (!metadata || metadata.userId !== user.id) {
      deps.logger.warn({ userId: user.id }, 'scope advisor action with unreadable metadata or from someone else');
      return;
    }
    const updated = buildAdvisorModal({ selected: readSelectedCapabilities(view.state.values), metadata });
    try {
      await client.views.update({ view_id: view.id, ...(view.hash ? { hash: view.hash } : {}), view: updated });
    } catch (err) {
      // hash_conflict: a newer tick is on its way and renders its own result.
      deps.logger.info({ err }, 'views.update for the scope advisor skipped');
    }
  };
}
