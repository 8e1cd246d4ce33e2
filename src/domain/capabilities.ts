/**
 * What a token is for, in plain words, grouped by resource: each capability stands for the
 * spec operations an integration calls to do it, so its scopes come from Atlassian's spec
 * rather than from memory. Git over HTTPS is not a REST operation and is not in the spec:
 * Atlassian documents read:repository for clone/fetch/pull and write:repository for push
 * (https://developer.atlassian.com/platform/forge/remote/bitbucket-git-operations/ and
 * https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/).
 */
import { findOperation, unionScopes, type SpecOperation } from './scope-advisor.js';

/** Resource groups, in the order the advisor shows them. */
export const CAPABILITY_GROUPS = [
  'Repositories',
  'Pull requests',
  'Builds and Code Insights',
  'Pipelines',
  'Webhooks',
  'Issues',
  'Projects, workspaces and users',
  'Keys',
  'Snippets',
] as const;

export type CapabilityGroup = (typeof CAPABILITY_GROUPS)[number];

/** Git over HTTPS: not in the REST spec, so its scopes come from Atlassian's documentation. */
export interface GitAccess {
  /** e.g. "git clone, fetch and pull". */
  commands: string;
  scopes: readonly string[];
}

export interface Capability {
  /** Short stable id, e.g. `pr-comment`. */
  id: string;
  group: CapabilityGroup;
  /** Plain words, e.g. "Comment on pull requests". */
  label: string;
  /** The spec operations it stands for, as `METHOD /template`. */
  operations: readonly string[];
  git?: GitAccess;
}

const REPO = '/repositories/{workspace}/{repo_slug}';
const PR = `${REPO}/pullrequests/{pull_request_id}`;
const COMMIT = `${REPO}/commit/{commit}`;
const USER = '/users/{selected_user}';
const PROJECT = '/workspaces/{workspace}/projects/{project_key}';
const SNIPPET = '/snippets/{workspace}/{encoded_id}';

