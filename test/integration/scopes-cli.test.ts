import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The CLI as users run it: `npm run --silent scopes -- ...` is `tsx src/cli/scopes.ts ...`. */
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const REPO = '/repositories/{workspace}/{repo_slug}';

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, [join(ROOT, 'src/cli/scopes.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? ROOT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.once('close', (code) => res({ code, stdout, stderr })));
}

// Each case starts tsx child processes; on a loaded 2-core machine a start can take several seconds.
describe('scopes CLI as a child process', { timeout: 120_000 }, () => {
  it('advise prints the minimal scopes, one per line, sorted', async () => {
    const res = await runCli([
      'advise',
      'GET https://api.bitbucket.org/2.0/repositories/acme/web/pullrequests/42/diff',
      'POST /2.0/repositories/acme/web/pullrequests/42/comments',
      `POST ${REPO}/commit/{commit}/statuses/build`,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('read:pullrequest:bitbucket\nread:repository:bitbucket\n');
    expect(res.stderr).toBe('');
  });

  it('--json gives the scopes and the matched operations with theirs', async () => {
    const res = await runCli(['advise', '--json', 'DELETE /repositories/acme/web/refs/branches/feature/login', `POST ${REPO}/deploy-keys`]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      scopes: ['admin:repository:bitbucket', 'write:repository:bitbucket', 'write:ssh-key:bitbucket'],
      operations: [
        { method: 'DELETE', path: `${REPO}/refs/branches/{name}`, scopes: ['write:repository:bitbucket'] },
        { method: 'POST', path: `${REPO}/deploy-keys`, scopes: ['admin:repository:bitbucket', 'write:ssh-key:bitbucket'] },
      ],
    });
  });

  it('--explain lists, per scope, the operations that need it', async () => {
    const res = await runCli([
      'advise',
      '--explain',
      'POST /repositories/acme/web/pullrequests',
      'GET /repositories/acme/web/pullrequests',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      [
        'read:pullrequest:bitbucket',
        `  needed by POST ${REPO}/pullrequests  (Create a pull request)`,
        `  needed by GET ${REPO}/pullrequests  (List pull requests)`,
        'write:pullrequest:bitbucket',
        `  needed by POST ${REPO}/pullrequests  (Create a pull request)`,
        '',
      ].join('\n'),
    );
    const json = await runCli(['advise', '--json', '--explain', 'GET /user']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      scopes: ['read:user:bitbucket'],
      explain: [{ scope: 'read:user:bitbucket', operations: [{ method: 'GET', path: '/user', summary: 'Get current user' }] }],
    });
  });

  it('exits 2 naming each operation not in the spec or without scopes, and prints no scopes', async () => {
    const res = await runCli(['advise', 'GET /user', 'GET /hook_events', 'POST /repositories/acme/web/pullrequests/1/frobnicate']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('GET /hook_events');
    expect(res.stderr).toContain('has no API-token scopes');
    expect(res.stderr).toContain("POST /repositories/acme/web/pullrequests/1/frobnicate: no operation in Atlassian's spec has this path");
    expect(res.stderr).not.toContain('GET /user');
  });

  it('exits 1 with a clear message on bad usage', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['advise'],
      ['advise', 'GET', '/user'],
      ['advise', 'FETCH /user'],
      ['advise', '--bogus', 'GET /user'],
      ['list', 'extra'],
    ]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('Usage:');
    }
    const lone = await runCli(['advise', 'GET', '/user']);
    expect(lone.stderr).toContain('quote each operation as one argument');
  });

  it('list prints the capability catalogue grouped by resource, as text and JSON', async () => {
    const res = await runCli(['list']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(
      '\nPull requests\n  Read pull requests and their diffs [pr-read]\n      scopes: read:pullrequest:bitbucket\n',
    );
    expect(res.stdout).toMatch(/Push over HTTPS \[git-push\]\n\s+scopes: write:repository:bitbucket\n\s+from: git push \(not in the spec/);
    expect(res.stdout).toMatch(/Add deploy keys \[deploy-key-add\]\n\s+scopes: admin:repository:bitbucket write:ssh-key:bitbucket\n/);
    const json = await runCli(['list', '--json']);
    const groups = JSON.parse(json.stdout) as Array<{ group: string; capabilities: Array<{ id: string; scopes: string[] }> }>;
    expect(groups[0]?.group).toBe('Repositories');
    expect(groups.flatMap((g) => g.capabilities).find((c) => c.id === 'pipeline-run')?.scopes).toEqual([
      'read:pipeline:bitbucket',
      'write:pipeline:bitbucket',
    ]);
  });
});
