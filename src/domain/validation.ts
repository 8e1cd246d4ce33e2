/**
 * Validation of the request modal. Input arrives from Slack payloads that a client can
 * tamper with, so every field may be missing, null or of the wrong type; the result is
 * either a clean {@link RequestInput} or one clear, human message per field (shown next to
 * the field by `response_action: errors`). Never throws on bad input.
 *
 * Scopes are judged by scope-checks.ts, the same judgement the record modal and the CSV
 * import use: a write scope without its read scope is accepted with a notice (`notices` on
 * the ok result), not refused.
 */
import { z } from 'zod';
import { addDays, daysBetween, formatLongDate, isIsoDate, todayIn } from './dates.js';
import {
  DEFAULT_EXPIRY_DAYS,
  MAX_EXPIRY_DAYS,
  MIN_EXPIRY_DAYS,
  NAME_MAX,
  PLACE_MAX,
  PLACES_MAX,
  PURPOSE_MAX,
  WORKSPACE_MAX,
} from './limits.js';
import { CUSTOM_PRESET_ID, findPreset } from './presets.js';
import { assessScopes, type ScopeNotice } from './scope-checks.js';
import { containsSecret, looksLikeSecretName, redactSecrets } from './secrets.js';
import type { RequestInput } from './types.js';
import { checkTeam } from './team.js';

export { DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, MIN_EXPIRY_DAYS, NAME_MAX, PLACE_MAX, PLACES_MAX, PURPOSE_MAX, WORKSPACE_MAX };

/** Fields of the request form that can carry an error. */
export type RequestField = 'preset' | 'name' | 'expiresOn' | 'scopes' | 'workspace' | 'purpose' | 'places' | 'coOwners' | 'teamChannelId';

/** Raw values read from a view_submission; anything may be missing or tampered with. */
export interface RawRequestFields {
  presetId?: string | null;
  name?: string | null;
  expiresOn?: string | null;
  scopes?: readonly (string | null | undefined)[] | null;
  workspace?: string | null;
  purpose?: string | null;
  /** "Stored in": one place per line. */
  places?: string | null;
  /** Co-owners: user ids from a multi_users_select. */
  coOwners?: readonly (string | null | undefined)[] | null;
  /** Team channel: a conversation id from a conversations_select. */
  teamChannelId?: string | null;
}

export type { ScopeNotice } from './scope-checks.js';

/**
 * Outcome of {@link validateRequest}. `notices` (present only when there are some) are not
 * errors: the request is valid, but the user should see them, e.g. a write scope without its
 * read scope and the capabilities the token will lack because of it.
 */
export type ValidationResult =
  | { ok: true; value: RequestInput; notices?: ScopeNotice[] }
  | { ok: false; errors: Partial<Record<RequestField, string>> };

/** Clock and zone used to decide what "today" is for the requester. */
export interface ValidationContext {
  now: Date;
  /** The requester's Slack timezone (IANA); invalid zones fall back to UTC. */
  timeZone: string;
  /** Who will own the token (the person submitting): refused as their own co-owner. */
  ownerId?: string;
}

/** Message shown when a token value is pasted where a name or text belongs. */
export const SECRET_PASTED_MESSAGE =
  'This looks like a token value. Never paste a token into Slack: revoke it at id.atlassian.com and use a descriptive name instead.';

/** Longest piece of user input echoed back in an error message. */
const ECHO_MAX = 80;

// Tampered payloads may send numbers, objects or null: anything but a string counts as absent.
// `.optional()` first: in zod 4 a key whose schema is not optional must be present.
const looseText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v : undefined));

const rawSchema = z.object({
  presetId: looseText,
  name: looseText,
  expiresOn: looseText,
  scopes: z
    .unknown()
    .optional()
    .transform((v) => (Array.isArray(v) ? (v as unknown[]) : [])),
  workspace: looseText,
  purpose: looseText,
  places: looseText,
  coOwners: z
    .unknown()
    .optional()
    .transform((v) => (Array.isArray(v) ? (v as unknown[]) : [])),
  teamChannelId: z.unknown().optional(),
});

/** Bitbucket workspace IDs (the slug in bitbucket.org/<workspace>). */
const workspaceSchema = z
  .string()
  .max(WORKSPACE_MAX)
  .regex(/^[a-z0-9_-]+$/);