const DEFINITIONS: readonly Capability[] = [
  // Repositories
  {
    id: 'repo-read',
    group: 'Repositories',
    label: 'Read repository contents: files, commits, branches and diffs',
    operations: [
      `GET /repositories/{workspace}`,
      `GET ${REPO}`,
      `GET ${REPO}/src`,
      `GET ${REPO}/src/{commit}/{path}`,
      `GET ${REPO}/commits`,
      `GET ${COMMIT}`,
      `GET ${REPO}/diff/{spec}`,
      `GET ${REPO}/refs/branches`,
      `GET ${REPO}/refs/tags`,
    ],
  },
  {
    id: 'git-clone',
    group: 'Repositories',
    label: 'Clone over HTTPS',
    operations: [],
    git: { commands: 'git clone, fetch and pull', scopes: ['read:repository:bitbucket'] },
  },
  {
    id: 'git-push',
    group: 'Repositories',
    label: 'Push over HTTPS',
    operations: [],
    git: { commands: 'git push', scopes: ['write:repository:bitbucket'] },
  },
  {
    id: 'branch-create',
    group: 'Repositories',
    label: 'Create branches and tags',
    operations: [`POST ${REPO}/refs/branches`, `POST ${REPO}/refs/tags`],
  },
  {
    id: 'branch-delete',
    group: 'Repositories',
    label: 'Delete branches and tags',
    operations: [`DELETE ${REPO}/refs/branches/{name}`, `DELETE ${REPO}/refs/tags/{name}`],
  },
  { id: 'commit-files', group: 'Repositories', label: 'Commit files through the API', operations: [`POST ${REPO}/src`] },
  {
    id: 'repo-admin',
    group: 'Repositories',
    label: 'Create repositories and change their settings',
    operations: [`POST ${REPO}`, `PUT ${REPO}`],
  },
  {
    id: 'branch-restrictions',
    group: 'Repositories',
    label: 'Manage branch restrictions',
    operations: [
      `GET ${REPO}/branch-restrictions`,
      `POST ${REPO}/branch-restrictions`,
      `PUT ${REPO}/branch-restrictions/{id}`,
      `DELETE ${REPO}/branch-restrictions/{id}`,
    ],
  },
  {
    id: 'repo-permissions',
    group: 'Repositories',
    label: 'Grant and revoke repository permissions',
    operations: [
      `GET ${REPO}/permissions-config/users`,
      `PUT ${REPO}/permissions-config/users/{selected_user_id}`,
      `DELETE ${REPO}/permissions-config/users/{selected_user_id}`,
      `PUT ${REPO}/permissions-config/groups/{group_slug}`,
      `DELETE ${REPO}/permissions-config/groups/{group_slug}`,
    ],
  },
  { id: 'repo-delete', group: 'Repositories', label: 'Delete repositories', operations: [`DELETE ${REPO}`] },
  // Pull requests
  {
    id: 'pr-read',
    group: 'Pull requests',
    label: 'Read pull requests and their diffs',
    operations: [
      `GET ${REPO}/pullrequests`,
      `GET ${PR}`,
      `GET ${PR}/diff`,
      `GET ${PR}/diffstat`,
      `GET ${PR}/patch`,
      `GET ${PR}/commits`,
      `GET ${PR}/activity`,
      `GET ${PR}/comments`,
    ],
  },
  {
    id: 'pr-comment',
    group: 'Pull requests',
    label: 'Comment on pull requests',
    operations: [`GET ${PR}/comments`, `POST ${PR}/comments`, `PUT ${PR}/comments/{comment_id}`, `DELETE ${PR}/comments/{comment_id}`],
  },
  {
    id: 'pr-create',
    group: 'Pull requests',
    label: 'Open, update and decline pull requests',
    operations: [`POST ${REPO}/pullrequests`, `PUT ${PR}`, `POST ${PR}/decline`],
  },
  {
    id: 'pr-approve-merge',
    group: 'Pull requests',
    label: 'Approve / merge pull requests',
    operations: [
      `POST ${PR}/approve`,
      `DELETE ${PR}/approve`,
      `POST ${PR}/request-changes`,
      `POST ${PR}/merge`,
      `GET ${PR}/merge/task-status/{task_id}`,
    ],
  },
  // Builds
  {
    id: 'build-status',
    group: 'Builds and Code Insights',
    label: 'Post build statuses and Code Insights reports',
    operations: [
      `POST ${COMMIT}/statuses/build`,
      `PUT ${COMMIT}/statuses/build/{key}`,
      `PUT ${COMMIT}/reports/{reportId}`,
      `POST ${COMMIT}/reports/{reportId}/annotations`,
    ],
  },
  // Pipelines
  {
    id: 'pipeline-read',
    group: 'Pipelines',
    label: 'Read pipelines, steps and logs',
    operations: [
      `GET ${REPO}/pipelines`,
      `GET ${REPO}/pipelines/{pipeline_uuid}`,
      `GET ${REPO}/pipelines/{pipeline_uuid}/steps`,
      `GET ${REPO}/pipelines/{pipeline_uuid}/steps/{step_uuid}/log`,
    ],
  },
  {
    id: 'pipeline-run',
    group: 'Pipelines',
    label: 'Run and stop pipelines',
    operations: [`POST ${REPO}/pipelines`, `POST ${REPO}/pipelines/{pipeline_uuid}/stopPipeline`],
  },
  {
    id: 'pipeline-variables',
    group: 'Pipelines',
    label: 'Manage repository pipeline variables',
    operations: [
      `GET ${REPO}/pipelines_config/variables`,
      `POST ${REPO}/pipelines_config/variables`,
      `PUT ${REPO}/pipelines_config/variables/{variable_uuid}`,
      `DELETE ${REPO}/pipelines_config/variables/{variable_uuid}`,
    ],
  },
  {
    id: 'deployments-read',
    group: 'Pipelines',
    label: 'Read deployments and environments',
    operations: [`GET ${REPO}/deployments`, `GET ${REPO}/environments`],
  },
  {
    id: 'runners',
    group: 'Pipelines',
    label: 'Register and manage workspace runners',
    operations: [
      'GET /workspaces/{workspace}/pipelines-config/runners',
      'POST /workspaces/{workspace}/pipelines-config/runners',
      'PUT /workspaces/{workspace}/pipelines-config/runners/{runner_uuid}',
      'DELETE /workspaces/{workspace}/pipelines-config/runners/{runner_uuid}',
    ],
  },
  // Webhooks
  {
    id: 'webhooks',
    group: 'Webhooks',
    label: 'Manage webhooks (list, create, update)',
    operations: [`GET ${REPO}/hooks`, `POST ${REPO}/hooks`, `GET ${REPO}/hooks/{uid}`, `PUT ${REPO}/hooks/{uid}`],
  },
  { id: 'webhooks-delete', group: 'Webhooks', label: 'Delete webhooks', operations: [`DELETE ${REPO}/hooks/{uid}`] },
  // Issues
  {
    id: 'issue-read',
    group: 'Issues',
    label: 'Read issues and their comments',
    operations: [`GET ${REPO}/issues`, `GET ${REPO}/issues/{issue_id}`, `GET ${REPO}/issues/{issue_id}/comments`],
  },
  {
    id: 'issue-write',
    group: 'Issues',
    label: 'Create, update and comment on issues',
    operations: [`POST ${REPO}/issues`, `PUT ${REPO}/issues/{issue_id}`, `POST ${REPO}/issues/{issue_id}/comments`],
  },
  {
    id: 'issue-vote-watch',
    group: 'Issues',
    label: 'Vote for and watch issues',
    operations: [
      `PUT ${REPO}/issues/{issue_id}/vote`,
      `DELETE ${REPO}/issues/{issue_id}/vote`,
      `PUT ${REPO}/issues/{issue_id}/watch`,
      `DELETE ${REPO}/issues/{issue_id}/watch`,
    ],
  },
  // Projects, workspaces, users
  {
    id: 'project-read',
    group: 'Projects, workspaces and users',
    label: 'Read projects',
    operations: ['GET /workspaces/{workspace}/projects', `GET ${PROJECT}`],
  },
  {
    id: 'project-admin',
    group: 'Projects, workspaces and users',
    label: 'Create and change projects',
    operations: ['POST /workspaces/{workspace}/projects', `PUT ${PROJECT}`],
  },
  {
    id: 'workspace-read',
    group: 'Projects, workspaces and users',
    label: 'Read workspaces and their members',
    operations: ['GET /user/workspaces', 'GET /workspaces/{workspace}', 'GET /workspaces/{workspace}/members'],
  },
  {
    id: 'user-read',
    group: 'Projects, workspaces and users',
    label: "Read the token owner's profile and email addresses",
    operations: ['GET /user', 'GET /user/emails'],
  },
  // Keys
  { id: 'deploy-key-add', group: 'Keys', label: 'Add deploy keys', operations: [`POST ${REPO}/deploy-keys`] },
  { id: 'deploy-key-remove', group: 'Keys', label: 'Remove deploy keys', operations: [`DELETE ${REPO}/deploy-keys/{key_id}`] },
  {
    id: 'ssh-key-read',
    group: 'Keys',
    label: "Read the user's own SSH keys",
    operations: [`GET ${USER}/ssh-keys`, `GET ${USER}/ssh-keys/{key_id}`],
  },
  { id: 'ssh-key-add', group: 'Keys', label: "Add SSH keys to the user's account", operations: [`POST ${USER}/ssh-keys`] },
  // Snippets
  { id: 'snippet-read', group: 'Snippets', label: 'Read snippets', operations: ['GET /snippets/{workspace}', `GET ${SNIPPET}`] },
  {
    id: 'snippet-write',
    group: 'Snippets',
    label: 'Create and update snippets',
    operations: ['POST /snippets/{workspace}', `PUT ${SNIPPET}`],
  },
];

