/**
 * Catalogue of Bitbucket Cloud API-token scopes.
 *
 * Source: ../shared/reference/bitbucket/scopes.md (the 34 scopes in Atlassian's published
 * OpenAPI spec, grouped as in its table); summaries say what the spec's operations use each
 * scope for (checked against operations.generated.ts by test/unit/domain/scopes.test.ts).
 * Bitbucket scopes never imply one another: `requiresRead` names the read counterpart a write
 * scope does not include. That is advice, not a rule: 33 spec operations need a write scope
 * without its read (stop a pipeline, delete a branch, add a deploy key), so a token without the
 * read scope is legitimate, it just cannot do what needs both. Scopes seen only in the token
 * screen but used by no endpoint (read:permission, wiki, package, test) are left out on purpose:
 * offering them would grant nothing useful.
 */
import type { RiskLevel, ScopeAction, ScopeDef } from './types.js';

/** Option-group labels, in the order of the reference table. */
export const SCOPE_GROUPS = [
  'Repositories',
  'Pull requests',
  'Projects',
  'Workspaces',
  'User data',
  'Pipelines',
  'Runners',
  'Issues',
  'Webhooks',
  'Snippets',
  'SSH keys (incl. deploy keys)',
  'GPG keys',
  'Permissions',
] as const;

/** One of {@link SCOPE_GROUPS}. */
export type ScopeGroup = (typeof SCOPE_GROUPS)[number];

/** Resources whose write scope has a matching read scope in the catalogue. */
const READABLE_RESOURCES = new Set([
  'repository',
  'pullrequest',
  'user',
  'pipeline',
  'runner',
  'issue',
  'webhook',
  'snippet',
  'ssh-key',
  'gpg-key',
]);

function riskOf(action: ScopeAction, resource: string): RiskLevel {
  // write:permission hands out access to others, so it is as risky as admin/delete.
  if (action === 'admin' || action === 'delete' || resource === 'permission') return 'high';
  return action === 'write' ? 'medium' : 'low';
}

function def(action: ScopeAction, resource: string, group: ScopeGroup, summary: string): ScopeDef {
  const scope: ScopeDef = {
    name: `${action}:${resource}:bitbucket`,
    action,
    resource,
    group,
    risk: riskOf(action, resource),
    summary,
  };
  if (action === 'write' && READABLE_RESOURCES.has(resource)) {
    scope.requiresRead = `read:${resource}:bitbucket`;
  }
  return scope;
}

/** All 34 scopes, in the reference table's group order (and read, write, admin, delete within a group). */
export const SCOPES: readonly ScopeDef[] = Object.freeze([
  def('read', 'repository', 'Repositories', 'View source, files and repo settings (not PRs)'),
  def('write', 'repository', 'Repositories', 'Modify repositories and source (not PRs)'),
  def('admin', 'repository', 'Repositories', 'Create repos, settings, branch rules; no read/write'),
  def('delete', 'repository', 'Repositories', 'Delete repositories'),
  def('read', 'pullrequest', 'Pull requests', 'View pull requests; comment on them'),
  def('write', 'pullrequest', 'Pull requests', 'Create, update, approve and merge pull requests'),
  def('read', 'project', 'Projects', 'View projects'),
  def('admin', 'project', 'Projects', 'Create and administer projects'),
  def('read', 'workspace', 'Workspaces', 'View workspaces and their members'),
  def('admin', 'workspace', 'Workspaces', 'Read Connect app properties and client keys'),
  def('read', 'user', 'User data', 'View the user profile and email addresses'),
  def('write', 'user', 'User data', 'Vote for and watch issues (with write:issue)'),
  def('read', 'pipeline', 'Pipelines', 'View pipelines, logs, deployments, variables'),
  def('write', 'pipeline', 'Pipelines', 'Run and stop pipelines; schedules and caches'),
  def('admin', 'pipeline', 'Pipelines', 'Edit pipeline variables, environments, SSH keys'),
  def('read', 'runner', 'Runners', 'View runners'),
  def('write', 'runner', 'Runners', 'Register, update and remove runners'),
  def('read', 'issue', 'Issues', 'View issues'),
  def('write', 'issue', 'Issues', 'Create and update issues'),
  def('delete', 'issue', 'Issues', 'Delete issues'),
  def('read', 'webhook', 'Webhooks', 'View webhooks'),
  def('write', 'webhook', 'Webhooks', 'Create and update webhooks'),
  def('delete', 'webhook', 'Webhooks', 'Delete webhooks'),
  def('read', 'snippet', 'Snippets', 'View snippets'),
  def('write', 'snippet', 'Snippets', 'Create and update snippets'),
  def('delete', 'snippet', 'Snippets', 'Delete snippets'),
  def('read', 'ssh-key', 'SSH keys (incl. deploy keys)', "View the user's own SSH keys (not deploy keys)"),
  def('write', 'ssh-key', 'SSH keys (incl. deploy keys)', 'Add user SSH keys; deploy keys with an admin scope'),
  def('delete', 'ssh-key', 'SSH keys (incl. deploy keys)', 'Delete user SSH keys; deploy keys with admin scope'),
  def('read', 'gpg-key', 'GPG keys', "View the user's GPG keys"),
  def('write', 'gpg-key', 'GPG keys', 'Add and update GPG keys'),
  def('delete', 'gpg-key', 'GPG keys', 'Delete GPG keys'),
  def('write', 'permission', 'Permissions', 'Grant permissions (needs admin:repository/project)'),
  def('delete', 'permission', 'Permissions', 'Remove permissions (needs admin:repository/project)'),
]);

