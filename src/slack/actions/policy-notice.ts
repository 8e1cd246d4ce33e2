import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isIsoDate } from '../../domain/dates.js';
import { isKnownScope } from '../../domain/scopes.js';
import { redactSecrets } from '../../domain/secrets.js';
import { defaultExpiry } from '../../domain/validation.js';
import { buildRequestModal } from '../../blocks/request-modal.js';
import { blockActionSchema } from '../kit/payloads.js';
import { readModalMetadata, readRequestState } from '../kit/request-state.js';
import { assessForModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';

/**
 * Changing the expiry or the scopes re-renders the modal with an up-to-date policy notice.
 * The revision stays the same, so Slack keeps everything the user typed or picked.
 */
export function createPolicyRefreshHandler(deps: Pick<Services, 'config' | 'approvers' | 'logger' | 'clock'>) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.view) return;
    const { view } = parsed.data;
    const { raw } = readRequestState(view.state.values);
    const now = new Date(deps.clock.now());
    const values = {
      presetId: raw.presetId ?? 'custom',
      // Shown again, but never a pasted token: it would travel back to Slack.
      name: raw.name ? redactSecrets(raw.name) : undefined,
      expiresOn: raw.expiresOn && isIsoDate(raw.expiresOn) ? raw.expiresOn : defaultExpiry('UTC', now),
      scopes: (raw.scopes ?? []).filter((s): s is string => typeof s === 'string' && isKnownScope(s)),
      workspace: raw.workspace ? redactSecrets(raw.workspace) : undefined,
      purpose: raw.purpose ? redactSecrets(raw.purpose) : undefined,
    };
    const updated = buildRequestModal({
      ...values,
      review: assessForModal(deps, values, now),
      metadata: readModalMetadata(view.private_metadata),
    });
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: updated });
    } catch (err) {
      // hash_conflict: a newer change is on its way and will render its own notice.
      deps.logger.info({ err }, 'views.update for policy notice skipped');
    }
  };
}