/** Every capability, in {@link CAPABILITY_GROUPS} order. */
export const CAPABILITIES: readonly Capability[] = Object.freeze(
  CAPABILITY_GROUPS.flatMap((group) => DEFINITIONS.filter((c) => c.group === group)),
);

const BY_ID = new Map(CAPABILITIES.map((c) => [c.id, c] as const));

/** The capability with this id, or undefined. */
export function findCapability(id: string): Capability | undefined {
  return BY_ID.get(id);
}

/** The spec operations behind a capability (every key is checked by a unit test). */
export function capabilityOperations(capability: Capability): SpecOperation[] {
  return capability.operations.map((key) => {
    const [method, path] = key.split(' ') as [string, string];
    const op = findOperation(method, path);
    if (!op) throw new Error(`capability ${capability.id} names ${key}, which is not in the operations table`);
    return op;
  });
}

/** Scopes one capability needs: its operations' scopes and, for git, the documented ones; sorted. */
export function capabilityScopes(capability: Capability): string[] {
  return [...new Set([...unionScopes(capabilityOperations(capability)), ...(capability.git?.scopes ?? [])])].sort();
}

/** Why a scope is advised: the capabilities needing it, with their operations (or git commands). */
export interface CapabilityReason {
  scope: string;
  needs: Array<{ capability: Capability; operations: SpecOperation[]; git?: string }>;
}

