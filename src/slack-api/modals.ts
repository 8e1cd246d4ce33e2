import type { WebClient } from '@slack/web-api';
import type { View } from '@slack/types';
import {
  buildRequestModal,
  encodeRequestModalMetadata,
  type ModalReview,
  type RequestModalMetadata,
  type RequestModalModel,
} from '../blocks/request-modal.js';
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
  const view = requestModalJson({
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
  await openViewJson(client, triggerId, view);
}

/**
 * views.open with the view already serialised. The Web API takes `view` as JSON text; handed an
 * object, @slack/web-api walks it twice more on every call (a redacted copy for its debug log,
 * built even when debug is off, and the serialisation), about 0.5 ms for the 12 KB request
 * modal on the bench machine (BENCHMARKS.md, issue 16).
 */
export async function openViewJson(client: WebClient, triggerId: string, view: string): Promise<void> {
  await client.apiCall('views.open', { trigger_id: triggerId, view });
}

/** The view as the JSON text Slack takes. */
export function viewJson(view: View): string {
  return JSON.stringify(view);
}

/** The request modal's JSON around its private_metadata, by everything else in the model. */
const requestModalParts = new Map<string, { head: string; tail: string }>();
/** Distinct modals kept (presets x a few names x today's date): plenty, and at most a few MB. */
const REQUEST_MODAL_CACHE_MAX = 256;

/**
 * The request modal as JSON text. All but its private_metadata (the command's channel and
 * response_url) is the same for every command with the same preset, name, date and policy
 * verdict, so that part is built and serialised once and reused: building the modal (13 scope
 * groups, 34 options) and serialising its 12 KB cost more CPU than the rest of a command.
 */
export function requestModalJson(model: RequestModalModel): string {
  const { metadata, ...rest } = model;
  const key = JSON.stringify([rest, metadata.revision]);
  let parts = requestModalParts.get(key);
  if (!parts) {
    const base: RequestModalMetadata = { revision: metadata.revision };
    const view = buildRequestModal({ ...rest, metadata: base });
    const json = viewJson(view);
    const marker = JSON.stringify(view.private_metadata);
    const field = json.indexOf(`"private_metadata":${marker}`);
    if (field < 0) return viewJson(buildRequestModal(model));
    const at = field + '"private_metadata":'.length;
    parts = { head: json.slice(0, at), tail: json.slice(at + marker.length) };
    if (requestModalParts.size >= REQUEST_MODAL_CACHE_MAX) requestModalParts.clear();
    requestModalParts.set(key, parts);
  }
  return parts.head + JSON.stringify(encodeRequestModalMetadata(metadata)) + parts.tail;
}

export async function openRecordModal(client: WebClient, triggerId: string): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: buildRecordModal() });
}

/** Pushes the scope advisor on top of the request modal (nothing ticked yet). */
export async function pushAdvisorModal(client: WebClient, triggerId: string, metadata: AdvisorModalMetadata): Promise<void> {
  await client.views.push({ trigger_id: triggerId, view: buildAdvisorModal({ selected: [], metadata }) });
}
