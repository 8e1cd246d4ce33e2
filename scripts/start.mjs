/**
 * `npm start`: runs the compiled bot (dist/main.js) in this process, after compiling src/ when
 * dist/ is missing or older than the sources (scripts/dist.mjs). Plain JavaScript, so the bot
 * runs without tsx's loader (a second V8 heap and every file transformed at each start): one
 * node process, which receives SIGTERM and SIGINT itself.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCurrent, ROOT } from './dist.mjs';

if (!isCurrent()) {
  // In a child process: the compiler's memory is returned before the bot starts.
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/dist.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(pathToFileURL(path.join(ROOT, 'dist/main.js')).href);
