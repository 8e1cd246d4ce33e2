import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { buildRequestModal } from '../../blocks/request-modal.js';
import { CUSTOM_PRESET_ID, findPreset, suggestTokenName } from '../../domain/presets.js';
import { isIsoDate } from '../../domain/dates.js';
import { defaultExpiry } from '../../domain/validation.js';
import { isKnownScope } from '../../domain/scopes.js';
import { redactSecrets } from '../../domain/secrets.js';
import { blockActionSchema } from '../kit/payloads.js';
import { readModalMetadata, readRequestState } from '../kit/request-state.js';
import { assessForModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';

type Args = SlackActionMiddlewareArgs & AllMiddlewareArgs;

/** Choosing an integration preset re-renders the modal with its scopes and a suggested name. */
export function createPresetSelectHandler(deps: Pick<Services, 'config' | 'approvers' | 'logger' | 'clock'>) {
  return async ({ ack, body, client }: Args): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.view) return;
    const { view, actions } = parsed.data;
    const preset = findPreset(actions[0]?.selected_option?.value ?? '') ?? findPreset(CUSTOM_PRESET_ID)!;
    const metadata = readModalMetadata(view.private_metadata);
    const { raw } = readRequestState(view.state.values);
    // What the user typed is shown again, but never a pasted token: it would travel back to Slack.
    const keep = (text: string | null | undefined) => (text ? redactSecrets(text) : undefined);
    const isCustom = preset.id === CUSTOM_PRESET_ID;
    const keptScopes = (raw.scopes ?? []).filter((s): s is string => typeof s === 'string' && isKnownScope(s));
    const now = new Date(deps.clock.now());
    const selection = {
      expiresOn: raw.expiresOn && isIsoDate(raw.expiresOn) ? raw.expiresOn : defaultExpiry('UTC', now),
      scopes: isCustom ? keptScopes : preset.scopes,
    };
    const updated = buildRequestModal({
      presetId: preset.id,
      name: isCustom ? keep(raw.name) : suggestTokenName(preset.integration),
      ...selection,
      review: assessForModal(deps, selection, now),
      workspace: keep(raw.workspace),
      purpose: keep(raw.purpose),
      metadata: { ...metadata, revision: metadata.revision + 1 },
    });
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: updated });
    } catch (err) {
      // hash_conflict: the user changed the view again meanwhile; their newer action wins.
      deps.logger.info({ err }, 'views.update for preset skipped');
    }
  };
}
