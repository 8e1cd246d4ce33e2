/**
 * Part 6: Atlassian organization sync. A fake API Access endpoint (test/support/fake-atlassian.ts)
 * lists `size` tokens, `pageSize` a page, owned by `size / 10` people the fake Slack knows by
 * email; one in ten was last used 120 days ago (an "unused" notice each). The sync
 * (src/jobs/processors/org-sync.ts, runOrgSync) runs twice on a scratch Redis: first everything
 * is new (recorded, linked, notices owed and their jobs queued), then the same listing again
 * (nothing changes). Reports time per run and what the first run added to Redis.
 *
 * Runs against a scratch redis-server of its own: it FLUSHALLs first. No worker: notice jobs are
 * queued, not sent (delivery has its own part).
 */
import { performance } from 'node:perf_hooks';
import { createKeys } from '../src/store/keys.js';
import { createRedis } from '../src/store/redis.js';
import { RequestStore } from '../src/store/requests.js';
import { TokenStore } from '../src/store/tokens.js';
import { OrgSyncStore } from '../src/store/org-sync.js';
import { EmailDirectory } from '../src/slack-api/users.js';
import { createJobClient } from '../src/slack-api/clients.js';
import { createJobQueue } from '../src/jobs/queue.js';
import { runOrgSync } from '../src/jobs/processors/org-sync.js';
import { createLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import type { SyncCounts } from '../src/domain/org-sync.js';
import { fakeApiToken, startFakeAtlassian } from '../test/support/fake-atlassian.js';
import { startFakeSlack } from '../test/support/fake-slack.js';

export interface OrgSyncBenchResult {
  tokens: number;
  pageSize: number;
  owners: number;
  /** First run: every token new. */
  firstSec: number;
  firstCounts: SyncCounts;
  /** Second run over the same listing: nothing to change. */
  secondSec: number;
  secondCounts: SyncCounts;
  /** Redis used_memory before and after the first run, and the difference per token. */
  redisBeforeMiB: number;
  redisAfterMiB: number;
  bytesPerToken: number;
  keysAfter: number;
  noticeJobs: number;
}

const DAY = 86_400_000;

async function usedMemory(redis: ReturnType<typeof createRedis>): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

export async function measureOrgSync(redisUrl: string, size: number, pageSize: number): Promise<OrgSyncBenchResult> {
  const owners = Math.max(1, Math.floor(size / 10));
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const users = Object.fromEntries(
    Array.from({ length: owners }, (_, i) => [`UBENCH${i}`, { name: `owner${i}`, profile: { email: `owner${i}@example.com` } }]),
  );
  const slack = await startFakeSlack({ users, strictUsers: true });
  const atlassian = await startFakeAtlassian({ pageSize });
  atlassian.setTokens(
    Array.from({ length: size }, (_, n) =>
      fakeApiToken(n, {
        label: `Integration ${n} Bitbucket token`,
        createdAt: iso(now - 200 * DAY),
        expiresAt: iso(now + ((n % 300) + 20) * DAY),
        lastActiveAt: iso(now - (n % 10 === 0 ? 120 : 1) * DAY),
        user: { id: `acc-${n % owners}`, email: `owner${n % owners}@example.com`, name: `Owner ${n % owners}` },
      }),
    ),
  );
  const redis = createRedis(redisUrl);
  await redis.flushall();
  const keys = createKeys('bench');
  const logger = createLogger({ level: 'silent' });
  const jobs = createJobQueue({ redisUrl, keyPrefix: 'bench', logger });
  const deps = {
    tokens: new TokenStore(redis, keys, new RequestStore(redis, keys)),
    store: new OrgSyncStore(redis, keys),
    emails: new EmailDirectory(createJobClient({ botToken: 'xoxb-bench', apiUrl: slack.url }), systemClock),
    settings: { orgId: atlassian.orgId, apiKey: atlassian.apiKey, apiUrl: atlassian.url, everyMs: 6 * 3_600_000, unusedDays: 90 },
    client: createJobClient({ botToken: 'xoxb-bench', apiUrl: slack.url }),
    jobs,
    clock: systemClock,
    logger,
  };
  try {
    await jobs.queue.waitUntilReady();
    const before = await usedMemory(redis);
    let started = performance.now();
    const first = await runOrgSync(deps, 'bench-run-1');
    const firstSec = (performance.now() - started) / 1000;
    const after = await usedMemory(redis);
    if (first.outcome !== 'complete' || first.counts.discovered !== size) {
      throw new Error(`orgsync bench: first run ${first.outcome}, ${JSON.stringify(first.counts)}`);
    }
    started = performance.now();
    const second = await runOrgSync(deps, 'bench-run-2');
    const secondSec = (performance.now() - started) / 1000;
    const changed = second.counts.discovered + second.counts.linked + second.counts.corrected + second.counts.revoked;
    if (second.outcome !== 'complete' || changed !== 0) throw new Error(`orgsync bench: second run changed ${changed}`);
    return {
      tokens: size,
      pageSize,
      owners,
      firstSec: Math.round(firstSec * 100) / 100,
      firstCounts: first.counts,
      secondSec: Math.round(secondSec * 100) / 100,
      secondCounts: second.counts,
      redisBeforeMiB: Math.round((before / 1048576) * 10) / 10,
      redisAfterMiB: Math.round((after / 1048576) * 10) / 10,
      bytesPerToken: Math.round((after - before) / size),
      keysAfter: await redis.dbsize(),
      noticeJobs: (await jobs.counts())['waiting'] ?? 0,
    };
  } finally {
    await jobs.close();
    redis.disconnect();
    await atlassian.stop();
    await slack.stop();
  }
}