const BY_NAME = new Map(SCOPES.map((s) => [s.name, s] as const));
const ORDER = new Map(SCOPES.map((s, i) => [s.name, i] as const));

/** The scope with this exact name, or undefined. Names are case-sensitive, as in Bitbucket. */
export function findScope(name: string): ScopeDef | undefined {
  return BY_NAME.get(name);
}

/** True when `name` is one of the 34 catalogue scopes. */
export function isKnownScope(name: string): boolean {
  return BY_NAME.has(name);
}

/** Scopes grouped by {@link SCOPE_GROUPS}, groups and scopes in catalogue order. */
export function scopesByGroup(): Array<{ group: ScopeGroup; scopes: ScopeDef[] }> {
  return SCOPE_GROUPS.map((group) => ({
    group,
    scopes: SCOPES.filter((s) => s.group === group),
  }));
}

/** Human label for a risk level: "Low risk", "Medium risk" or "High risk". */
export function describeRisk(risk: RiskLevel): string {
  switch (risk) {
    case 'low':
      return 'Low risk';
    case 'medium':
      return 'Medium risk';
    case 'high':
      return 'High risk';
  }
}

/**
 * Deduplicates and sorts scope names into catalogue order. Unknown names are kept (after the
 * known ones, alphabetically) so callers can still report them.
 */
