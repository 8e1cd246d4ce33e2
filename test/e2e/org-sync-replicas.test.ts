import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { openTestRedis, startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack.js';
import { fakeApiToken, startFakeAtlassian, type FakeAtlassian } from '../support/fake-atlassian.js';
import { uniquePrefix } from '../support/redis-server.js';
import { waitForIdleQueue } from '../support/queue-state.js';
import { createKeys } from '../../src/store/keys.js';
import { OrgSyncStore } from '../../src/store/org-sync.js';
import { tokenSchema } from '../../src/store/schemas.js';
import { JOB, QUEUE_NAME } from '../../src/jobs/queue.js';
import { tokenIdForImport } from '../../src/domain/record-ids.js';

/**
 * The organization sync with several bots on one Redis (one run at a time, each notice once)
 * and a run interrupted mid-listing (the next bot finishes the job; nothing revoked, nothing twice).
 */
const DAY = 86_400_000;
const isoIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const USERS = Object.fromEntries(
  Array.from({ length: 6 }, (_, i) => [`UOWNER${i}`, { name: `owner${i}`, profile: { email: `owner${i}@example.com` } }]),
);

let redis: Redis;
beforeAll(() => {
  redis = openTestRedis();
});
afterAll(() => redis.disconnect());

/** Six tokens of six owners, all unused for 100 days: each owes its owner one "unused" notice. */
function listing() {
  return Array.from({ length: 6 }, (_, i) =>
    fakeApiToken(i, {
      label: `Integration ${i}`,
      createdAt: isoIn(-200),
      expiresAt: isoIn(150),
      lastActiveAt: isoIn(-100),
      user: { id: `acc-${i}`, email: `owner${i}@example.com` },
    }),
  );
}

const isNotice = (c: FakeSlackCall) =>
  c.response['ok'] === true && (c.args['metadata'] as { event_type?: string } | undefined)?.event_type === 'btb_org_notice';

function env(atlassian: FakeAtlassian): Record<string, string> {
  return {
    ATLASSIAN_ORG_ID: atlassian.orgId,
    ATLASSIAN_ADMIN_API_KEY: atlassian.apiKey,
    ATLASSIAN_API_URL: atlassian.url,
    ORG_SYNC_HOURS: '168',
    REMINDER_FALLBACK_CHANNEL_ID: 'C0FALLBACK',
  };
}

/** The page of each listing request, in order (0 = first page). */
const pagesRequested = (atlassian: FakeAtlassian) =>
  atlassian.requests.map((r) => Number(new URL(r.path, 'http://x').searchParams.get('cursor') ?? '0') / 2);

describe('organization sync across replicas', () => {
  let slack: FakeSlack;
  let atlassian: FakeAtlassian;
  const bots: TestBot[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack({ strictUsers: true, users: USERS });
    atlassian = await startFakeAtlassian({ pageSize: 2 });
  });
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
    atlassian.onPage(undefined);
    atlassian.requests.length = 0;
    slack.reset();
  });
  afterAll(async () => {
    await slack.stop();
    await atlassian.stop();
  });

  it('three replicas starting together run one listing at a time and send each notice once', async () => {
    atlassian.setTokens(listing());
    // Slow pages make overlapping runs likely if the lock did not hold them apart.
    atlassian.onPage(() => new Promise((resolve) => setTimeout(resolve, 50)));
    const prefix = uniquePrefix('orgsync-replicas');
    bots.push(...(await Promise.all([0, 1, 2].map((i) => startTestBot({ name: `orgsync-r${i}`, prefix, slack, env: env(atlassian) })))));
    const sync = new OrgSyncStore(redis, createKeys(bots[0]!.prefix));
    await vi.waitFor(
      async () => {
        if (((await sync.status())?.runs ?? 0) < 1) throw new Error('no sync finished yet');
      },
      { timeout: 30_000, interval: 100 },
    );
    await waitForIdleQueue(bots[0]!);

    // Every listing ran whole, page after page, never interleaved with another.
    const pages = pagesRequested(atlassian);
    expect(pages.length % 3).toBe(0);
    for (let i = 0; i < pages.length; i++) expect(pages[i]).toBe(i % 3);

    const keys = createKeys(bots[0]!.prefix);
    expect(await redis.zcard(keys.allTokens)).toBe(6);
    expect(await redis.hlen(keys.orgSyncLinks)).toBe(6);
    const notices = slack.callsTo('chat.postMessage').filter(isNotice);
    expect(notices.map((c) => c.args['channel']).sort()).toEqual(Object.keys(USERS).sort());
  });

  it('a run stopped mid-listing is finished by the next bot: nothing revoked, nothing recorded or sent twice', async () => {
    const prefix = uniquePrefix('orgsync-interrupted');
    const keys = createKeys(prefix);
    const sync = new OrgSyncStore(redis, keys);
    // A token recorded by an earlier sync that the new listing still has on its last page: a
    // partial listing must not revoke it.
    atlassian.setTokens(listing());
    const first = await startTestBot({ name: 'orgsync-first', prefix, slack, env: env(atlassian) });
    bots.push(first);
    await vi.waitFor(
      async () => {
        if (((await sync.status())?.runs ?? 0) < 1) throw new Error('no sync finished yet');
      },
      { timeout: 30_000, interval: 100 },
    );
    await waitForIdleQueue(first);
    const lastPageToken = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00005']);
    expect(await redis.exists(keys.token(lastPageToken))).toBe(1);
    const noticesBefore = slack.callsTo('chat.postMessage').filter(isNotice).length;
    expect(noticesBefore).toBe(6);

    // Two new tokens, one on the first page; the listing then hangs on its second page.
    const grown = [
      fakeApiToken(10, { label: 'New A', expiresAt: isoIn(120), lastActiveAt: isoIn(-1), user: { id: 'a', email: 'owner0@example.com' } }),
      ...listing(),
      fakeApiToken(11, { label: 'New B', expiresAt: isoIn(120), lastActiveAt: isoIn(-1), user: { id: 'b', email: 'owner1@example.com' } }),
    ];
    atlassian.setTokens(grown);
    let reachedPage1!: () => void;
    const atPage1 = new Promise<void>((resolve) => (reachedPage1 = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    atlassian.onPage(async (page) => {
      if (page === 1) {
        reachedPage1();
        await held;
      }
    });
    await first.bot.jobs.enqueue(JOB.orgSync, {}, { jobId: 'org-sync-interrupted', attempts: 3 });
    await atPage1;
    // The first page's new token is recorded before the interruption.
    const newA = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00010']);
    await vi.waitFor(async () => expect(await redis.exists(keys.token(newA))).toBe(1), { timeout: 10_000 });

    // Stopped mid-page: its job goes back to the queue. Leave the lock as a killed process would.
    await first.stop();
    bots.splice(bots.indexOf(first), 1);
    // The aborted processor lets go of its lock on the way out; then put it back as a kill would leave it.
    await vi.waitFor(async () => expect(await redis.get(keys.orgSyncLock)).toBeNull(), { timeout: 10_000 });
    await redis.set(keys.orgSyncLock, 'org-sync-interrupted', 'PX', 300_000);
    release();
    atlassian.onPage(undefined);
    const queue = new Queue(QUEUE_NAME, { connection: redis.duplicate(), prefix: `${prefix}:bull` });
    try {
      expect(await queue.getJobState('org-sync-interrupted')).toBe('waiting');
    } finally {
      await queue.close();
    }
    expect((await sync.status())?.runs).toBe(1);

    const second = await startTestBot({ name: 'orgsync-second', prefix, slack, env: env(atlassian) });
    bots.push(second);
    await vi.waitFor(
      async () => {
        if (((await sync.status())?.runs ?? 0) < 2) throw new Error('the interrupted run has not finished');
      },
      { timeout: 30_000, interval: 100 },
    );
    await waitForIdleQueue(second);
    const status = await sync.status();
    expect(status?.complete).toBe(true);
    expect(status?.counts.revoked).toBe(0);
    expect(await redis.zcard(keys.allTokens)).toBe(8);
    expect(tokenSchema.parse(JSON.parse((await redis.get(keys.token(lastPageToken)))!)).status).toBe('active');
    // The old tokens' notices were sent by the first run; the new ones are used: nothing more.
    expect(slack.callsTo('chat.postMessage').filter(isNotice)).toHaveLength(noticesBefore);
    expect(await redis.get(keys.orgSyncLock)).toBeNull();
  });
});
