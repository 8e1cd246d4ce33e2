import { describe, expect, it } from 'vitest';
import { buildLeakWarning } from '../../../src/blocks/messages.js';

describe('buildLeakWarning', () => {
  it('speaks of Atlassian API tokens by default, as before', () => {
    expect(buildLeakWarning(1).text).toBe(
      ':rotating_light: Your message contains what looks like an Atlassian API token. Treat it as leaked: revoke it now at id.atlassian.com (Security → API tokens), create a new one, store it in your secret store, and delete the message. I did not store or log the value.',
    );
    expect(buildLeakWarning(2).text).toContain('looks like 2 Atlassian API tokens. Treat each of them as leaked');
  });

  it('names Bitbucket app passwords and access tokens and where to revoke them', () => {
    expect(buildLeakWarning(1, ['bitbucket-app-password']).text).toContain(
      'looks like a Bitbucket app password. Treat it as leaked: revoke it now at Bitbucket personal settings (App passwords)',
    );
    expect(buildLeakWarning(2, ['bitbucket-access-token', 'bitbucket-access-token']).text).toContain('2 Bitbucket access tokens');
    const mixed = buildLeakWarning(2, ['atlassian-api-token', 'bitbucket-app-password']).text;
    expect(mixed).toContain('2 Atlassian or Bitbucket credentials');
    expect(mixed).toContain('id.atlassian.com (Security → API tokens) or Bitbucket personal settings (App passwords)');
  });
});