/** Capabilities grouped for display, groups and capabilities in catalogue order. */
export function capabilitiesByGroup(): Array<{ group: CapabilityGroup; capabilities: Capability[] }> {
  return CAPABILITY_GROUPS.map((group) => ({ group, capabilities: CAPABILITIES.filter((c) => c.group === group) }));
}

function resolveIds(ids: readonly string[]): Capability[] {
  const unknown = ids.filter((id) => !BY_ID.has(id));
  if (unknown.length > 0) throw new Error(`unknown capability ${unknown.join(', ')}`);
  return [...new Set(ids)].map((id) => BY_ID.get(id)!);
}

/**
 * The advisor: the minimal scopes for the chosen capabilities (ids), sorted by name. Each
 * operation's scopes are all required and scopes never imply one another, so the minimum is
 * exactly the union. Throws on an unknown id: ids come from our own catalogue.
 */
export function adviseScopes(capabilityIds: readonly string[]): string[] {
  return [...new Set(resolveIds(capabilityIds).flatMap(capabilityScopes))].sort();
}

/** Per advised scope (sorted by name), which chosen capabilities need it and through which operations. */
export function explainCapabilities(capabilityIds: readonly string[]): CapabilityReason[] {
  const chosen = resolveIds(capabilityIds);
  return adviseScopes(capabilityIds).map((scope) => ({
    scope,
    needs: chosen.flatMap((capability) => {
      const operations = capabilityOperations(capability).filter((op) => op.scopes.includes(scope));
      const git = capability.git?.scopes.includes(scope) ? capability.git.commands : undefined;
      if (operations.length === 0 && git === undefined) return [];
      return [{ capability, operations, ...(git ? { git } : {}) }];
    }),
  }));
}

/**
 * Capabilities a token with `scopes` would have, if only it also had `extra`: those that need
 * `extra` and nothing else missing. Used to say what a write scope without its read scope lacks.
 */
export function capabilitiesUnlockedBy(scopes: readonly string[], extra: string): Capability[] {
  const granted = new Set([...scopes, extra]);
  return CAPABILITIES.filter((c) => {
    const needed = capabilityScopes(c);
    return needed.includes(extra) && needed.every((s) => granted.has(s));
  });
}
