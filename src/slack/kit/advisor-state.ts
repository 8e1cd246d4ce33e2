import { z } from 'zod';
import type { AdvisorModalMetadata, AdvisorRootValues } from '../../blocks/advisor-modal.js';
import { ADVISOR_ACTION, ADVISOR_BLOCK } from '../../blocks/ids.js';
import { CAPABILITIES, findCapability } from '../../domain/capabilities.js';
import { isIsoDate } from '../../domain/dates.js';
import { NAME_MAX, PURPOSE_MAX, WORKSPACE_MAX } from '../../domain/validation.js';
import { redactSecrets } from '../../domain/secrets.js';
import { dropInvalid, parseMetadata, type StateValues, userIdSchema, viewIdSchema } from './payloads.js';
import { type RequestState, requestMetadataSchema } from './request-state.js';

/** What the scope advisor shares between its listeners: its metadata and its state. */

// Each typed value is checked on its own, so one tampered field is dropped without losing the rest.
const rootValuesSchema = z.object({
  metadata: requestMetadataSchema.catch({ revision: 0 }),
  presetId: dropInvalid(z.string().max(64)),
  name: dropInvalid(z.string().max(NAME_MAX * 2)),
  expiresOn: dropInvalid(z.string().refine(isIsoDate)),
  workspace: dropInvalid(z.string().max(WORKSPACE_MAX * 2)),
  purpose: dropInvalid(z.string().max(PURPOSE_MAX)),
});

const advisorMetadataSchema = z.object({
  rootViewId: viewIdSchema,
  userId: userIdSchema,
  root: rootValuesSchema,
});

/** The advisor's private_metadata, or undefined when it is not what the bot wrote. */
export function readAdvisorMetadata(raw: string): AdvisorModalMetadata | undefined {
  const parsed = parseMetadata(advisorMetadataSchema, raw);
  if (!parsed) return undefined;
  // Optional fields present as `undefined` after a drop are left out, so re-serialising is stable.
  const root = Object.fromEntries(Object.entries(parsed.root).filter(([, v]) => v !== undefined)) as unknown as AdvisorRootValues;
  return { rootViewId: parsed.rootViewId, userId: parsed.userId, root };
}

/**
 * The request modal's typed values, to carry into the advisor. Shown again later, so a pasted
 * token is redacted here: it would travel back to Slack.
 */
export function captureRootValues(state: RequestState, metadata: AdvisorRootValues['metadata']): AdvisorRootValues {
  const { raw } = state;
  const keep = (text: string | null | undefined) => (text ? redactSecrets(text) : undefined);
  const values: AdvisorRootValues = {
    metadata,
    presetId: raw.presetId ?? undefined,
    name: keep(raw.name),
    expiresOn: raw.expiresOn && isIsoDate(raw.expiresOn) ? raw.expiresOn : undefined,
    workspace: keep(raw.workspace),
    purpose: keep(raw.purpose),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as unknown as AdvisorRootValues;
}

/** The capability ids ticked in the advisor's group inputs: known ids only, in catalogue order. */
export function readSelectedCapabilities(values: StateValues): string[] {
  const ticked = new Set<string>();
  for (const [blockId, entry] of Object.entries(values)) {
    if (!blockId.startsWith(ADVISOR_BLOCK.groupPrefix)) continue;
    for (const option of entry[ADVISOR_ACTION.capabilities]?.selected_options ?? []) {
      if (option && findCapability(option.value)) ticked.add(option.value);
    }
  }
  return CAPABILITIES.filter((c) => ticked.has(c.id)).map((c) => c.id);
}
