import { describe, expect, it } from 'vitest';
import { NAME_MAX } from '../../../src/domain/limits.js';
import { CUSTOM_PRESET_ID, DEFAULT_PRESET_ID, PRESETS, findPreset, matchPreset, suggestTokenName } from '../../../src/domain/presets.js';
import { findScope, isKnownScope, missingReadScopes, sortScopes } from '../../../src/domain/scopes.js';
import { adviseScopes, findCapability } from '../../../src/domain/capabilities.js';

describe('presets', () => {
  it('have unique short ids without colons', () => {
    const ids = PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['deeptraq', 'ci', 'renovate', 'pr-review', 'indexing', 'kibana', 'infrakitchen', 'infrakitchen-prs', 'custom']);
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id.length).toBeLessThanOrEqual(20);
    }
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s uses known scopes, write-with-read, in catalogue order', (_id, p) => {
    for (const s of p.scopes) expect(isKnownScope(s), s).toBe(true);
    expect(missingReadScopes(p.scopes)).toEqual([]);
    expect(new Set(p.scopes).size).toBe(p.scopes.length);
    expect(p.label.length).toBeLessThanOrEqual(75);
    expect(p.rationale.length).toBeGreaterThan(10);
    expect(p.scopes).toEqual(sortScopes(p.scopes));
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s has exactly the scopes the advisor derives from its capabilities', (_id, p) => {
    for (const id of p.capabilities) expect(findCapability(id), id).toBeDefined();
    expect([...p.scopes].sort()).toEqual(adviseScopes(p.capabilities));
  });

  it('no preset grants admin or delete scopes', () => {
    for (const p of PRESETS) for (const s of p.scopes) expect(findScope(s)?.risk).not.toBe('high');
  });

  it('match the documented sets', () => {
    expect(findPreset('deeptraq')?.scopes).toEqual(['read:repository:bitbucket', 'write:repository:bitbucket']);
    expect(findPreset('indexing')?.scopes).toEqual(['read:repository:bitbucket', 'read:pullrequest:bitbucket', 'read:project:bitbucket']);
    expect(findPreset('ci')?.scopes).toContain('write:pipeline:bitbucket');
    expect(findPreset('ci')?.scopes).not.toContain('write:repository:bitbucket');
    expect(findPreset('renovate')?.scopes).toHaveLength(8);
    expect(findPreset('pr-review')?.scopes).not.toContain('write:pullrequest:bitbucket');
    // scopes.md, "Integrations and their documented API-token scopes".
    expect(findPreset('kibana')?.scopes).toEqual([
      'read:repository:bitbucket',
      'write:repository:bitbucket',
      'read:pullrequest:bitbucket',
      'write:pullrequest:bitbucket',
      'read:pipeline:bitbucket',
      'write:pipeline:bitbucket',
    ]);
    expect(findPreset('infrakitchen')?.scopes).toEqual([
      'read:repository:bitbucket',
      'read:project:bitbucket',
      'read:workspace:bitbucket',
      'read:user:bitbucket',
    ]);
    expect(findPreset('infrakitchen-prs')?.scopes).toEqual([
      'read:repository:bitbucket',
      'write:repository:bitbucket',
      'read:pullrequest:bitbucket',
      'write:pullrequest:bitbucket',
      'read:project:bitbucket',
      'read:workspace:bitbucket',
      'read:user:bitbucket',
    ]);
    expect(findPreset(CUSTOM_PRESET_ID)?.scopes).toEqual([]);
    expect(findPreset(CUSTOM_PRESET_ID)?.integration).toBe('Custom');
    expect(DEFAULT_PRESET_ID).toBe('custom');
    expect(findPreset('nope')).toBeUndefined();
  });

  it('suggests token names within the limit', () => {
    expect(suggestTokenName('DeepTraQ')).toBe('DeepTraQ Bitbucket Integration');
    expect(suggestTokenName('  Renovate ')).toBe('Renovate Bitbucket Integration');
    expect(suggestTokenName('x'.repeat(200)).length).toBeLessThanOrEqual(NAME_MAX);
    for (const p of PRESETS) expect(suggestTokenName(p.integration).length).toBeLessThanOrEqual(NAME_MAX);
  });

  it('matches free text to a preset', () => {
    expect(matchPreset('DeepTraQ')?.id).toBe('deeptraq');
    expect(matchPreset('  renovate ')?.id).toBe('renovate');
    expect(matchPreset('PR review')?.id).toBe('pr-review');
    expect(matchPreset('pr-review')?.id).toBe('pr-review');
    expect(matchPreset('Onyx')?.id).toBe('indexing');
    expect(matchPreset('CI')?.id).toBe('ci');
    // Jenkins discovers pull requests and registers webhooks; it runs no Bitbucket pipelines.
    expect(matchPreset('jenkins')).toBeUndefined();
    expect(matchPreset('Elastic')?.id).toBe('kibana');
    expect(matchPreset('kibana')?.id).toBe('kibana');
    // The least-privileged InfraKitchen preset comes first.
    expect(matchPreset('InfraKitchen')?.id).toBe('infrakitchen');
    expect(matchPreset('custom')?.id).toBe('custom');
    expect(matchPreset('')).toBeUndefined();
    expect(matchPreset('something else')).toBeUndefined();
    expect(matchPreset(null)).toBeUndefined();
  });
});