// C0/C1 control characters plus Unicode line/paragraph separators: none belong in a name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The earliest and latest expiry dates allowed, seen from the requester's today. */
export function expiryBounds(timeZone: string, now: Date): { today: string; min: string; max: string } {
  const today = todayIn(timeZone, now);
  return { today, min: addDays(today, MIN_EXPIRY_DAYS), max: addDays(today, MAX_EXPIRY_DAYS) };
}

/** The suggested expiry: {@link DEFAULT_EXPIRY_DAYS} after today in the requester's zone. */
export function defaultExpiry(timeZone: string, now: Date): string {
  return addDays(todayIn(timeZone, now), DEFAULT_EXPIRY_DAYS);
}

/** Validates and normalises the request form. See the module comment for the rules. */
export function validateRequest(raw: RawRequestFields, ctx: ValidationContext): ValidationResult {
  const parsed = rawSchema.safeParse(raw !== null && typeof raw === 'object' ? raw : {});
  // The schema only transforms, so it cannot fail on an object; the fallback is belt and braces.
  const fields = parsed.success
    ? parsed.data
    : {
        presetId: undefined,
        name: undefined,
        expiresOn: undefined,
        scopes: [],
        workspace: undefined,
        purpose: undefined,
        places: undefined,
        coOwners: [],
        teamChannelId: undefined,
      };

  const errors: Partial<Record<RequestField, string>> = {};

  const presetId = findPreset(fields.presetId?.trim() ?? '')?.id ?? CUSTOM_PRESET_ID;

  const { name, expiresOn, scopeCheck, workspace, places, coOwners, teamChannelId } = checkTokenFields(
    fields,
    ctx,
    MIN_EXPIRY_DAYS,
    errors,
  );

  const purpose = emptyToUndefined(fields.purpose);
  const purposeError = purpose === undefined ? undefined : checkPurpose(purpose);
  if (purposeError) errors.purpose = purposeError;

  if (Object.keys(errors).length > 0 || !('scopes' in scopeCheck)) return { ok: false, errors };

  const value: RequestInput = { presetId, name, expiresOn, scopes: scopeCheck.scopes };
  if (workspace !== undefined) value.workspace = workspace;
  if (purpose !== undefined) value.purpose = purpose;
  if (places !== undefined) value.places = places;
  if (coOwners !== undefined) value.coOwners = coOwners;
  if (teamChannelId !== undefined) value.teamChannelId = teamChannelId;
  return { ok: true, value, ...withNotices(scopeCheck.notices) };
}

/**
 * Whether a request {@link validateRequest} accepted in one zone is accepted, unchanged, in the
 * zone of `ctx`. The expiry check is the only part of validateRequest that reads the zone
 * (through "today"), so this is that check alone: a caller can try a second zone without
 * validating the whole form again (src/slack/views/request-submit.ts).
 */
export function acceptedInZone(value: RequestInput, ctx: ValidationContext): boolean {
  return checkExpiry(value.expiresOn, ctx, MIN_EXPIRY_DAYS) === undefined;
}

/** Name, expiry, scopes, workspace and places: the fields a request and a recorded token share. */
function checkTokenFields(
  fields: {
    name?: string;
    expiresOn?: string;
    scopes: readonly unknown[];
    workspace?: string;
    places?: string;
    coOwners?: readonly unknown[];
    teamChannelId?: unknown;
  },
  ctx: ValidationContext,
  minExpiryDays: number,
  errors: Partial<Record<RequestField, string>>,
) {
  const name = fields.name?.trim() ?? '';
  const nameError = checkName(name);
  if (nameError) errors.name = nameError;

  const expiresOn = fields.expiresOn?.trim() ?? '';
  const expiryError = checkExpiry(expiresOn, ctx, minExpiryDays);
  if (expiryError) errors.expiresOn = expiryError;

  const scopeCheck = checkScopes(fields.scopes);
  if ('error' in scopeCheck) errors.scopes = scopeCheck.error;

  const workspace = emptyToUndefined(fields.workspace);
  const workspaceError = workspace === undefined ? undefined : checkWorkspace(workspace);
  if (workspaceError) errors.workspace = workspaceError;

  const placeCheck = checkPlaces(fields.places ?? '');
  if ('error' in placeCheck) errors.places = placeCheck.error;
  const places = 'places' in placeCheck && placeCheck.places.length > 0 ? placeCheck.places : undefined;

  const team = checkTeam({ coOwners: fields.coOwners ?? [], teamChannelId: fields.teamChannelId }, ctx.ownerId);
  if (team.errors.coOwners) errors.coOwners = team.errors.coOwners;
  if (team.errors.teamChannel) errors.teamChannelId = team.errors.teamChannel;
  return { name, expiresOn, scopeCheck, workspace, places, coOwners: team.coOwners, teamChannelId: team.teamChannelId };
}

