import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_SPEC_PATH, SPEC_RELATIVE_PATH } from '../../scripts/derive-catalogue.js';

/**
 * Atlassian's Bitbucket spec from the reference directory beside the clone. Its absence is a
 * failure, never a skip: CI checks out ../shared next to the repository, and without the
 * spec the derived table and the scope facts would go unchecked.
 */
export function loadReferenceSpec(): { path: string; spec: ReferenceSpec } {
  if (!existsSync(DEFAULT_SPEC_PATH)) {
    throw new Error(
      `The reference spec is missing: expected ${SPEC_RELATIVE_PATH} beside the repository (check out the shared reference directory next to the clone).`,
    );
  }
  return { path: DEFAULT_SPEC_PATH, spec: JSON.parse(readFileSync(DEFAULT_SPEC_PATH, 'utf8')) as ReferenceSpec };
}

export interface ReferenceOperation {
  security?: Array<Record<string, string[]>>;
  'x-atlassian-oauth2-scopes'?: Array<{ scopes: string[] }>;
}

export interface ReferenceSpec {
  'x-revision'?: string;
  paths: Record<string, Record<string, ReferenceOperation>>;
}

/** Every operation of the spec with its classic (app-password/OAuth) and API-token scopes. */
export function referenceOperations(spec: ReferenceSpec): Array<{ key: string; classic: string[]; scopes: string[] }> {
  const out: Array<{ key: string; classic: string[]; scopes: string[] }> = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        classic: (op.security ?? []).flatMap((entry) => entry['oauth2'] ?? []),
        scopes: op['x-atlassian-oauth2-scopes']?.[0]?.scopes ?? [],
      });
    }
  }
  return out;
}
