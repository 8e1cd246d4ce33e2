import type { TestProject } from 'vitest/node';
import { startRedisCluster } from './redis-ha.js';

/**
 * vitest globalSetup of the `cluster` project (vitest.faults.config.ts): one three-primary Redis
 * Cluster for the run. startTestBot then points every bot at it (REDIS_CLUSTER_NODES) and gives
 * the test a plain client on the node that serves the bot's hash-tagged prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startRedisCluster();
  project.provide('redisCluster', cluster.nodes);
  project.provide('redisUrl', '');
  return () => cluster.stop();
}
