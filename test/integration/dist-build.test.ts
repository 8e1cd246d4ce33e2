import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build, isCurrent } from '../../scripts/dist.mjs';

/**
 * scripts/dist.mjs, what `npm start` compiles src/ with, on a small project of its own (this
 * repository's tsconfig files and node_modules, a src/ written here): dist/ follows every change to
 * src/, and replicas started at once leave one whole dist/.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const DIST_SCRIPT = pathToFileURL(join(ROOT, 'scripts/dist.mjs')).href;

let root: string;
let dist: string;
const write = (rel: string, text: string) => {
  mkdirSync(join(root, 'src', rel, '..'), { recursive: true });
  writeFileSync(join(root, 'src', rel), text);
};
const runDist = () => spawnSync(process.execPath, [join(dist, 'main.js')], { encoding: 'utf8' });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'btb-dist-'));
  dist = join(root, 'dist');
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) cpSync(join(ROOT, file), join(root, file));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  write(
    'main.ts',
    "import { greet } from './greet.js';\nimport type { Name } from './types.js';\nconst who: Name = 'world';\nconsole.log(greet(who));\n",
  );
  write('types.ts', 'export type Name = string;\n');
  write('greet.ts', 'export function greet(name: string): string {\n  return "hello " + name;\n}\n');
  write('page.d.ts', 'export declare const page: string;\n');
  write('assets/page/style.css', 'body { color: red; }\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('dist/ from src/', () => {
  it('compiles TypeScript, copies other files, skips declarations, and builds nothing when current', () => {
    expect(isCurrent({ root })).toBe(false);
    expect(build({ root })).toEqual({ built: true, transpiled: 3, reused: 0 });
    expect(runDist().stdout).toBe('hello world\n');
    expect(readFileSync(join(dist, 'assets/page/style.css'), 'utf8')).toBe('body { color: red; }\n');
    expect(existsSync(join(dist, 'page.d.ts'))).toBe(false);
    expect(existsSync(join(dist, 'page.d.js'))).toBe(false);
    expect(isCurrent({ root })).toBe(true);
    expect(build({ root })).toEqual({ built: false });
  });

  it('rebuilds after any change to src/ or the compiler settings, and only what changed', () => {
    build({ root });
    // A newer time alone changes nothing: the content decides.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src/greet.ts'), later, later);
    expect(isCurrent({ root })).toBe(true);

    write('greet.ts', 'export function greet(name: string): string {\n  return "hi " + name;\n}\n');
    expect(isCurrent({ root })).toBe(false);
    expect(build({ root })).toEqual({ built: true, transpiled: 1, reused: 2 });
    expect(runDist().stdout).toBe('hi world\n');

    write('assets/page/style.css', 'body { color: blue; }\n');
    expect(build({ root })).toEqual({ built: true, transpiled: 0, reused: 3 });
    expect(readFileSync(join(dist, 'assets/page/style.css'), 'utf8')).toBe('body { color: blue; }\n');

    // A deleted source leaves no output behind.
    write('main.ts', "import { greet } from './greet.js';\nconsole.log(greet('you'));\n");
    rmSync(join(root, 'src/types.ts'));
    expect(build({ root })).toMatchObject({ built: true });
    expect(existsSync(join(dist, 'types.js'))).toBe(false);
    expect(runDist().stdout).toBe('hi you\n');

    // The compiler settings apply to every file.
    writeFileSync(join(root, 'tsconfig.build.json'), `${readFileSync(join(root, 'tsconfig.build.json'), 'utf8')}\n`);
    expect(isCurrent({ root })).toBe(false);
    expect(build({ root })).toEqual({ built: true, transpiled: 2, reused: 0 });
  });

  it('stops with the file and line of a syntax error and keeps the previous dist/', () => {
    build({ root });
    write('greet.ts', 'export function greet(name: string {\n');
    expect(() => build({ root })).toThrow(/greet\.ts\(1,/);
    expect(runDist().stdout).toBe('hello world\n');
    expect(readdirSync(root).filter((n) => n.startsWith('dist.'))).toEqual([]);
  });

  it('replicas started at once: one builds, the others wait for it, and dist/ is whole', async () => {
    // A lock, its attempt file and a half-written build left by a process that died while building.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    writeFileSync(join(root, 'dist.lock'), `${deadPid}\n`);
    writeFileSync(join(root, `dist.lock.${deadPid}`), `${deadPid}\n`);
    mkdirSync(join(root, `dist.new-${deadPid}`));
    writeFileSync(join(root, `dist.new-${deadPid}/main.js`), 'half');

    const script = `import { build } from ${JSON.stringify(DIST_SCRIPT)}; console.log(JSON.stringify(build({ root: ${JSON.stringify(root)} })));`;
    const results = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<{ code: number | null; out: string }>((done) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (out += d.toString()));
            child.once('exit', (code) => done({ code, out }));
          }),
      ),
    );
    expect(
      results.map((r) => r.code),
      results.map((r) => r.out).join('\n'),
    ).toEqual([0, 0, 0]);
    const outcomes = results.map((r) => JSON.parse(r.out) as { built: boolean });
    expect(outcomes.filter((o) => o.built)).toHaveLength(1);
    expect(isCurrent({ root })).toBe(true);
    expect(runDist().stdout).toBe('hello world\n');
    expect(readdirSync(root).filter((n) => n.startsWith('dist.'))).toEqual([]);
  });
});