/** The "Stored in" text as places: one per line, blank lines dropped, repeats once. */
export function splitPlaces(text: string): string[] {
  return [...new Set(text.split(/\r\n|\r|\n/).map((line) => line.trim()))].filter(Boolean);
}

/**
 * Checks the "Stored in" text (one place per line; shared with the CSV import). A place is a
 * description such as "Vault secret/ci/deeptraq", so a token value in it is refused like
 * anywhere else.
 */
export function checkPlaces(text: string): { places: string[] } | { error: string } {
  const places = splitPlaces(text);
  if (places.some((p) => containsSecret(p))) return { error: SECRET_PASTED_MESSAGE };
  if (places.length > PLACES_MAX) {
    return { error: `List at most ${PLACES_MAX} places, one per line (this has ${places.length}).` };
  }
  const long = places.find((p) => p.length > PLACE_MAX);
  if (long !== undefined) {
    return { error: `Keep each place to ${PLACE_MAX} characters or fewer ("${echo(long)}" has ${long.length}).` };
  }
  if (places.some((p) => CONTROL_CHARS.test(p))) return { error: 'A place cannot contain tabs or other control characters.' };
  return { places };
}

function emptyToUndefined(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** User input made safe to show back: secrets redacted, control characters removed, cut short. */
export function echo(text: string): string {
  const clean = redactSecrets(text).replace(new RegExp(CONTROL_CHARS.source, 'g'), ' ').trim();
  return clean.length > ECHO_MAX ? `${clean.slice(0, ECHO_MAX - 1)}…` : clean;
}

/** The error to show for a token name, or undefined when it is fine. Shared with the CSV import. */
export function checkName(name: string): string | undefined {
  if (name === '') return 'Enter a name for the token, e.g. "DeepTraQ Bitbucket Integration".';
  // Checked first: a pasted token is the most important thing to tell the user about.
  if (looksLikeSecretName(name)) return SECRET_PASTED_MESSAGE;
  if (CONTROL_CHARS.test(name)) return 'The name cannot contain line breaks or other control characters.';
  if (name.length > NAME_MAX) {
    return `Keep the name to ${NAME_MAX} characters or fewer (this one has ${name.length}).`;
  }
  return undefined;
}

/** The problem with an expiry date, or undefined when it is allowed (shared by the "Already rotated" form). */
export function checkExpiry(expiresOn: string, ctx: ValidationContext, minDays = MIN_EXPIRY_DAYS): string | undefined {
  const { today, max } = expiryBounds(ctx.timeZone, ctx.now);
  const min = addDays(today, minDays);
  if (expiresOn === '') return 'Pick the date the token should expire.';
  if (!isIsoDate(expiresOn)) {
    return `Enter the expiry as a real date in the form YYYY-MM-DD, e.g. ${defaultExpiry(ctx.timeZone, ctx.now)}.`;
  }
  const days = daysBetween(today, expiresOn);
  if (days < 0) {
    return `That date has already passed (today is ${formatLongDate(today)}): pick a date between ${formatLongDate(min)} and ${formatLongDate(max)}.`;
  }
  if (days < minDays) {
    return `A token that expires today would stop working within hours: pick ${formatLongDate(min)} or later.`;
  }
  if (days > MAX_EXPIRY_DAYS) {
    return `Bitbucket API tokens can last at most ${MAX_EXPIRY_DAYS} days: pick a date on or before ${formatLongDate(max)} (${max}).`;
  }
  return undefined;
}

function checkScopes(rawScopes: readonly unknown[]): { scopes: string[]; notices: ScopeNotice[] } | { error: string } {
  const names: string[] = [];
  for (const item of rawScopes) {
    // null/undefined holes are dropped; any other non-string is a tampered value to report.
    if (item === null || item === undefined) continue;
    names.push(typeof item === 'string' ? item.trim() : String(item));
  }
  const assessment = assessScopes(names);
  const first = assessment.unknown[0];
  if (first !== undefined) {
    const more = assessment.unknown.length - 1;
    // A hint only ever names catalogue scopes and a short known legacy name, never raw input.
    const detail = first.hint ? `: ${first.hint}` : '';
    return { error: `Unknown scope: ${echo(first.name)}${detail}${more > 0 ? ` (and ${more} more)` : ''}` };
  }
  if (assessment.scopes.length === 0) {
    return { error: 'Choose at least one scope. Start from a preset if you are unsure which ones you need.' };
  }
  if (assessment.permissionError) return { error: assessment.permissionError };
  return { scopes: assessment.scopes, notices: assessment.notices };
}

/** `{ notices }` when there are any, else nothing: results without notices keep their old shape. */
function withNotices(notices: readonly ScopeNotice[]): { notices?: ScopeNotice[] } {
  return notices.length > 0 ? { notices: [...notices] } : {};
}

/** The error to show for a workspace ID, or undefined when it is fine. */
export function checkWorkspace(workspace: string): string | undefined {
  if (workspaceSchema.safeParse(workspace).success) return undefined;
  if (containsSecret(workspace)) return SECRET_PASTED_MESSAGE;
  const lower = workspace.toLowerCase();
  if (lower !== workspace && workspaceSchema.safeParse(lower).success) {
    return `Workspace IDs are lowercase: use "${lower}".`;
  }
  if (workspace.length > WORKSPACE_MAX) {
    return `A workspace ID has at most ${WORKSPACE_MAX} characters: use the ID from bitbucket.org/<workspace>.`;
  }
  return 'Use the workspace ID from the URL bitbucket.org/<workspace>: lowercase letters, digits, - and _ only (e.g. acme-eng). Leave it empty for no limit.';
}

/** The error to show for a purpose, or undefined when it is fine. */
export function checkPurpose(purpose: string): string | undefined {
  if (containsSecret(purpose)) return SECRET_PASTED_MESSAGE;
  if (purpose.length > PURPOSE_MAX) {
    return `Keep the purpose to ${PURPOSE_MAX} characters or fewer (this one has ${purpose.length}).`;
  }
  return undefined;
}

/** Fields of the "record an existing token" form that can carry an error. */
export type RecordField = 'name' | 'expiresOn' | 'scopes' | 'workspace' | 'places' | 'coOwners' | 'teamChannelId';

/** What the record form yields: a token created outside the bot, described by its owner. */
export interface RecordedTokenInput {
  name: string;
  expiresOn: string;
  scopes: string[];
  workspace?: string;
  places?: string[];
  coOwners?: string[];
  teamChannelId?: string;
}

/** Outcome of {@link validateRecordedToken}; `notices` as in {@link ValidationResult}. */
export type RecordValidationResult =
  | { ok: true; value: RecordedTokenInput; notices?: ScopeNotice[] }
  | { ok: false; errors: Partial<Record<RecordField, string>> };

/**
 * Validates the form that records a token created outside the bot. The same rules as a
 * request, except the expiry: the token already exists, so any day from today to 365 days
 * ahead is fine (past dates are refused: an expired token needs replacing, not reminders).
 * Scopes: every combination Atlassian issues is accepted, exactly as the CSV import does.
 */
export function validateRecordedToken(raw: Pick<RawRequestFields, RecordField>, ctx: ValidationContext): RecordValidationResult {
  const fields = rawSchema.safeParse(raw !== null && typeof raw === 'object' ? raw : {});
  const f = fields.success
    ? fields.data
    : {
        name: undefined,
        expiresOn: undefined,
        scopes: [],
        workspace: undefined,
        places: undefined,
        coOwners: [],
        teamChannelId: undefined,
      };
  const errors: Partial<Record<RecordField, string>> = {};
  // The token exists already: an expiry of today is fine.
  const { name, expiresOn, scopeCheck, workspace, places, coOwners, teamChannelId } = checkTokenFields(f, ctx, 0, errors);
  if (Object.keys(errors).length > 0 || !('scopes' in scopeCheck)) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      expiresOn,
      scopes: scopeCheck.scopes,
      ...(workspace ? { workspace } : {}),
      ...(places ? { places } : {}),
      ...(coOwners ? { coOwners } : {}),
      ...(teamChannelId ? { teamChannelId } : {}),
    },
    ...withNotices(scopeCheck.notices),
  };
}
