/**
 * dist/: the compiled bot that `npm start` and the Docker image run (plain JavaScript: it runs
 * without tsx or TypeScript).
 *
 * Every file under src/ lands at the same path under dist/: TypeScript is transpiled file by
 * file with the TypeScript compiler and tsconfig.build.json's options (tsconfig.json's
 * `isolatedModules` makes that equal to what tsc emits), declaration files are skipped, and
 * everything else (the sandbox's page and personas, found beside the code at run time) is copied.
 * dist/.build.json records what dist/ was built from: the content hash of each file under src/,
 * and one hash of this script, the tsconfig files and package-lock.json. dist/ is current only
 * when all of them match, so a stale dist/ never runs; a rebuild transpiles only the files that
 * changed. No type check here (as under tsx): `npm run typecheck`, `npm run build` and CI do that.
 *
 * Replicas started at once from one checkout: a build goes to dist.new-<pid>/ and replaces dist/
 * by two renames, so dist/ is always one whole build; dist.lock lets one process build while
 * the others wait and then find dist/ current (a lock left by a dead process is taken over).
 *
 *   node scripts/dist.mjs [--out-dir DIR]     build dist/ (or DIR) when it is not current
 */
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
/** Repository root (this file lives in scripts/). */
export const ROOT = path.resolve(path.dirname(SELF), '..');
const MANIFEST = '.build.json';
/** Besides src/: what the output depends on. */
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const LOCK_WAIT_MS = 300_000;

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** Every file under src/ (relative, with forward slashes), sorted. */
function listSources(srcDir) {
  return readdirSync(srcDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      path
        .relative(srcDir, path.join(e.parentPath ?? e.path, e.name))
        .split(path.sep)
        .join('/'),
    )
    .sort();
}

