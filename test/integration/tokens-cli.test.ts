import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { TokenInventory } from '../../src/store/inventory.js';
import { importTokens } from '../../src/cli/import-tokens.js';
import { exportTokens } from '../../src/cli/export-tokens.js';
import { runTokensCli } from '../../src/cli/tokens.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import { uniquePrefix } from '../support/redis-server.js';

/** The CLI as operators run it (`npm run tokens -- ...` is `tsx src/cli/tokens.ts ...`), and its functions directly. */
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const FAKE_TOKEN = `ATATT3xFfGF0${'Zm9vYmFy'.repeat(4)}=ABCD1234`;
const HEADER = 'owner_id,name,scopes,expires_on,workspace,purpose';
const inDays = (n: number) => addDays(todayIn('UTC', new Date()), n);

let dir: string;
let redis: Redis;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'btb-cli-'));
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => {
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function storesFor(prefix: string) {
  const keys = createKeys(prefix);
  return { keys, tokens: new TokenStore(redis, keys, new RequestStore(redis, keys)), inventory: new TokenInventory(redis, keys) };
}

function runCli(
  args: string[],
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, [join(ROOT, 'src/cli/tokens.ts'), ...args], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.once('close', (code) => res({ code, stdout, stderr })));
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const goodCsv = () =>
  [
    HEADER,
    `U01ALICE,DeepTraQ Bitbucket Integration,read:repository:bitbucket read:pullrequest:bitbucket,${inDays(60)},acme,scanner`,
    `U02BOB,"CI pipelines, prod","read:pipeline:bitbucket,write:pipeline:bitbucket",${inDays(10)},,`,
    `U02BOB,Old indexer,read:repository:bitbucket,${inDays(-3)},acme,`,
  ].join('\n');

// Each case starts tsx child processes; on a loaded 2-core machine a start can take several seconds.
describe('tokens CLI as a child process', { timeout: 120_000 }, () => {
  it('imports a good file, and importing it again changes nothing', async () => {
    const prefix = uniquePrefix('cli-good');
    const path = file('good.csv', goodCsv());
    const first = await runCli(['import', path], prefix);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('3 tokens created, 0 already present');
    const { tokens, keys } = storesFor(prefix);
    const alice = await tokens.listByUser('U01ALICE');
    expect(alice).toHaveLength(1);
    expect(alice[0]).toMatchObject({ name: 'DeepTraQ Bitbucket Integration', workspace: 'acme', status: 'active', expiresOn: inDays(60) });
    expect((await tokens.history(alice[0]!.id))[0]).toMatchObject({ type: 'imported', detail: 'good.csv line 2' });
    const [old] = (await tokens.listByUser('U02BOB')).filter((t) => t.name === 'Old indexer');
    expect(old!.status).toBe('expired');

    const snapshot = async () => {
      const names = (await redis.keys(`${prefix}:*`)).sort();
      return Promise.all(names.map(async (k) => [k, (await redis.type(k)) === 'string' ? await redis.get(k) : await redis.dump(k)]));
    };
    const before = await snapshot();
    const again = await runCli(['import', path], prefix);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 tokens created, 3 already present');
    expect(await snapshot()).toEqual(before);
    expect(await redis.zcard(keys.allTokens)).toBe(3);
  });

  it('refuses a bad file with line numbers, imports nothing and never echoes a token value', async () => {
    const prefix = uniquePrefix('cli-bad');
    const path = file(
      'bad.csv',
      [
        HEADER,
        `U01ALICE,Good one,read:repository:bitbucket,${inDays(30)},,`,
        `U01ALICE,Bad date,read:repository:bitbucket,2026-02-30,,`,
        `U01ALICE,Unknown scope,read:repo:bitbucket,${inDays(30)},,`,
        `U01ALICE,Leaky,read:repository:bitbucket,${inDays(30)},,${FAKE_TOKEN}`,
        `not-a-user,Too long,read:repository:bitbucket,${inDays(400)},,`,
        `U01ALICE,Good one,read:repository:bitbucket,${inDays(30)},,`,
        `U01ALICE,Short row`,
      ].join('\n'),
    );
    const res = await runCli(['import', path], prefix);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('nothing was imported');
    expect(res.stderr).toMatch(/line 3, column expires_on: must be a real date/);
    expect(res.stderr).toMatch(/line 4, column scopes: unknown scope "read:repo:bitbucket"/);
    expect(res.stderr).toMatch(/line 5, column purpose: looks like a token value/);
    expect(res.stderr).toMatch(/line 6, column owner_id/);
    expect(res.stderr).toMatch(/line 6, column expires_on: must be at most 365 days/);
    expect(res.stderr).toMatch(/line 7: duplicates line 2/);
    expect(res.stderr).toMatch(/line 8: has 2 cells but the header has 6 columns/);
    expect(res.stdout + res.stderr).not.toContain(FAKE_TOKEN);
    expect(res.stdout + res.stderr).not.toContain('ATATT3');
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('refuses wrong columns and broken quoting', async () => {
    const prefix = uniquePrefix('cli-cols');
    const cols = await runCli(['import', file('cols.csv', 'owner,name,scopes\nU1,x,read:repository:bitbucket\n')], prefix);
    expect(cols.code).toBe(1);
    expect(cols.stderr).toContain('unknown column "owner"');
    expect(cols.stderr).toContain('missing required column expires_on');
    const quotes = await runCli(['import', file('quotes.csv', `${HEADER}\nU1,"${FAKE_TOKEN},x,y,z,\n`)], prefix);
    expect(quotes.code).toBe(1);
    expect(quotes.stderr).toContain('is not valid CSV');
    expect(quotes.stderr).not.toContain('ATATT3');
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('exports tokens and history as CSV, and the export imports into another Redis prefix unchanged', async () => {
    const prefix = uniquePrefix('cli-export');
    expect((await runCli(['import', file('export-src.csv', goodCsv())], prefix)).code).toBe(0);
    const out = join(dir, 'export.csv');
    const res = await runCli(['export', '--output', out], prefix);
    expect(res.code, res.stderr).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r['name']).sort()).toEqual(['CI pipelines, prod', 'DeepTraQ Bitbucket Integration', 'Old indexer']);
    expect(rows.find((r) => r['name'] === 'CI pipelines, prod')!['scopes']).toBe('read:pipeline:bitbucket write:pipeline:bitbucket');

    const history = await runCli(['export', '--history'], prefix);
    expect(history.code).toBe(0);
    const events = parse(history.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(events.map((e) => [e['type'], e['detail']]).sort()).toEqual([1, 2, 3].map((n) => ['imported', `export-src.csv line ${n + 1}`]));

    const copy = uniquePrefix('cli-copy');
    const reimport = await runCli(['import', out], copy);
    expect(reimport.code, reimport.stderr).toBe(0);
    const a = storesFor(prefix);
    const b = storesFor(copy);
    for (const row of rows) expect(await b.tokens.get(row['id']!)).toEqual(await a.tokens.get(row['id']!));
  });

  it('stored_in: places with commas, quotes and line breaks survive export and re-import (quoted cell, one place per line)', async () => {
    const prefix = uniquePrefix('cli-places');
    const places = ['Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web, prod', 'Vault "secret/ci/deeptraq"'];
    const cell = `"${places.join('\n').replaceAll('"', '""')}"`;
    const src = file('places.csv', `${HEADER},stored_in\nU01ALICE,DeepTraQ,read:repository:bitbucket,${inDays(60)},acme,scanner,${cell}\n`);
    const imported = await runCli(['import', src], prefix);
    expect(imported.code, imported.stderr).toBe(0);
    const [token] = await storesFor(prefix).tokens.listByUser('U01ALICE');
    expect(token!.places).toEqual(places);
    const out = join(dir, 'places-export.csv');
    expect((await runCli(['export', '--output', out], prefix)).code).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]!['stored_in']).toBe(places.join('\n'));
    const copy = uniquePrefix('cli-places-copy');
    expect((await runCli(['import', out], copy)).code).toBe(0);
    expect(await storesFor(copy).tokens.get(token!.id)).toEqual(token);
  });

  it('explains an unreachable Redis without showing its password', async () => {
    const down = await runCli(['export'], 'x', { REDIS_URL: 'redis://:s3cret@127.0.0.1:1' });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach Redis at redis://***@127.0.0.1:1');
    expect(down.stderr).not.toContain('s3cret');
  });
});

describe('importTokens and exportTokens directly', () => {
  it('validates a large file before writing, reporting progress, with a spreadsheet-safe export', async () => {
    const prefix = uniquePrefix('cli-large');
    const { tokens, inventory } = storesFor(prefix);
    const lines = [HEADER];
    for (let i = 0; i < 2500; i++) lines.push(`U0${i % 7}OWNER,Integration ${i},read:repository:bitbucket,${inDays(1 + (i % 300))},,`);
    lines.push(`U01ALICE,"=HYPERLINK(""x"")",read:repository:bitbucket write:repository:bitbucket write:issue:bitbucket,${inDays(5)},,`);
    const progress: string[] = [];
    const report = await importTokens({
      tokens,
      input: Readable.from([lines.join('\n')]),
      source: 'large.csv',
      now: new Date(),
      onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total ?? '?'}`),
    });
    expect(report).toMatchObject({ ok: true, rows: 2501, created: 2501, unchanged: 0, issues: [] });
    expect(report.warnings).toEqual([
      expect.objectContaining({
        line: 2502,
        column: 'scopes',
        message: expect.stringContaining('write:issue:bitbucket without read:issue:bitbucket'),
      }),
    ]);
    expect(progress).toEqual(['validate 1000/?', 'validate 2000/?', 'write 1000/2501', 'write 2000/2501', 'write 2501/2501']);

    const chunks: string[] = [];
    const output = new Writable({
      write: (c: Buffer, _e, done) => {
        chunks.push(c.toString());
        done();
      },
    });
    const result = await exportTokens({ inventory, tokens, output, pageSize: 400 });
    expect(result).toEqual({ tokens: 2501, rows: 2501 });
    const rows = parse(chunks.join(''), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(2501);
    expect(new Set(rows.map((r) => r['id'])).size).toBe(2501);
    expect(rows.find((r) => r['owner_id'] === 'U01ALICE')!['name']).toBe(`'=HYPERLINK("x")`);
  });

  it('refuses bad usage and a missing REDIS_URL before touching Redis', async () => {
    expect(await runTokensCli(['frobnicate'], {})).toBe(2);
    expect(await runTokensCli(['import'], {})).toBe(2);
    expect(await runTokensCli(['export'], { REDIS_URL: '' })).toBe(2);
  });

  it('a dry run validates and writes nothing', async () => {
    const prefix = uniquePrefix('cli-dry');
    const { tokens } = storesFor(prefix);
    const report = await importTokens({ tokens, input: Readable.from([goodCsv()]), source: 'x.csv', now: new Date(), dryRun: true });
    expect(report).toMatchObject({ ok: true, rows: 3, created: 0 });
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});
