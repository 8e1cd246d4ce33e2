import { describe, expect, it } from 'vitest';
import {
  OPERATIONS,
  adviseOperations,
  findOperation,
  matchOperation,
  operationKey,
  parseOperationQuery,
} from '../../../src/domain/scope-advisor.js';
import {
  CAPABILITIES,
  CAPABILITY_GROUPS,
  adviseScopes,
  capabilitiesUnlockedBy,
  capabilityOperations,
  capabilityScopes,
  explainCapabilities,
  findCapability,
} from '../../../src/domain/capabilities.js';
import { isKnownScope } from '../../../src/domain/scopes.js';

const REPO = '/repositories/{workspace}/{repo_slug}';
const matched = (method: string, path: string) => {
  const m = matchOperation({ method: method as 'GET', path });
  return m.kind === 'matched' ? operationKey(m.operation) : m.kind;
};

describe('parseOperationQuery', () => {
  it('accepts a method and a template, a concrete path or a pasted URL', () => {
    expect(parseOperationQuery('get /user')).toEqual({ ok: true, query: { text: 'get /user', method: 'GET', path: '/user' } });
    expect(parseOperationQuery('  POST   https://api.bitbucket.org/2.0/repositories/acme/web/pullrequests?state=OPEN#x ')).toMatchObject({
      ok: true,
      query: { method: 'POST', path: '/repositories/acme/web/pullrequests' },
    });
    expect(parseOperationQuery('GET /2.0/user//emails')).toMatchObject({ ok: true, query: { path: '/user/emails' } });
    expect(parseOperationQuery('GET api.bitbucket.org/2.0/user')).toMatchObject({ ok: true, query: { path: '/user' } });
    expect(parseOperationQuery(`GET https://api.bitbucket.org/2.0${REPO}`)).toMatchObject({ ok: true, query: { path: REPO } });
  });

  it('says what is wrong with anything else', () => {
    expect(parseOperationQuery('GET')).toEqual({ ok: false, error: expect.stringContaining('expected "<METHOD> <path-or-URL>"') });
    expect(parseOperationQuery('GET /a /b')).toMatchObject({ ok: false });
    expect(parseOperationQuery('FETCH /user')).toEqual({ ok: false, error: expect.stringContaining('not an HTTP method') });
    expect(parseOperationQuery('GET https://bitbucket.org/acme/web')).toEqual({
      ok: false,
      error: expect.stringContaining('not a Bitbucket Cloud REST API URL'),
    });
  });
});

describe('matchOperation', () => {
  it('matches concrete paths, literal segments beating parameters', () => {
    expect(matched('GET', '/repositories/acme/web/pullrequests/activity')).toBe(`GET ${REPO}/pullrequests/activity`);
    expect(matched('GET', '/repositories/acme/web/pullrequests/12')).toBe(`GET ${REPO}/pullrequests/{pull_request_id}`);
    expect(matched('PUT', '/snippets/acme/abc/watch')).toBe('PUT /snippets/{workspace}/{encoded_id}/watch');
    expect(matched('PUT', '/snippets/acme/abc/0f3c')).toBe('PUT /snippets/{workspace}/{encoded_id}/{node_id}');
    expect(matched('GET', `${REPO}/issues/export/web-issues-7.zip`)).toBe(`GET ${REPO}/issues/export/{repo_name}-issues-{task_id}.zip`);
  });

  it('lets branch names, file paths and revisions contain slashes, and nothing else', () => {
    expect(matched('DELETE', '/repositories/acme/web/refs/branches/feature/login/v2')).toBe(`DELETE ${REPO}/refs/branches/{name}`);
    expect(matched('GET', '/repositories/acme/web/src/main/docs/guide/intro.md')).toBe(`GET ${REPO}/src/{commit}/{path}`);
    expect(matched('GET', '/repositories/acme/web/src/a1b2c3/')).toBe(`GET ${REPO}/src/{commit}/{path}`);
    expect(matched('GET', '/repositories/acme/web/diff/release/1.0..main')).toBe(`GET ${REPO}/diff/{spec}`);
    expect(matched('GET', '/repositories/acme/web/issues/5/attachments')).toBe(`GET ${REPO}/issues/{issue_id}/attachments`);
    // {pull_request_id} is one segment: an unknown sub-path is not a pull request id.
    expect(matchOperation({ method: 'GET', path: '/repositories/acme/web/pullrequests/5/frobnicate' })).toMatchObject({ kind: 'no-path' });
  });

  it('reports a method the most specific template lacks instead of falling back to another', () => {
    expect(matchOperation({ method: 'PUT', path: '/repositories/acme/web/pullrequests/activity' })).toEqual({
      kind: 'no-method',
      methods: ['GET'],
      message: `PUT /repositories/acme/web/pullrequests/activity: the spec has no PUT operation on ${REPO}/pullrequests/activity (it has GET)`,
    });
  });

  it('matches every spec template, as given and with sample values, to its own operation', () => {
    for (const op of OPERATIONS) {
      expect(matched(op.method, op.path), op.path).toBe(operationKey(op));
      expect(matched(op.method, op.path.replace(/\{[^}]+\}/g, 'x1')), op.path).toBe(operationKey(op));
    }
  });
});

