/**
 * `npm start`: runs the compiled bot (dist/main.js) in this process, after compiling src/ when
 * dist/ is missing or older than the sources (scripts/dist.mjs). Plain JavaScript, so the bot
 * runs without tsx's loader (a second V8 heap and every file transformed at each start): one
 * node process, which receives SIGTERM and SIGINT itself.
 *
 * package.json starts it with `--max-semi-space-size=4`: V8 sizes the young generation from the
 * machine's memory (16 MB semi-spaces on a large host), and start-up's burst of allocation grows
 * it to the full size, about 25 MB of RSS that V8 gives back only after half a minute idle. In a
 * container of a few hundred MB, V8 picks a similar size by itself.
 */
import { spawnSync } from 'node:child_process';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCurrent, ROOT } from './dist.mjs';

// Node 22.8+: compiled code of the bot and its dependencies cached on disk (the OS temp directory)
// for the next start. Node 20 has no such cache.
module.enableCompileCache?.();

if (!isCurrent()) {
  // In a child process: the compiler's memory is returned before the bot starts.
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/dist.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(pathToFileURL(path.join(ROOT, 'dist/main.js')).href);