export function sortScopes(names: readonly string[]): string[] {
  const unique = [...new Set(names)];
  return unique.sort((a, b) => {
    const ia = ORDER.get(a);
    const ib = ORDER.get(b);
    if (ia !== undefined && ib !== undefined) return ia - ib;
    if (ia !== undefined) return -1;
    if (ib !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Write scopes in `names` whose read counterpart is missing, with the read scope to add.
 * Bitbucket scopes do not imply each other, so a write scope alone fails on read endpoints.
 */
export function missingReadScopes(names: readonly string[]): Array<{ scope: string; needs: string }> {
  const present = new Set(names);
  const missing: Array<{ scope: string; needs: string }> = [];
  for (const name of sortScopes(names)) {
    const needs = BY_NAME.get(name)?.requiresRead;
    if (needs !== undefined && !present.has(needs)) missing.push({ scope: name, needs });
  }
  return missing;
}

/** Scopes that only work together with an admin scope (scopes.md: "always with admin:repository or admin:project"). */
export const PERMISSION_SCOPES: readonly string[] = ['write:permission:bitbucket', 'delete:permission:bitbucket'];
/** The admin scopes a permission scope works with. */
export const PERMISSION_ADMIN_SCOPES: readonly string[] = ['admin:repository:bitbucket', 'admin:project:bitbucket'];

/**
 * The problem with permission scopes in `names`, or undefined: write:permission and
 * delete:permission grant nothing without admin:repository or admin:project (every spec
 * operation that uses them needs one of those too), and Atlassian only issues them together.
 */
export function checkPermissionScopes(names: readonly string[]): string | undefined {
  const present = new Set(names);
  const lonely = PERMISSION_SCOPES.filter((s) => present.has(s));
  if (lonely.length === 0 || PERMISSION_ADMIN_SCOPES.some((s) => present.has(s))) return undefined;
  const verb = lonely.length === 1 ? 'works' : 'work';
  return `${lonely.join(' and ')} only ${verb} together with admin:repository:bitbucket or admin:project:bitbucket: add the admin scope for what it manages, or remove it.`;
}

/**
 * Older app-password and OAuth scope names (Atlassian's "classic" scopes, the `security.oauth2`
 * lists in the spec) and the API-token scopes that replace them. Checked against the spec by
 * test/unit/domain/scopes.test.ts: every operation that lists the old name uses the new ones.
 */
const LEGACY_SCOPES: ReadonlyMap<string, readonly string[]> = new Map(
  (
    [
      ['account', ['read:user', 'read:workspace']],
      ['account:write', ['write:user']],
      ['email', ['read:user']],
      ['team', ['read:workspace']],
      ['team:write', ['admin:workspace']],
      ['repository', ['read:repository']],
      ['repository:write', ['read:repository', 'write:repository']],
      ['repository:admin', ['admin:repository']],
      ['repository:delete', ['delete:repository']],
      ['pullrequest', ['read:pullrequest']],
      ['pullrequest:write', ['read:pullrequest', 'write:pullrequest']],
      ['issue', ['read:issue']],
      ['issue:write', ['read:issue', 'write:issue']],
      ['snippet', ['read:snippet']],
      ['snippet:write', ['read:snippet', 'write:snippet']],
      ['webhook', ['read:webhook', 'write:webhook', 'delete:webhook']],
      ['pipeline', ['read:pipeline']],
      ['pipeline:write', ['read:pipeline', 'write:pipeline']],
      ['pipeline:variable', ['admin:pipeline']],
      ['runner', ['read:runner']],
      ['runner:write', ['read:runner', 'write:runner']],
      ['project', ['read:project']],
      ['project:admin', ['admin:project']],
    ] as const
  ).map(([old, scopes]) => [old, scopes.map((s) => `${s}:bitbucket`)]),
);

/** The API-token scopes replacing an app-password scope name such as `pullrequest:write`, or undefined. */
export function replacementForLegacyScope(name: string): readonly string[] | undefined {
  return LEGACY_SCOPES.get(name.trim().toLowerCase());
}

/** Every legacy scope name {@link replacementForLegacyScope} knows. */
export function legacyScopeNames(): string[] {
  return [...LEGACY_SCOPES.keys()];
}

/**
 * A hint for a scope name that is not in the catalogue but is recognisably meant as one: an
 * app-password scope name (`repository:write`) or an API-token scope missing its `:bitbucket`
 * suffix. Undefined when there is nothing better to say than "unknown".
 */
export function hintForUnknownScope(name: string): string | undefined {
  const trimmed = name.trim();
  const replacement = replacementForLegacyScope(trimmed);
  if (replacement) {
    return `"${trimmed}" is an app-password scope name; API tokens use ${replacement.join(' and ')} instead`;
  }
  const suffixed = `${trimmed.toLowerCase()}:bitbucket`;
  if (BY_NAME.has(suffixed)) return `"${trimmed}" needs its suffix: ${suffixed}`;
  return undefined;
}

/** The highest risk among the given scopes ('low' for none or only unknown ones). */
export function highestRisk(names: readonly string[]): RiskLevel {
  let risk: RiskLevel = 'low';
  for (const name of names) {
    const r = BY_NAME.get(name)?.risk;
    if (r === 'high') return 'high';
    if (r === 'medium') risk = 'medium';
  }
  return risk;
}