/** One hash of what applies to every file: this script, the compiler settings, the dependencies. */
function settingsKey(root) {
  const hash = createHash('sha256').update(readFileSync(SELF));
  for (const name of SETTINGS) {
    const file = path.join(root, name);
    hash.update(`\0${name}\0`).update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex');
}

/** What dist/ must be built from now: `{ key, files: { 'app.ts': sha256, ... } }`. */
export function wantedBuild(root = ROOT) {
  const srcDir = path.join(root, 'src');
  const files = {};
  for (const rel of listSources(srcDir)) files[rel] = sha256(readFileSync(path.join(srcDir, rel)));
  return { key: settingsKey(root), files };
}

function readManifest(outDir) {
  try {
    return JSON.parse(readFileSync(path.join(outDir, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
}

function sameBuild(a, b) {
  if (!a || !b || a.key !== b.key) return false;
  const names = Object.keys(a.files ?? {});
  return names.length === Object.keys(b.files).length && names.every((n) => a.files[n] === b.files[n]);
}

/** Whether outDir holds a build of the current sources and settings. */
export function isCurrent({ root = ROOT, outDir = path.join(root, 'dist') } = {}) {
  return sameBuild(readManifest(outDir), wantedBuild(root));
}

const outputName = (rel) => (rel.endsWith('.ts') ? `${rel.slice(0, -3)}.js` : rel);

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs fn holding lockFile (a hard link to a file naming this process, created atomically).
 * The lock only saves duplicate work: correctness comes from the renames in build().
 */
function withLock(lockFile, fn) {
  const mine = `${lockFile}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  try {
    for (;;) {
      try {
        linkSync(mine, lockFile);
        break;
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      let holder;
      try {
        holder = Number(readFileSync(lockFile, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      if (!isAlive(holder)) {
        rmSync(lockFile, { force: true }); // left by a process that died while building
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`${lockFile} is held by process ${holder} for over ${LOCK_WAIT_MS / 1000} s; delete it if no build is running`);
      }
      sleepSync(100);
    }
    try {
      return fn();
    } finally {
      rmSync(lockFile, { force: true });
    }
  } finally {
    unlinkSync(mine);
  }
}

const FORMAT_HOST = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };

/** Loaded only when something must be transpiled (TypeScript is a development dependency). */
function createTranspiler(root) {
  const require = createRequire(path.join(root, 'package.json'));
  let ts;
  try {
    ts = require('typescript');
  } catch {
    throw new Error('dist/ is missing or out of date and TypeScript is not installed: run `npm ci` (with dev dependencies)');
  }
  const configFile = path.join(root, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (parsed.errors.length) throw new Error(ts.formatDiagnostics(parsed.errors, FORMAT_HOST));
  // Each file alone cannot see package.json's "type": "module", which is what makes NodeNext emit
  // ES modules; ESNext emits the same import/export syntax.
  const compilerOptions = { ...parsed.options, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
  return (fileName, text) => {
    const out = ts.transpileModule(text, { compilerOptions, fileName, reportDiagnostics: true });
    if (out.diagnostics?.length) throw new Error(ts.formatDiagnostics(out.diagnostics, FORMAT_HOST));
    return out.outputText;
  };
}

/** Leftovers of builds and lock attempts whose process died (a live one's are its own business). */
function removeDeadBuilds(outDir) {
  const dir = path.dirname(outDir);
  const pattern = new RegExp(`^${path.basename(outDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:new-|old-|lock\\.)(\\d+)$`);
  for (const name of readdirSync(dir)) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (pid && !isAlive(pid)) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Builds outDir from root/src unless it is current. Returns what it did: `built` false when
 * outDir was current (perhaps built by another process meanwhile), else how many files were
 * transpiled and how many reused from the previous build.
 */
export function build({ root = ROOT, outDir = path.join(root, 'dist'), log = () => {} } = {}) {
  if (isCurrent({ root, outDir })) return { built: false };
  return withLock(`${outDir}.lock`, () => {
    const previous = readManifest(outDir);
    const wanted = wantedBuild(root);
    if (sameBuild(previous, wanted)) return { built: false };
    removeDeadBuilds(outDir);
    const started = Date.now();
    const srcDir = path.join(root, 'src');
    const next = `${outDir}.new-${process.pid}`;
    rmSync(next, { recursive: true, force: true });
    let transpile;
    const manifest = { key: wanted.key, files: {} };
    let transpiled = 0;
    let reused = 0;
    try {
      for (const rel of listSources(srcDir)) {
        // Hashed as read, so the manifest describes exactly what went into this build.
        const text = readFileSync(path.join(srcDir, rel));
        const hash = sha256(text);
        manifest.files[rel] = hash;
        if (rel.endsWith('.d.ts')) continue;
        const target = path.join(next, outputName(rel));
        mkdirSync(path.dirname(target), { recursive: true });
        if (!rel.endsWith('.ts')) {
          writeFileSync(target, text);
          continue;
        }
        if (previous?.key === wanted.key && previous.files?.[rel] === hash) {
          try {
            writeFileSync(target, readFileSync(path.join(outDir, outputName(rel))));
            reused += 1;
            continue;
          } catch {
            // gone meanwhile: transpile it below
          }
        }
        transpile ??= createTranspiler(root);
        writeFileSync(target, transpile(path.join(srcDir, rel), text.toString('utf8')));
        transpiled += 1;
      }
      writeFileSync(path.join(next, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    } catch (err) {
      rmSync(next, { recursive: true, force: true });
      throw err;
    }
    // Swap: outDir is never half written. Should another builder (one that took over a lock it
    // thought dead) put its dist/ in place between the renames, that one stays and ours goes.
    const old = `${outDir}.old-${process.pid}`;
    try {
      renameSync(outDir, old);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    try {
      renameSync(next, outDir);
    } catch (err) {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    }
    rmSync(next, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
    const shown = outDir.startsWith(root + path.sep) ? path.relative(root, outDir) : outDir;
    log(`${shown}/: compiled ${transpiled} file(s) from src/, ${reused} unchanged (${Date.now() - started} ms)`);
    return { built: true, transpiled, reused };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  try {
    build({
      ...(values['out-dir'] ? { outDir: path.resolve(values['out-dir']) } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
