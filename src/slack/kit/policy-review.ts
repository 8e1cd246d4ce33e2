import type { ModalView } from '@slack/types';
import { assessRequest } from '../../domain/approval-policy.js';
import { isIsoDate, todayIn } from '../../domain/dates.js';
import { CUSTOM_PRESET_ID, findPreset } from '../../domain/presets.js';
import { isKnownScope } from '../../domain/scopes.js';
import { redactSecrets } from '../../domain/secrets.js';
import { defaultExpiry, splitPlaces } from '../../domain/validation.js';
import { SLACK_CHANNEL_ID, SLACK_USER_ID } from '../../domain/team.js';
import { CO_OWNERS_MAX } from '../../domain/limits.js';
import { buildRequestModal, type ModalReview, type RequestModalMetadata } from '../../blocks/request-modal.js';
import type { Services } from './services.js';

/**
 * The policy verdict shown in the request modal. The modal uses UTC for "today" (the
 * requester's zone is not known yet when it opens); the submission decides in their zone.
 */
export function assessForModal(
  deps: Pick<Services, 'config' | 'approvers'>,
  values: { scopes: readonly string[]; expiresOn: string },
  now: Date,
): ModalReview {
  const verdict = assessRequest(values, deps.config.approvals.policy, todayIn('UTC', now));
  return { ...verdict, configured: deps.approvers.configured };
}

/** Values for a request modal shown again: what the user typed, or a stored request's; unchecked. */
export interface ModalValues {
  presetId?: string | null;
  name?: string | null;
  expiresOn?: string | null;
  scopes?: readonly (string | null | undefined)[] | null;
  workspace?: string | null;
  purpose?: string | null;
  /** "Stored in": the typed text (one place per line) or a stored request's places. */
  places?: string | readonly string[] | null;
  coOwners?: readonly (string | null | undefined)[] | null;
  teamChannelId?: string | null;
}

/**
 * The request modal rendered again (a preset chosen, the selection changed, advised scopes put
 * in, a request made again). Typed text is shown again but never a pasted token, which would
 * travel back to Slack; an unreadable expiry becomes the default; unknown scopes are dropped;
 * the policy notice follows the selection.
 */
export function rebuildRequestModal(
  deps: Pick<Services, 'config' | 'approvers'>,
  values: ModalValues,
  metadata: RequestModalMetadata,
  now: Date,
): ModalView {
  const keep = (text: string | null | undefined) => (text ? redactSecrets(text) : undefined);
  const keepPlaces = (places: ModalValues['places']) =>
    places ? splitPlaces(typeof places === 'string' ? places : places.join('\n')).map(redactSecrets) : undefined;
  const selection = {
    expiresOn: values.expiresOn && isIsoDate(values.expiresOn) ? values.expiresOn : defaultExpiry('UTC', now),
    scopes: (values.scopes ?? []).filter((s): s is string => typeof s === 'string' && isKnownScope(s)),
  };
  return buildRequestModal({
    presetId: findPreset(values.presetId ?? '')?.id ?? CUSTOM_PRESET_ID,
    name: keep(values.name),
    ...selection,
    workspace: keep(values.workspace),
    purpose: keep(values.purpose),
    places: keepPlaces(values.places),
    coOwners: (values.coOwners ?? [])
      .filter((id): id is string => typeof id === 'string' && SLACK_USER_ID.test(id))
      .slice(0, CO_OWNERS_MAX),
    ...(values.teamChannelId && SLACK_CHANNEL_ID.test(values.teamChannelId) ? { teamChannelId: values.teamChannelId } : {}),
    review: assessForModal(deps, selection, now),
    metadata,
  });
}