describe('adviseOperations', () => {
  it('unions the all-required scopes and explains each', () => {
    const advice = adviseOperations([
      'GET /repositories/acme/web/pullrequests',
      `POST https://api.bitbucket.org/2.0/repositories/acme/web/pullrequests`,
      'POST /repositories/acme/web/commit/abc/statuses/build',
      'GET /repositories/acme/web/pullrequests', // asked twice, listed once
    ]);
    expect(advice.ok).toBe(true);
    if (!advice.ok) return;
    expect(advice.scopes).toEqual(['read:pullrequest:bitbucket', 'read:repository:bitbucket', 'write:pullrequest:bitbucket']);
    expect(advice.operations.map(operationKey)).toEqual([
      `GET ${REPO}/pullrequests`,
      `POST ${REPO}/pullrequests`,
      `POST ${REPO}/commit/{commit}/statuses/build`,
    ]);
    expect(advice.reasons.map((r) => [r.scope, r.operations.map((o) => o.summary)])).toEqual([
      ['read:pullrequest:bitbucket', ['List pull requests', 'Create a pull request']],
      ['read:repository:bitbucket', ['Create a build status for a commit']],
      ['write:pullrequest:bitbucket', ['Create a pull request']],
    ]);
  });

  it('gives write without read where the spec does: add a deploy key, stop a pipeline, vote on an issue', () => {
    const advice = adviseOperations([
      `POST ${REPO}/deploy-keys`,
      `POST ${REPO}/pipelines/{pipeline_uuid}/stopPipeline`,
      `PUT ${REPO}/issues/{issue_id}/vote`,
    ]);
    expect(advice.ok && advice.scopes).toEqual([
      'admin:repository:bitbucket',
      'write:issue:bitbucket',
      'write:pipeline:bitbucket',
      'write:ssh-key:bitbucket',
      'write:user:bitbucket',
    ]);
  });

  it('guesses nothing: an unknown operation or one without scopes fails the whole answer, naming each', () => {
    const advice = adviseOperations(['GET /user', 'GET /hook_events', 'GET /nope', 'PATCH /user']);
    expect(advice).toEqual({
      ok: false,
      problems: [
        { query: 'GET /hook_events', message: expect.stringContaining('has no API-token scopes') },
        { query: 'GET /nope', message: "GET /nope: no operation in Atlassian's spec has this path" },
        { query: 'PATCH /user', message: expect.stringContaining('no PATCH operation on /user') },
      ],
    });
    expect(adviseOperations([])).toMatchObject({ ok: false });
  });
});

describe('capability catalogue', () => {
  it('has unique ids, known groups and labels that fit a Slack option', () => {
    expect(new Set(CAPABILITIES.map((c) => c.id)).size).toBe(CAPABILITIES.length);
    for (const c of CAPABILITIES) {
      expect(CAPABILITY_GROUPS).toContain(c.group);
      expect(c.label.length).toBeLessThanOrEqual(75);
      expect(findCapability(c.id)).toBe(c);
    }
    for (const label of [
      'Read pull requests and their diffs',
      'Comment on pull requests',
      'Approve / merge pull requests',
      'Post build statuses and Code Insights reports',
      'Clone over HTTPS',
      'Push over HTTPS',
      'Run and stop pipelines',
      'Add deploy keys',
    ]) {
      expect(CAPABILITIES.map((c) => c.label)).toContain(label);
    }
  });

  it('backs every capability with spec operations that have scopes, or with documented git scopes', () => {
    for (const c of CAPABILITIES) {
      if (c.git) {
        expect(c.operations).toEqual([]);
        for (const s of c.git.scopes) expect(isKnownScope(s)).toBe(true);
        continue;
      }
      expect(c.operations.length, c.id).toBeGreaterThan(0);
      for (const key of c.operations) {
        const [method, path] = key.split(' ') as [string, string];
        const op = findOperation(method, path);
        expect(op, key).toBeDefined();
        expect(op!.scopes.length, key).toBeGreaterThan(0);
      }
    }
  });

  it("advises the union of the capabilities' scopes", () => {
    expect(adviseScopes(['git-clone', 'git-push'])).toEqual(['read:repository:bitbucket', 'write:repository:bitbucket']);
    expect(adviseScopes(['deploy-key-add'])).toEqual(['admin:repository:bitbucket', 'write:ssh-key:bitbucket']);
    expect(adviseScopes(['pr-comment', 'build-status'])).toEqual(['read:pullrequest:bitbucket', 'read:repository:bitbucket']);
    expect(adviseScopes(['issue-vote-watch'])).toEqual(['write:issue:bitbucket', 'write:user:bitbucket']);
    expect(adviseScopes([])).toEqual([]);
    expect(() => adviseScopes(['nope'])).toThrow(/unknown capability nope/);
  });

  it('explains which capability and operation needs each scope', () => {
    const reasons = explainCapabilities(['pipeline-run', 'git-clone']);
    expect(
      reasons.map((r) => [r.scope, r.needs.map((n) => [n.capability.id, n.git ?? n.operations.map((o) => o.summary).join(', ')])]),
    ).toEqual([
      ['read:pipeline:bitbucket', [['pipeline-run', 'Run a pipeline']]],
      ['read:repository:bitbucket', [['git-clone', 'git clone, fetch and pull']]],
      ['write:pipeline:bitbucket', [['pipeline-run', 'Run a pipeline, Stop a pipeline']]],
    ]);
  });

  it('knows what a missing read scope takes away', () => {
    expect(capabilitiesUnlockedBy(['write:pipeline:bitbucket'], 'read:pipeline:bitbucket').map((c) => c.id)).toEqual([
      'pipeline-read',
      'pipeline-run',
      'deployments-read',
    ]);
    expect(capabilitiesUnlockedBy(['read:user:bitbucket'], 'read:issue:bitbucket').map((c) => c.id)).toEqual(['issue-read']);
  });

  it('capability scopes are those of its operations', () => {
    const merge = findCapability('pr-approve-merge')!;
    expect(capabilityOperations(merge).map((o) => o.summary)).toContain('Merge a pull request');
    expect(capabilityScopes(merge)).toEqual(['read:pullrequest:bitbucket', 'write:pullrequest:bitbucket']);
  });
});
