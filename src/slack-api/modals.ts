import type { WebClient } from '@slack/web-api';
import { buildRequestModal, type ModalReview } from '../blocks/request-modal.js';
import { buildRecordModal } from '../blocks/record-modal.js';
import { type AdvisorModalMetadata, buildAdvisorModal } from '../blocks/advisor-modal.js';
import { CUSTOM_PRESET_ID, matchPreset, suggestTokenName } from '../domain/presets.js';
import { defaultExpiry } from '../domain/validation.js';

/**
 * Opening modals from a command or a button. Call these before any other I/O: the
 * trigger_id dies 3 s after Slack sends it. The client is Bolt's (the listener's).
 */

export interface RequestModalOrigin {
  /** The time the default expiry counts from. */
  now: Date;
  /** Command text: an integration to pre-fill, or a name suggestion. */
  text?: string;
  channelId?: string;
  responseUrl?: string;
  /** The approval policy's verdict on a selection, for the notice in the modal. */
  review?: (selection: { expiresOn: string; scopes: readonly string[] }) => ModalReview;
}

export async function openRequestModal(client: WebClient, triggerId: string, origin: RequestModalOrigin): Promise<void> {
  const arg = origin.text?.trim() ?? '';
  const preset = arg ? matchPreset(arg) : undefined;
  const selection = { expiresOn: defaultExpiry('UTC', origin.now), scopes: preset?.scopes ?? [] };
  const view = buildRequestModal({
    presetId: preset?.id ?? CUSTOM_PRESET_ID,
    name: preset ? suggestTokenName(preset.integration) : arg ? suggestTokenName(arg) : undefined,
    ...selection,
    ...(origin.review ? { review: origin.review(selection) } : {}),
    metadata: {
      ...(origin.channelId ? { channelId: origin.channelId } : {}),
      ...(origin.responseUrl ? { responseUrl: origin.responseUrl } : {}),
      revision: 0,
    },
  });
  await client.views.open({ trigger_id: triggerId, view });
}

export async function openRecordModal(client: WebClient, triggerId: string): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: buildRecordModal() });
}

/** Pushes the scope advisor on top of the request modal (nothing ticked yet). */
export async function pushAdvisorModal(client: WebClient, triggerId: string, metadata: AdvisorModalMetadata): Promise<void> {
  await client.views.push({ trigger_id: triggerId, view: buildAdvisorModal({ selected: [], metadata }) });
}
