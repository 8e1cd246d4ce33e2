import { describe, expect, it } from 'vitest';
import {
  SCOPES,
  SCOPE_GROUPS,
  describeRisk,
  findScope,
  highestRisk,
  isKnownScope,
  missingReadScopes,
  scopesByGroup,
  sortScopes,
} from '../../../src/domain/scopes.js';

const EXPECTED = [
  'read:repository', 'write:repository', 'admin:repository', 'delete:repository',
  'read:pullrequest', 'write:pullrequest',
  'read:project', 'admin:project',
  'read:workspace', 'admin:workspace',
  'read:user', 'write:user',
  'read:pipeline', 'write:pipeline', 'admin:pipeline',
  'read:runner', 'write:runner',
  'read:issue', 'write:issue', 'delete:issue',
  'read:webhook', 'write:webhook', 'delete:webhook',
  'read:snippet', 'write:snippet', 'delete:snippet',
  'read:ssh-key', 'write:ssh-key', 'delete:ssh-key',
  'read:gpg-key', 'write:gpg-key', 'delete:gpg-key',
  'write:permission', 'delete:permission',
].map((s) => `${s}:bitbucket`);

describe('scope catalogue', () => {
  it('has exactly the 34 scopes of scopes.md, in table order, unique', () => {
    expect(SCOPES.map((s) => s.name)).toEqual(EXPECTED);
    expect(new Set(SCOPES.map((s) => s.name)).size).toBe(34);
  });

  it('derives action and resource from the name', () => {
    for (const s of SCOPES) expect(s.name).toBe(`${s.action}:${s.resource}:bitbucket`);
  });

  it('keeps groups in table order and covers every scope', () => {
    const groups = scopesByGroup();
    expect(groups.map((g) => g.group)).toEqual([...SCOPE_GROUPS]);
    expect(groups.flatMap((g) => g.scopes.map((s) => s.name))).toEqual(EXPECTED);
    for (const g of groups) expect(g.scopes.length).toBeGreaterThan(0);
    expect(SCOPE_GROUPS.every((g) => g.length <= 75)).toBe(true);
  });

  it('summaries are short and present', () => {
    for (const s of SCOPES) {
      expect(s.summary.length).toBeGreaterThan(0);
      expect(s.summary.length).toBeLessThanOrEqual(55);
    }
  });

  it('every write scope with a read counterpart requires it, and only those', () => {
    for (const s of SCOPES) {
      const read = `read:${s.resource}:bitbucket`;
      if (s.action === 'write' && isKnownScope(read)) {
        expect(s.requiresRead, s.name).toBe(read);
      } else {
        expect(s.requiresRead, s.name).toBeUndefined();
      }
    }
    expect(findScope('write:permission:bitbucket')?.requiresRead).toBeUndefined();
    expect(SCOPES.filter((s) => s.requiresRead).length).toBe(10);
  });

  it('assigns risk: read low, write medium, admin/delete/permission high', () => {
    for (const s of SCOPES) {
      const expected =
        s.action === 'admin' || s.action === 'delete' || s.resource === 'permission'
          ? 'high'
          : s.action === 'write'
            ? 'medium'
            : 'low';
      expect(s.risk, s.name).toBe(expected);
    }
    expect(findScope('write:permission:bitbucket')?.risk).toBe('high');
  });

  it('looks scopes up exactly', () => {
    expect(findScope('read:repository:bitbucket')?.group).toBe('Repositories');
    expect(findScope('READ:repository:bitbucket')).toBeUndefined();
    expect(isKnownScope('read:permission:bitbucket')).toBe(false);
    expect(isKnownScope('read:wiki:bitbucket')).toBe(false);
  });

  it('describes risk', () => {
    expect(describeRisk('low')).toBe('Low risk');
    expect(describeRisk('medium')).toBe('Medium risk');
    expect(describeRisk('high')).toBe('High risk');
  });

  it('sorts into catalogue order, merging duplicates, unknown last', () => {
    expect(
      sortScopes([
        'zzz',
        'write:repository:bitbucket',
        'read:pullrequest:bitbucket',
        'read:repository:bitbucket',
        'write:repository:bitbucket',
      ]),
    ).toEqual(['read:repository:bitbucket', 'write:repository:bitbucket', 'read:pullrequest:bitbucket', 'zzz']);
  });

  it('reports missing read scopes and the highest risk', () => {
    expect(missingReadScopes(['write:repository:bitbucket', 'write:webhook:bitbucket', 'read:webhook:bitbucket'])).toEqual([
      { scope: 'write:repository:bitbucket', needs: 'read:repository:bitbucket' },
    ]);
    expect(highestRisk([])).toBe('low');
    expect(highestRisk(['read:user:bitbucket', 'write:user:bitbucket'])).toBe('medium');
    expect(highestRisk(['read:user:bitbucket', 'delete:issue:bitbucket'])).toBe('high');
  });
});
