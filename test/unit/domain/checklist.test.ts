import { describe, expect, it } from 'vitest';
import { TOKEN_TYPE, buildChecklist, describeRepositoryAccess } from '../../../src/domain/checklist.js';

const RR = 'read:repository:bitbucket';
const WR = 'write:repository:bitbucket';

// The guide's step texts (reference/seed), in order; each personalised step starts with them.
const GUIDE_STEPS = [
  'Sign in to your Bitbucket account',
  'Open your profile menu and navigate to Account Settings.',
  'In the settings menu, go to Security.',
  'Select API Tokens to manage tokens for programmatic access.',
  'Click Create API Token',
  'Provide a token name that clearly identifies the purpose of the integration',
  'Set an expiration date to automatically revoke the token after a defined period',
  'Proceed to the token configuration section.',
  'Choose Bitbucket API token as the token type',
  'Select the required scopes and permissions depending on your integration needs',
  'Search and add',
  'Review the selected scopes and permissions before generating the token',
  'Click Generate token.',
  'Copy the generated token immediately and store it securely. Bitbucket displays the token only once for security reasons',
];

describe('buildChecklist', () => {
  const input = { name: 'DeepTraQ Bitbucket Integration', expiresOn: '2026-05-29', scopes: [WR, RR, WR] };

  it("has the guide's 14 steps in order", () => {
    const { steps } = buildChecklist(input);
    expect(steps.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    for (const [i, s] of steps.entries()) expect(s.text.startsWith(GUIDE_STEPS[i] ?? '?'), s.text).toBe(true);
  });

  it('fills in the user values', () => {
    const { steps } = buildChecklist(input, { now: new Date('2026-02-27T11:30:00Z'), timeZone: 'Pacific/Auckland' });
    const text = (n: number) => steps[n - 1]?.text ?? '';
    expect(text(6)).toContain('DeepTraQ Bitbucket Integration');
    expect(text(7)).toContain('Fri 29 May 2026 (2026-05-29)');
    expect(text(7)).toContain('90 days from today');
    expect(text(9)).toContain(TOKEN_TYPE);
    expect(text(10)).toContain('exactly 2 scopes');
    expect(text(11)).toContain(`${RR}, ${WR}`);
    expect(text(12)).toContain(`${RR}, ${WR}`);
    expect(text(12)).toContain('Read and Write');
    expect(text(14)).toMatch(/only once/);
    expect(text(14)).toMatch(/never paste it into Slack/);
  });

  it('mentions the workspace only when given', () => {
    const without = buildChecklist(input);
    expect(without.steps.some((s) => s.text.includes('workspace'))).toBe(false);
    expect(without.fields.map((f) => f.field)).toEqual(['Token Name', 'Expiration Date', 'Token Type', 'Scopes', 'Repository Access']);
    const withWs = buildChecklist({ ...input, workspace: 'acme-eng' });
    expect(withWs.steps[7]?.text).toContain('acme-eng');
    expect(withWs.fields.at(-1)).toMatchObject({ field: 'Workspace', value: 'acme-eng' });
  });

  it("fills the guide's field reference", () => {
    const c = buildChecklist(input);
    expect(c.fields).toEqual([
      { field: 'Token Name', description: expect.any(String), value: 'DeepTraQ Bitbucket Integration' },
      { field: 'Expiration Date', description: expect.any(String), value: 'Fri 29 May 2026 (2026-05-29)' },
      { field: 'Token Type', description: expect.any(String), value: 'Bitbucket API token' },
      { field: 'Scopes', description: expect.any(String), value: `${RR}, ${WR}` },
      { field: 'Repository Access', description: expect.any(String), value: 'Read and Write' },
    ]);
    expect(c.repositoryAccess).toBe('Read and Write');
    expect(c.warning).toMatch(/only once/);
    expect(c.warning).toMatch(/Slack/);
    expect(c.warning).toMatch(/vault|secret/);
  });

  it('describes repository access', () => {
    expect(describeRepositoryAccess([RR, WR])).toBe('Read and Write');
    expect(describeRepositoryAccess([RR])).toBe('Read');
    expect(describeRepositoryAccess([WR])).toBe('Write');
    expect(describeRepositoryAccess(['admin:repository:bitbucket'])).toBe('Admin');
    expect(describeRepositoryAccess(['delete:repository:bitbucket', WR, RR, 'admin:repository:bitbucket'])).toBe(
      'Read, Write, Admin and Delete',
    );
    expect(describeRepositoryAccess(['read:pullrequest:bitbucket'])).toBe('None (no repository scopes)');
  });
});

describe('rotation steps (a renewal)', () => {
  const input = { name: 'DeepTraQ Bitbucket Integration', expiresOn: '2026-05-29', scopes: ['read:repository:bitbucket'] };

  it('a new token has none', () => {
    expect(buildChecklist(input).rotation).toBeUndefined();
  });

  it('a renewal ends with: update each place, verify, then revoke the old token at id.atlassian.com', () => {
    const places = ['Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web', 'Vault secret/ci/deeptraq'];
    const { steps, rotation } = buildChecklist({ ...input, renewal: { places } });
    expect(steps).toHaveLength(14);
    expect(rotation?.map((s) => s.n)).toEqual([15, 16, 17, 18]);
    expect(rotation?.[0]?.text).toBe('Replace the old token with the new one in Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web.');
    expect(rotation?.[1]?.text).toBe('Replace the old token with the new one in Vault secret/ci/deeptraq.');
    expect(rotation?.[2]?.text).toMatch(/^Verify the integration works with the new token/);
    expect(rotation?.[3]?.text).toMatch(/^Revoke the old token at id\.atlassian\.com/);
  });

  it('without known places it asks to update every place the old token is stored', () => {
    const { rotation } = buildChecklist({ ...input, renewal: { places: [] } });
    expect(rotation?.map((s) => s.text.split(' ')[0])).toEqual(['Replace', 'Verify', 'Revoke']);
    expect(rotation?.[0]?.text).toContain('everywhere it is stored');
  });
});
