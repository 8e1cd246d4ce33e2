import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * node's arguments for starting the bot exactly as `npm start` does (package.json's start
 * script: node's flags, then scripts/start.mjs), for `spawn(process.execPath, npmStartArgs())`;
 * `root`: another copy of the repository.
 */
export function npmStartArgs(root = ROOT): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const command = /^exec node (.+)$/.exec(scripts['start'] ?? '')?.[1];
  if (!command) throw new Error(`package.json's start script is not "exec node ...": ${scripts['start']}`);
  return command.split(/\s+/).map((arg) => (arg.startsWith('-') ? arg : join(root, arg)));
}
