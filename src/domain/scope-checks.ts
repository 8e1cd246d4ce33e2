/**
 * The one judgement of a list of scope names, shared by the request modal, the record modal
 * and the CSV import so the three accept exactly the same sets (they differ only in wording):
 * - an unknown name is refused, with a hint when it is an app-password scope name or lacks
 *   its `:bitbucket` suffix;
 * - write:permission / delete:permission without admin:repository or admin:project is refused
 *   (Atlassian only issues them together);
 * - a write scope without its read scope is accepted with a notice naming the capabilities the
 *   token will lack: Atlassian accepts it and 33 spec operations need exactly that.
 */
import { capabilitiesUnlockedBy } from './capabilities.js';
import { checkPermissionScopes, findScope, hintForUnknownScope, missingReadScopes, sortScopes } from './scopes.js';

/** A write scope without its read scope: accepted, but worth telling the user about. */
export interface ScopeNotice {
  /** The write scope, e.g. `write:pipeline:bitbucket`. */
  scope: string;
  /** Its read counterpart, e.g. `read:pipeline:bitbucket`. */
  needs: string;
  /** Labels of the capabilities the token would have with `needs` and lacks without it. */
  lacks: string[];
  /** One sentence for the user. */
  message: string;
}

/** An unknown scope name and, when we can tell what was meant, a hint. */
export interface UnknownScope {
  name: string;
  hint?: string;
}

/** Outcome of {@link assessScopes}. */
export interface ScopeAssessment {
  /** Known scopes, deduplicated, in catalogue order. */
  scopes: string[];
  unknown: UnknownScope[];
  /** Set when permission scopes come without an admin scope. */
  permissionError?: string;
  notices: ScopeNotice[];
}

/**
 * Judges a list of scope names (already trimmed strings; empty ones are ignored). The caller
 * decides the wording; acceptance is `unknown.length === 0 && !permissionError && scopes.length > 0`.
 */
export function assessScopes(names: readonly string[]): ScopeAssessment {
  const known: string[] = [];
  const unknown: UnknownScope[] = [];
  const seenUnknown = new Set<string>();
  for (const name of names) {
    if (name === '') continue;
    if (findScope(name)) known.push(name);
    else if (!seenUnknown.has(name)) {
      seenUnknown.add(name);
      const hint = hintForUnknownScope(name);
      unknown.push(hint ? { name, hint } : { name });
    }
  }
  const scopes = sortScopes(known);
  const permissionError = checkPermissionScopes(scopes);
  return { scopes, unknown, ...(permissionError ? { permissionError } : {}), notices: describeMissingReads(scopes) };
}

/** True when an assessment is acceptable (see {@link assessScopes}). */
export function isAcceptable(assessment: ScopeAssessment): boolean {
  return assessment.unknown.length === 0 && assessment.permissionError === undefined && assessment.scopes.length > 0;
}

/**
 * A notice per write scope in `scopes` whose read scope is missing, naming the capabilities
 * the token will lack (those that need the read scope and nothing else it does not have).
 */
export function describeMissingReads(scopes: readonly string[]): ScopeNotice[] {
  return missingReadScopes(scopes).map(({ scope, needs }) => {
    const lacks = capabilitiesUnlockedBy(scopes, needs).map((c) => c.label);
    const message =
      lacks.length > 0
        ? `${scope} without ${needs}: the token lacks ${lacks.map((l) => `"${l}"`).join(', ')}; add ${needs} if it needs them (operations that need only ${scope} still work).`
        : `${scope} without ${needs}: enough for operations that need only ${scope}; add ${needs} if the token must also read.`;
    return { scope, needs, lacks, message };
  });
}
