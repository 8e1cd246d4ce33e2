/**
 * Least-privilege scope presets per integration. Scope sets come from each integration's
 * documented API-token scopes, as collected in ../shared/reference/bitbucket/scopes.md
 * ("Integrations and their documented API-token scopes") and the seed setup guide. Each preset
 * also names the capabilities (capabilities.ts) it is for; a unit test checks that the
 * documented scopes are exactly what the advisor derives from those capabilities.
 */
import { NAME_MAX } from './limits.js';
import { sortScopes } from './scopes.js';
import type { Preset } from './types.js';

/** A preset plus extra words `matchPreset` recognises (e.g. the product behind a generic preset). */
export interface PresetDef extends Preset {
  aliases?: readonly string[];
  /** Ids of the capabilities (capabilities.ts) the integration uses; the scopes are their minimum. */
  capabilities: readonly string[];
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
    capabilities: ['git-clone', 'git-push'],
    rationale:
      "DeepTraQ's own setup guide asks for repository read and repository write (Repository Access: Read and Write); read is listed explicitly because write does not include it.",
  },
  {
    id: 'ci',
    label: 'CI pipelines (run pipelines, post build status)',
    integration: 'CI',
    scopes: [s('read', 'repository'), s('read', 'pipeline'), s('write', 'pipeline')],
    capabilities: ['build-status', 'pipeline-run'],
    rationale:
      'Running a pipeline needs read+write:pipeline; posting a commit build status needs only read:repository, so no repository write is granted.',
    // Not Jenkins: it discovers pull requests and registers webhooks, and runs no Bitbucket pipelines.
    aliases: ['pipelines', 'build'],
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
    capabilities: ['git-clone', 'git-push', 'pr-create', 'issue-write', 'user-read', 'workspace-read'],
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
    capabilities: ['repo-read', 'pr-read', 'pr-comment', 'workspace-read', 'user-read', 'webhooks'],
    rationale:
      'Commenting on a PR needs only read:pullrequest, so no write:pullrequest; read+write:webhook (as LiveReview documents) lets the bot register the webhook that tells it about new PRs.',
    aliases: ['livereview', 'review', 'code review'],
  },
  {
    id: 'indexing',
    label: 'Read-only indexing (e.g. Onyx)',
    integration: 'Indexing',
    scopes: [s('read', 'project'), s('read', 'repository'), s('read', 'pullrequest')],
    capabilities: ['project-read', 'repo-read', 'pr-read'],
    rationale:
      "Onyx's documented read-only set: it only lists projects, reads repositories and indexes pull requests, so it gets no write scope at all.",
    aliases: ['onyx', 'search'],
  },
  {
    id: 'kibana',
    label: 'Elastic Kibana Bitbucket connector',
    integration: 'Kibana',
    scopes: [
      s('read', 'repository'),
      s('write', 'repository'),
      s('read', 'pullrequest'),
      s('write', 'pullrequest'),
      s('read', 'pipeline'),
      s('write', 'pipeline'),
    ],
    capabilities: [
      'repo-read',
      'branch-create',
      'branch-delete',
      'pr-read',
      'pr-comment',
      'pr-create',
      'pr-approve-merge',
      'build-status',
      'pipeline-read',
      'pipeline-run',
    ],
    rationale:
      "Elastic's documented set: the connector opens, comments on, approves and merges pull requests, creates and deletes branches, posts build statuses and runs and stops pipelines.",
    aliases: ['elastic', 'kibana connector'],
  },
  {
    id: 'infrakitchen',
    label: 'InfraKitchen (read-only)',
    integration: 'InfraKitchen',
    scopes: [s('read', 'project'), s('read', 'repository'), s('read', 'user'), s('read', 'workspace')],
    capabilities: ['project-read', 'repo-read', 'user-read', 'workspace-read'],
    rationale:
      "InfraKitchen's documented read-only set: it lists projects and repositories and reads the user and workspace; choose the pull-request preset only if it should open PRs.",
  },
  {
    id: 'infrakitchen-prs',
    label: 'InfraKitchen (opens pull requests)',
    integration: 'InfraKitchen',
    scopes: [
      s('read', 'project'),
      s('read', 'repository'),
      s('write', 'repository'),
      s('read', 'user'),
      s('read', 'workspace'),
      s('read', 'pullrequest'),
      s('write', 'pullrequest'),
    ],
    capabilities: ['project-read', 'repo-read', 'user-read', 'workspace-read', 'git-push', 'pr-create'],
    rationale:
      "InfraKitchen's read-only set plus what its docs add to open pull requests: write:repository to push the branch and read+write:pullrequest to open the PR.",
  },
  {
    id: CUSTOM_PRESET_ID,
    label: 'Custom (choose scopes yourself)',
    integration: 'Custom',
    scopes: [],
    capabilities: [],
    rationale: 'No scopes pre-selected: pick only what the integration documents it needs.',
  },
];

/** All presets, in the order shown in the request modal; scopes in catalogue order. */
export const PRESETS: readonly PresetDef[] = Object.freeze(DEFINITIONS.map((p) => ({ ...p, scopes: sortScopes(p.scopes) })));

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
  return PRESETS.find((p) => [p.id, p.integration, ...(p.aliases ?? [])].some((candidate) => normalise(candidate) === wanted));
}
