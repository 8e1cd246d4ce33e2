/**
 * Catalogue of Bitbucket Cloud API-token scopes.
 *
 * Source: /work/shared/reference/bitbucket/scopes.md (the 34 scopes in Atlassian's
 * published OpenAPI spec, grouped as in its table). Risk levels and `requiresRead` are
 * derived facts: Bitbucket scopes never imply one another, so every write scope that has a
 * read counterpart needs that read scope requested separately. Scopes seen only in the
 * token screen but used by no endpoint (read:permission, wiki, package, test) are left out
 * on purpose: offering them would grant nothing useful.
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
  def('admin', 'repository', 'Repositories', 'Create repos, edit settings and branch rules'),
  def('delete', 'repository', 'Repositories', 'Delete repositories'),
  def('read', 'pullrequest', 'Pull requests', 'View pull requests; comment on them'),
  def('write', 'pullrequest', 'Pull requests', 'Create, update and merge pull requests'),
  def('read', 'project', 'Projects', 'View projects'),
  def('admin', 'project', 'Projects', 'Create and administer projects'),
  def('read', 'workspace', 'Workspaces', 'View workspaces and their members'),
  def('admin', 'workspace', 'Workspaces', 'Administer workspace settings'),
  def('read', 'user', 'User data', 'View the user profile and email addresses'),
  def('write', 'user', 'User data', 'Modify the user profile'),
  def('read', 'pipeline', 'Pipelines', 'View pipelines, steps and logs'),
  def('write', 'pipeline', 'Pipelines', 'Trigger and stop pipelines'),
  def('admin', 'pipeline', 'Pipelines', 'Edit pipeline variables and configuration'),
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
  def('read', 'ssh-key', 'SSH keys (incl. deploy keys)', 'View SSH and deploy keys'),
  def('write', 'ssh-key', 'SSH keys (incl. deploy keys)', 'Add and update SSH and deploy keys'),
  def('delete', 'ssh-key', 'SSH keys (incl. deploy keys)', 'Delete SSH and deploy keys'),
  def('read', 'gpg-key', 'GPG keys', 'View GPG keys'),
  def('write', 'gpg-key', 'GPG keys', 'Add and update GPG keys'),
  def('delete', 'gpg-key', 'GPG keys', 'Delete GPG keys'),
  def('write', 'permission', 'Permissions', 'Grant permissions (used with an admin scope)'),
  def('delete', 'permission', 'Permissions', 'Remove permissions (used with an admin scope)'),
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
