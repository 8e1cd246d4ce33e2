import { advisorGroupBlockId } from '../../blocks/advisor-modal.js';
import { adviseScopes } from '../../domain/capabilities.js';
import { readAdvisorMetadata, readSelectedCapabilities } from '../kit/advisor-state.js';
import { viewSubmissionSchema } from '../kit/payloads.js';
import { rebuildRequestModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';
import type { ViewArgs } from '../kit/args.js';

/** Errors are shown next to the first group of capabilities. */
const FIRST_GROUP = advisorGroupBlockId(0);

/**
 * "Use these scopes" in the scope advisor (a view pushed on the request modal).
 *
 * Slack's `response_action: update` would replace the advisor itself, not the request modal
 * below it; views.update may target any view in the stack by id. So the request modal (the
 * root view, its id carried in the advisor's metadata) is re-rendered with exactly the advised
 * scopes and the values the user had typed, its revision bumped so Slack shows the new
 * selection; then a plain ack closes the advisor and the user is back on the updated form.
 * The update precedes the ack (quick client) so a failure is said next to the checkboxes
 * instead of returning the user to an unchanged form.
 */
export function createAdvisorSubmitHandler(deps: Pick<Services, 'config' | 'approvers' | 'quickClient' | 'logger' | 'clock'>) {
  return async ({ ack, body }: ViewArgs): Promise<void> => {
    const refuse = (message: string) => ack({ response_action: 'errors', errors: { [FIRST_GROUP]: message } });
    const parsed = viewSubmissionSchema.safeParse(body);
    const metadata = parsed.success ? readAdvisorMetadata(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !metadata) {
      await refuse('This form could not be read. Go back and press "Help me choose scopes" again.');
      return;
    }
    const { user, view } = parsed.data;
    // The advisor is the user's own; a root id that disagrees with Slack's view stack is tampering.
    const stackRoot = view.root_view_id && view.root_view_id !== view.id ? view.root_view_id : undefined;
    if (metadata.userId !== user.id || (stackRoot && stackRoot !== metadata.rootViewId)) {
      deps.logger.warn({ userId: user.id }, 'scope advisor submitted by someone else or for another form');
      await refuse('This advisor belongs to another form. Go back and press "Help me choose scopes" again.');
      return;
    }
    const ids = readSelectedCapabilities(view.state.values);
    if (ids.length === 0) {
      await refuse('Tick at least one thing the token will do, or press Back.');
      return;
    }
    const scopes = adviseScopes(ids);
    const { root } = metadata;
    // A new revision gives the name and scope blocks new ids: Slack shows their initial values.
    const revised = { ...root.metadata, revision: root.metadata.revision + 1 };
    const updated = rebuildRequestModal(deps, { ...root, scopes }, revised, new Date(deps.clock.now()));
    try {
      // No hash: the advisor covers the request modal, so nothing else can have changed it.
      await deps.quickClient.views.update({ view_id: metadata.rootViewId, view: updated });
    } catch (err) {
      deps.logger.warn({ err }, 'could not put the advised scopes in the request modal');
      await refuse('I could not update your request form just now. Press "Use these scopes" again in a moment.');
      return;
    }
    await ack();
    deps.logger.info({ userId: user.id, capabilities: ids, scopes }, 'advised scopes put in the request modal');
  };
}
