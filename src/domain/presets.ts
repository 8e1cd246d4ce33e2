/**
 * Least-privilege scope presets per integration. Scope sets come from each integration's
 * documented API-token scopes, as collected in /work/shared/reference/bitbucket/scopes.md
 * ("Integrations and their documented API-token scopes") and the seed setup guide.
 */
import { NAME_MAX } from './limits.js';
import { sortScopes } from './scopes.js';
import type { Preset } from './types.js';

/** A preset plus extra words `matchPreset` recognises (e.g. the product behind a generic preset). */
export interface PresetDef extends Preset {
  aliases?: readonly string[];
}

/** Id of the preset with no scopes, for anything not covered by a named integration. */
export const CUSTOM_PRESET_ID = 'custom';

/** Preset used when the user names no integration: nothing is pre-selected, so nothing is over-granted. */
export const DEFAULT_PRESET_ID = CUSTOM_PRESET_ID;

const s = (action: string, resource: string): string => `${action}:${resource}:bitbucket`;

const DEFINITIONS: readonly PresetDef[] = [
  {
    id: 'deeptraq',
    label: 'DeepTraQ (repository scanning)',
    integration: 'DeepTraQ',
    scopes: [s('read', 'repository'), s('write', 'repository')],
    rationale:
      "DeepTraQ's own setup guide asks for repository read and repository write (Repository Access: Read and Write); read is listed explicitly because write does not include it.",
  },
  {
    id: 'ci',
    label: 'CI pipelines (run pipelines, post build status)',
    integration: 'CI',
    scopes: [s('read', 'repository'), s('read', 'pipeline'), s('write', 'pipeline')],
    rationale:
      'Running a pipeline needs read+write:pipeline; posting a commit build status needs only read:repository, so no repository write is granted.',
    aliases: ['pipelines', 'build', 'jenkins'],
  },
  {
    id: 'renovate',
    label: 'Renovate (dependency updates)',
    integration: 'Renovate',
    scopes: [
      s('read', 'repository'),
      s('write', 'repository'),
      s('read', 'pullrequest'),
      s('write', 'pullrequest'),
      s('read', 'user'),
      s('read', 'issue'),
      s('write', 'issue'),
      s('read', 'workspace'),
    ],
    rationale:
      "Renovate's documented set: it pushes branches (repository write), opens PRs (pull request write), keeps its dependency dashboard issue (issue write) and reads the user and workspace.",
  },
  {
    id: 'pr-review',
    label: 'PR review bot (e.g. LiveReview)',
    integration: 'PR Review',
    scopes: [
      s('read', 'repository'),
      s('read', 'pullrequest'),
      s('read', 'workspace'),
      s('read', 'user'),
      s('read', 'webhook'),
      s('write', 'webhook'),
    ],
    rationale:
      'Commenting on a PR needs only read:pullrequest, so no write:pullrequest; read+write:webhook (as LiveReview documents) lets the bot register the webhook that tells it about new PRs.',
    aliases: ['livereview', 'review', 'code review'],
  },
  {
    id: 'indexing',
    label: 'Read-only indexing (e.g. Onyx)',
    integration: 'Indexing',
    scopes: [s('read', 'project'), s('read', 'repository'), s('read', 'pullrequest')],
    rationale:
      "Onyx's documented read-only set: it only lists projects, reads repositories and indexes pull requests, so it gets no write scope at all.",
    aliases: ['onyx', 'search'],
  },
  {
    id: CUSTOM_PRESET_ID,
    label: 'Custom (choose scopes yourself)',
    integration: 'Custom',
    scopes: [],
    rationale: 'No scopes pre-selected: pick only what the integration documents it needs.',
  },
];

/** All presets, in the order shown in the request modal; scopes in catalogue order. */
export const PRESETS: readonly PresetDef[] = Object.freeze(
  DEFINITIONS.map((p) => ({ ...p, scopes: sortScopes(p.scopes) })),
);

/** The preset with this id, or undefined. */
export function findPreset(id: string): PresetDef | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Suggested token name, e.g. "DeepTraQ Bitbucket Integration", cut to {@link NAME_MAX}. */
export function suggestTokenName(integration: string): string {
  const base = integration.trim();
  const name = base === '' ? 'Bitbucket Integration' : `${base} Bitbucket Integration`;
  return name.slice(0, NAME_MAX).trim();
}

// Case, spaces and punctuation are ignored so "DeepTraQ", "deep-traq" and "PR review" match.
const normalise = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The preset whose id, integration name or alias equals free text such as the slash-command
 * argument ("DeepTraQ", "renovate", "pr review"), ignoring case and punctuation; else undefined.
 */
export function matchPreset(text: string | null | undefined): PresetDef | undefined {
  if (typeof text !== 'string') return undefined;
  const wanted = normalise(text);
  if (wanted === '') return undefined;
  return PRESETS.find((p) =>
    [p.id, p.integration, ...(p.aliases ?? [])].some((candidate) => normalise(candidate) === wanted),
  );
}
