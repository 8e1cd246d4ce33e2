import { REQUEST_ACTION, REQUEST_BLOCK } from '../../blocks/ids.js';
import type { RawRequestFields, RequestField } from '../../domain/validation.js';
import type { StateValues } from './payloads.js';
import type { RequestModalMetadata } from '../../blocks/request-modal.js';
import { z } from 'zod';
import { TOKEN_ID } from '../../domain/record-ids.js';
import { channelIdSchema, dropInvalid, responseUrlSchema } from './payloads.js';

const FIELD_BLOCKS: Record<RequestField, string> = {
  preset: REQUEST_BLOCK.preset,
  name: REQUEST_BLOCK.name,
  expiresOn: REQUEST_BLOCK.expiry,
  scopes: REQUEST_BLOCK.scopes,
  workspace: REQUEST_BLOCK.workspace,
  purpose: REQUEST_BLOCK.purpose,
  places: REQUEST_BLOCK.places,
  coOwners: REQUEST_BLOCK.coOwners,
  teamChannelId: REQUEST_BLOCK.teamChannel,
};

/** Finds the state entry of a block whose id is `base` or `base-<revision>`. */
function findBlock(values: StateValues, base: string): { blockId: string; entry: StateValues[string] } | undefined {
  const blockId = Object.keys(values).find((k) => k === base || (k.startsWith(`${base}-`) && /^\d+$/.test(k.slice(base.length + 1))));
  const entry = blockId ? values[blockId] : undefined;
  return blockId && entry ? { blockId, entry } : undefined;
}

export interface RequestState {
  raw: RawRequestFields;
  /** The block id each field is shown in, for `response_action: errors`. */
  blockIds: Record<RequestField, string>;
}

/** Reads the request modal's state.values into raw fields for validation. Pure. */
export function readRequestState(values: StateValues): RequestState {
  const blockIds = { ...FIELD_BLOCKS };
  const pick = (field: RequestField, actionId: string) => {
    const found = findBlock(values, FIELD_BLOCKS[field]);
    if (!found) return undefined;
    blockIds[field] = found.blockId;
    return found.entry[actionId];
  };
  const preset = pick('preset', REQUEST_ACTION.preset);
  const name = pick('name', REQUEST_ACTION.name);
  const expiry = pick('expiresOn', REQUEST_ACTION.expiry);
  const scopes = pick('scopes', REQUEST_ACTION.scopes);
  const workspace = pick('workspace', REQUEST_ACTION.workspace);
  const purpose = pick('purpose', REQUEST_ACTION.purpose);
  const places = pick('places', REQUEST_ACTION.places);
  const coOwners = pick('coOwners', REQUEST_ACTION.coOwners);
  const teamChannel = pick('teamChannelId', REQUEST_ACTION.teamChannel);
  return {
    raw: {
      presetId: preset?.selected_option?.value ?? null,
      name: name?.value ?? null,
      expiresOn: expiry?.selected_date ?? null,
      scopes: scopes?.selected_options ? scopes.selected_options.map((o) => o?.value ?? null) : null,
      workspace: workspace?.value ?? null,
      purpose: purpose?.value ?? null,
      places: places?.value ?? null,
      coOwners: coOwners?.selected_users ?? null,
      teamChannelId: teamChannel?.selected_conversation ?? null,
    },
    blockIds,
  };
}

/** Maps a form's field errors to the block ids Slack shows them next to (`response_action: errors`). */
export function toBlockErrors<F extends string>(errors: Partial<Record<F, string>>, blockIds: Record<F, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of Object.keys(errors) as F[]) {
    const message = errors[field];
    if (message !== undefined) out[blockIds[field]] = message;
  }
  return out;
}

// Each field is checked on its own, so one tampered field is dropped without losing the rest.
export const requestMetadataSchema = z.object({
  channelId: dropInvalid(channelIdSchema),
  responseUrl: dropInvalid(responseUrlSchema),
  renewsTokenId: dropInvalid(z.string().regex(TOKEN_ID)),
  revision: z.number().int().min(0).max(1000).catch(0),
});

/** Parses private_metadata; anything unreadable becomes an empty, harmless metadata. */
export function readModalMetadata(raw: string): RequestModalMetadata {
  try {
    const parsed = requestMetadataSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: tampered or empty metadata
  }
  return { revision: 0 };
}
