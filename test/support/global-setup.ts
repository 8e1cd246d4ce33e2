import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of the shared test Redis (or $REDIS_URL). Use a uniquePrefix() per test. */
    redisUrl: string;
    /** The `cluster` project only (test/support/cluster-setup.ts): cluster nodes as host:port,... */
    redisCluster?: string;
  }
}

/**
 * vitest globalSetup: dist/ brought up to date once (as `npm start` does first), so the tests that
 * start the bot as `npm start` does do not pay for compiling src/ within their own time limits
 * (test/e2e/startup.test.ts starts one from a fresh copy of the repository); and one shared
 * redis-server for the whole run (unless REDIS_URL is set). Tests read it with `inject('redisUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = resolve(import.meta.dirname, '../..');
  const built = spawnSync(process.execPath, [join(root, 'scripts/dist.mjs')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`scripts/dist.mjs failed:\n${built.stderr}`);
  const fromEnv = process.env['REDIS_URL'];
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return async () => {};
  }
  const server = await startRedisServer({ appendonly: false });
  project.provide('redisUrl', server.url);
  return async () => {
    await server.stop();
    await rm(server.dir, { recursive: true, force: true });
  };
}
