import { CUSTOM_PRESET_ID, findPreset, suggestTokenName } from '../../domain/presets.js';
import { blockActionSchema } from '../kit/payloads.js';
import { readModalMetadata, readRequestState } from '../kit/request-state.js';
import { rebuildRequestModal } from '../kit/policy-review.js';
import type { Services } from '../kit/services.js';
import type { ActionArgs } from '../kit/args.js';

/** Choosing an integration preset re-renders the modal with its scopes and a suggested name. */
export function createPresetSelectHandler(deps: Pick<Services, 'config' | 'approvers' | 'logger' | 'clock'>) {
  return async ({ ack, body, client }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.view) return;
    const { view, actions } = parsed.data;
    const preset = findPreset(actions[0]?.selected_option?.value ?? '') ?? findPreset(CUSTOM_PRESET_ID)!;
    const metadata = readModalMetadata(view.private_metadata);
    const { raw } = readRequestState(view.state.values);
    // "Custom" keeps what the user typed and picked; a preset brings its own name and scopes.
    const isCustom = preset.id === CUSTOM_PRESET_ID;
    const values = {
      ...raw,
      presetId: preset.id,
      ...(isCustom ? {} : { name: suggestTokenName(preset.integration), scopes: preset.scopes }),
    };
    // A new revision gives the name and scope blocks new ids: Slack shows their initial values.
    const updated = rebuildRequestModal(deps, values, { ...metadata, revision: metadata.revision + 1 }, new Date(deps.clock.now()));
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: updated });
    } catch (err) {
      // hash_conflict: the user changed the view again meanwhile; their newer action wins.
      deps.logger.info({ err }, 'views.update for preset skipped');
    }
  };
}
