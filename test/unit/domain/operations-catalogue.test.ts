import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TABLE_PATH, deriveOperations, deriveTableFromFile, renderOperationsModule } from '../../../scripts/derive-catalogue.js';
import { OPERATION_ROWS, SPEC_REVISION } from '../../../src/domain/operations.generated.js';
import { loadReferenceSpec, referenceOperations } from '../../support/reference-spec.js';

describe('the derived operations table', () => {
  it('is exactly what npm run catalogue derives from the reference spec', () => {
    const { path, spec } = loadReferenceSpec();
    const fresh = deriveTableFromFile(path);
    // Compared as text so a hand edit, a stale table or a changed spec all fail here.
    expect(readFileSync(TABLE_PATH, 'utf8')).toBe(fresh);
    expect(SPEC_REVISION).toBe(spec['x-revision']);
  });

  it('has every spec operation, 305 of them with scopes (the issue counts 247 with one, 58 with two)', () => {
    const { spec } = loadReferenceSpec();
    const ops = referenceOperations(spec);
    expect(OPERATION_ROWS).toHaveLength(ops.length);
    const scoped = OPERATION_ROWS.filter((r) => r[4].length > 0);
    expect(scoped).toHaveLength(305);
    expect(scoped.filter((r) => r[4].length === 1)).toHaveLength(247);
    expect(scoped.filter((r) => r[4].length === 2)).toHaveLength(58);
    const rows = new Map<string, string[]>(OPERATION_ROWS.map((r) => [`${r[0]} ${r[1]}`, [...r[4]].sort()]));
    for (const op of ops) expect(rows.get(op.key), op.key).toEqual([...op.scopes].sort());
  });

  it('keeps summaries on one line and marks deprecated operations', () => {
    for (const row of OPERATION_ROWS) expect(row[2]).not.toMatch(/\s{2}|\n/);
    const issues = OPERATION_ROWS.find((r) => r[0] === 'GET' && r[1] === '/repositories/{workspace}/{repo_slug}/issues');
    expect(issues?.[5]).toBe(1);
    const prs = OPERATION_ROWS.find((r) => r[0] === 'GET' && r[1] === '/repositories/{workspace}/{repo_slug}/pullrequests');
    expect(prs).toEqual([
      'GET',
      '/repositories/{workspace}/{repo_slug}/pullrequests',
      'List pull requests',
      'Pullrequests',
      ['read:pullrequest:bitbucket'],
    ]);
  });

  it('derivation refuses alternative scope sets rather than pick one, and sorts rows', () => {
    const spec = {
      paths: {
        '/b': { get: { summary: ' B\n  op ', tags: ['T'], 'x-atlassian-oauth2-scopes': [{ scopes: ['z', 'a'] }] } },
        '/a': { delete: { summary: 'A', deprecated: true }, get: { summary: 'A get' } },
      },
    };
    expect(deriveOperations(spec).map((o) => `${o.method} ${o.path} ${o.summary} ${o.scopes.join('+')} ${o.deprecated}`)).toEqual([
      'GET /a A get  false',
      'DELETE /a A  true',
      'GET /b B op a+z false',
    ]);
    expect(renderOperationsModule(deriveOperations(spec), 'r1')).toContain('["DELETE","/a","A","",[],1],');
    const twoWays = { paths: { '/x': { get: { 'x-atlassian-oauth2-scopes': [{ scopes: ['a'] }, { scopes: ['b'] }] } } } };
    expect(() => deriveOperations(twoWays)).toThrow(/alternative scope sets/);
  });

  it('names no absolute path, only the relative reference location and the public URL', () => {
    const text = readFileSync(TABLE_PATH, 'utf8');
    expect(text).toContain('../shared/reference/bitbucket/swagger.v3.json');
    expect(text).toContain('https://dac-static.atlassian.com/cloud/bitbucket/swagger.v3.json');
    expect(text).not.toMatch(/(^|[\s(])\/(work|home|Users|tmp)\//m);
  });
});
