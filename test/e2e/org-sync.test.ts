import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { openTestRedis, startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { fakeApiToken, startFakeAtlassian, type FakeApiToken, type FakeAtlassian } from '../support/fake-atlassian.js';
import { uniquePrefix } from '../support/redis-server.js';
import { waitForIdleQueue } from '../support/queue-state.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { OrgSyncStore, type OrgSyncStatus } from '../../src/store/org-sync.js';
import { enqueueOrgSyncNow } from '../../src/jobs/queue.js';
import { createTokenId, tokenIdForImport } from '../../src/domain/record-ids.js';
import { UNKNOWN_OWNER_ID } from '../../src/domain/org-sync.js';
import { ACTION, BLOCK, CALLBACK, SCOPES_ACTION, SCOPES_BLOCK } from '../../src/blocks/ids.js';
import { appHomeOpenedEvent, blockActionsPayload, input, viewSubmissionPayload } from '../support/slack-requests.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import type { TokenEvent, TokenRecord } from '../../src/domain/types.js';
import { REMINDERS_ANY_TIME } from '../support/flows.js';

const ALWAYS = REMINDERS_ANY_TIME;
const DAY = 86_400_000;
const todayUtc = () => todayIn('UTC', new Date());
const isoIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();

let redis: Redis;
beforeAll(() => {
  redis = openTestRedis();
});
afterAll(() => redis.disconnect());

function storesFor(prefix: string) {
  const keys = createKeys(prefix);
  return { tokens: new TokenStore(redis, keys, new RequestStore(redis, keys)), sync: new OrgSyncStore(redis, keys), keys };
}

async function recordToken(prefix: string, ownerId: string, name: string, expiresOn: string): Promise<TokenRecord> {
  const token: TokenRecord = {
    id: createTokenId(),
    ownerId,
    name,
    scopes: ['read:repository:bitbucket'],
    expiresOn,
    createdAt: Date.now() - 30 * DAY,
    status: 'active',
  };
  expect(await storesFor(prefix).tokens.create(token, { at: token.createdAt, type: 'recorded', by: ownerId })).toBe(true);
  return token;
}

async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await read();
      if (!check(v)) throw new Error(`condition not met; last value ${JSON.stringify(v)}`);
      return v;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

describe('Atlassian organization sync, end to end through the bot', () => {
  let slack: FakeSlack;
  let atlassian: FakeAtlassian;
  let t: TestBot;
  const prefix = uniquePrefix('orgsync');
  const stores = () => storesFor(t.prefix);
  const status = () => stores().sync.status();
  const tokenOf = async (id: string) => (await stores().tokens.get(id))!;
  /** The token's history, without the 'reminded' entries of notices and reminders (sent in the background). */
  const historyOf = async (id: string) => (await stores().tokens.history(id)).filter((e) => e.type !== 'reminded');
  const isNoticeFor = (c: FakeSlackCall, channel: string, tokenId: string) => {
    const meta = c.args['metadata'] as { event_type?: string; event_payload?: { notice?: string } } | undefined;
    return (
      c.args['channel'] === channel &&
      c.response['ok'] === true &&
      meta?.event_type === 'btb_org_notice' &&
      String(meta.event_payload?.notice).startsWith(`${tokenId}-`)
    );
  };
  const noticesTo = (channel: string, tokenId: string) => slack.callsTo('chat.postMessage').filter((c) => isNoticeFor(c, channel, tokenId));
  const notice = (channel: string, tokenId: string) =>
    slack.waitForCall('chat.postMessage', (c) => isNoticeFor(c, channel, tokenId), { timeoutMs: 20_000 });
  const homeText = (userId: string) => JSON.stringify(slack.homeView(userId)?.['blocks'] ?? []);
  const pressSyncNow = (userId: string) =>
    t.sender.interaction(
      blockActionsPayload({ userId, actionId: ACTION.orgSyncNow, blockId: BLOCK.orgSyncActions, view: slack.homeView(userId) }),
    );
  const buttons = (c: FakeSlackCall) =>
    (c.args['blocks'] as Array<{ elements?: Array<{ action_id?: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .flatMap((e) => (e.action_id ? [e.action_id] : []));

  /** Asks for a run (as "Sync now" does) and resolves with the status it wrote. */
  async function syncNow(): Promise<OrgSyncStatus> {
    await waitForIdleQueue(t);
    const before = (await status())?.runs ?? 0;
    await enqueueOrgSyncNow(t.bot.jobs);
    return eventually(status, (s) => (s?.runs ?? 0) > before) as Promise<OrgSyncStatus>;
  }

  // Ada has a recorded token with a mistyped expiry, and one nobody recorded (expiring in 7 days);
  // Bob has a recorded token, and one with no expiresAt; Carol's email is unknown to Slack.
  let adaRecorded: TokenRecord;
  let bobRecorded: TokenRecord;
  const listing: FakeApiToken[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack({
      strictUsers: true,
      users: {
        UADA: { name: 'ada', profile: { email: 'Ada@Example.com' } },
        UBOB: { name: 'bob', profile: { email: 'bob@example.com' } },
      },
    });
    atlassian = await startFakeAtlassian({ pageSize: 2 });
    // Recorded before the bot starts: its start-up sync finds them.
    adaRecorded = await recordToken(prefix, 'UADA', 'DeepTraQ Bitbucket Integration', addDays(todayUtc(), 150));
    bobRecorded = await recordToken(prefix, 'UBOB', 'Old CI', addDays(todayUtc(), 200));
    listing.push(
      fakeApiToken(1, {
        label: 'deeptraq  bitbucket INTEGRATION',
        expiresAt: isoIn(180),
        lastActiveAt: isoIn(-1),
        user: { id: 'acc-ada', email: 'ada@example.com', name: 'Ada' },
        riskScore: 3,
      }),
      fakeApiToken(2, {
        label: 'Renovate',
        expiresAt: isoIn(7),
        lastActiveAt: isoIn(-2),
        user: { id: 'acc-ada', email: 'ada@example.com' },
      }),
      fakeApiToken(3, {
        label: 'Contractor script',
        expiresAt: isoIn(100),
        lastActiveAt: isoIn(-3),
        user: { id: 'acc-carol', email: 'carol@elsewhere.example' },
      }),
      fakeApiToken(4, {
        label: 'Old CI',
        lastActiveAt: isoIn(-1),
        expiresAt: `${bobRecorded.expiresOn}T12:00:00.000Z`,
        user: { id: 'acc-bob', email: 'bob@example.com' },
      }),
      fakeApiToken(5, {
        label: 'Ancient',
        createdAt: new Date(Date.now() - 100 * DAY).toISOString(),
        expiresAt: undefined,
        lastActiveAt: undefined,
        user: { id: 'acc-bob', email: 'bob@example.com' },
      }),
    );
    atlassian.setTokens(listing);
    t = await startTestBot({
      name: 'orgsync',
      prefix,
      slack,
      env: {
        ...ALWAYS,
        ATLASSIAN_ORG_ID: atlassian.orgId,
        ATLASSIAN_ADMIN_API_KEY: atlassian.apiKey,
        ATLASSIAN_API_URL: atlassian.url,
        ORG_SYNC_HOURS: '168',
        ADMIN_USER_IDS: 'UADA',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await slack?.stop();
    await atlassian?.stop();
  });

  it('at start-up records unrecorded tokens, links and corrects recorded ones, counts unknown owners', async () => {
    const first = await eventually(status, (s) => (s?.runs ?? 0) >= 1);
    expect(first).toMatchObject({
      complete: true,
      counts: { seen: 5, discovered: 3, linked: 2, corrected: 1, revoked: 0, unused: 1, ownersNotFound: 1, errors: 0 },
    });
    expect(first?.warning).toBeUndefined();
    // Paged with the key, two tokens a page.
    expect(atlassian.requests.length).toBeGreaterThanOrEqual(3);
    expect(atlassian.requests.every((r) => r.authorization === `Bearer ${atlassian.apiKey}`)).toBe(true);

    // Ada's mistyped expiry is corrected, with history, and her reminders start over.
    const ada = await tokenOf(adaRecorded.id);
    expect(ada.expiresOn).toBe(addDays(todayUtc(), 180));
    expect(ada.atlassian).toMatchObject({ orgId: atlassian.orgId, id: 'tok-00001', expiryKnown: true });
    expect(ada.scopes).toEqual(['read:repository:bitbucket']);
    expect((await historyOf(adaRecorded.id)).map((e) => e.type)).toEqual(['recorded', 'linked', 'corrected']);

    // Bob's recorded token is linked, expiry unchanged.
    const bob = await tokenOf(bobRecorded.id);
    expect(bob.expiresOn).toBe(bobRecorded.expiresOn);
    expect((await historyOf(bobRecorded.id)).map((e) => e.type)).toEqual(['recorded', 'linked']);

    // Renovate: nobody recorded it. Recorded with source atlassian, scopes unknown, id derived from Atlassian's.
    const renovateId = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00002']);
    const renovate = await tokenOf(renovateId);
    expect(renovate).toMatchObject({
      ownerId: 'UADA',
      name: 'Renovate',
      scopes: [],
      source: 'atlassian',
      status: 'active',
      expiresOn: addDays(todayUtc(), 7),
    });
    expect((await historyOf(renovateId)).map((e: TokenEvent) => e.type)).toEqual(['discovered']);

    // No expiresAt: assumed created + 365 days, flagged as not known.
    const ancient = await tokenOf(tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00005']));
    expect(ancient.atlassian?.unusedOfferedAt).toBeDefined();
    expect(ancient.atlassian?.expiryKnown).toBe(false);
    expect(ancient.expiresOn).toBe(addDays(todayUtc(), 265));

    // Carol's email is unknown to Slack: recorded orphaned, and the fallback channel is asked to adopt it.
    const carolId = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00003']);
    const carol = await tokenOf(carolId);
    expect(carol).toMatchObject({ ownerId: UNKNOWN_OWNER_ID, atlassian: { ownerEmail: 'carol@elsewhere.example' } });
    const orphan = await notice('C0FALLBACK', carolId);
    expect(orphan.args['text']).toContain('carol@elsewhere.example');
    expect(buttons(orphan)).toEqual([ACTION.reminderAdopt, ACTION.reminderRevoke]);

    // Owners are told once: Ada of her corrected expiry, Bob that "Ancient" was never used.
    expect(String((await notice('UADA', adaRecorded.id)).args['text'])).toMatch(/expires on .*not .* as recorded/);
    const unused = await notice('UBOB', ancient.id);
    expect(unused.args['text']).toMatch(/not been used for 90 days or more \(never used\)/);
    expect(buttons(unused)).toEqual([ACTION.reminderRevoke]);
    await eventually(
      () => redis.scard(stores().keys.orgSyncNotices),
      (n) => n === 0,
    );
    expect((await tokenOf(ancient.id)).notices).toBeUndefined();

    // The discovered token gets its 7-day reminder like any token, saying its scopes are unknown.
    const dm = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args['channel'] === 'UADA' && c.response['ok'] === true && JSON.stringify(c.args['blocks']).includes('Renovate'),
      { timeoutMs: 20_000 },
    );
    expect(JSON.stringify(dm.args['blocks'])).toContain('unknown');
    expect(t.logs.text).not.toContain(atlassian.apiKey);
  });

  it("lets the owner say the scopes of a token found in Atlassian's list from its reminder (optional)", async () => {
    const renovateId = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00002']);
    const dm = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args['channel'] === 'UADA' && c.response['ok'] === true && JSON.stringify(c.args['blocks']).includes('Renovate'),
      { timeoutMs: 20_000 },
    );
    expect(buttons(dm)).toContain(ACTION.reminderScopes);
    const after = slack.calls.length;
    await t.sender.interaction(
      blockActionsPayload({
        userId: 'UADA',
        actionId: ACTION.reminderScopes,
        blockId: BLOCK.reminderActions,
        value: renovateId,
        message: { ts: dm.response['ts'], blocks: dm.args['blocks'] },
        channelId: String(dm.response['channel']),
        responseUrl: `${slack.origin}/response/scopes`,
      }),
    );
    const open = await slack.waitForCall('views.open', (c) => c.response['ok'] === true, { after });
    const view = slack.views.get(String((open.response['view'] as { id: string }).id))!;
    expect(view['callback_id']).toBe(CALLBACK.scopesModal);
    const submit = (userId: string, scopes: string[]) =>
      t.sender.interaction(viewSubmissionPayload({ userId, view, values: { [SCOPES_BLOCK]: { [SCOPES_ACTION]: input.multi(scopes) } } }));
    // Someone else, or a scope that does not exist: refused next to the field.
    const notTheirs = await submit('UBOB', ['read:repository:bitbucket']);
    expect((notTheirs.json() as { errors: Record<string, string> }).errors[SCOPES_BLOCK]).toMatch(/Only the token/);
    const unknown = await submit('UADA', ['read:everything:bitbucket']);
    expect((unknown.json() as { errors: Record<string, string> }).errors[SCOPES_BLOCK]).toMatch(/from the list/);
    expect((await tokenOf(renovateId)).scopes).toEqual([]);

    expect((await submit('UADA', ['write:repository:bitbucket', 'read:repository:bitbucket'])).text).toBe('');
    expect((await tokenOf(renovateId)).scopes).toEqual(['read:repository:bitbucket', 'write:repository:bitbucket']);
    expect((await stores().tokens.history(renovateId)).at(-1)).toMatchObject({ type: 'corrected', by: 'UADA' });
    const update = await slack.waitForCall('chat.update', (c) => c.args['ts'] === dm.response['ts'], { after });
    expect(JSON.stringify(update.args['blocks'])).toContain('read:repository:bitbucket');
    expect(buttons(update)).not.toContain(ACTION.reminderScopes);
    expect(buttons(update)).toContain(ACTION.reminderRenew);
  });

  it('lets anyone in the fallback channel adopt a token with no Slack owner', async () => {
    const carolId = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00003']);
    const orphan = await notice('C0FALLBACK', carolId);
    await t.sender.interaction(
      blockActionsPayload({
        userId: 'UBOB',
        actionId: ACTION.reminderAdopt,
        blockId: BLOCK.reminderActions,
        value: carolId,
        message: { ts: orphan.response['ts'], blocks: orphan.args['blocks'] },
        channelId: 'C0FALLBACK',
        responseUrl: `${slack.origin}/response/adopt`,
      }),
    );
    const adopted = await eventually(
      () => tokenOf(carolId),
      (tok) => tok.ownerId === 'UBOB',
    );
    expect(adopted.reminder?.orphanedAt).toBeUndefined();
  });

  it('changes nothing when run again over the same listing', async () => {
    await waitForIdleQueue(t);
    const posts = slack.callsTo('chat.postMessage').length;
    const ids = await redis.zrange(stores().keys.allTokens, '0', '-1');
    const read = async () =>
      Promise.all(ids.map(async (id) => [await redis.get(stores().keys.token(id)), await redis.get(stores().keys.tokenHistory(id))]));
    const before = await read();
    const second = await syncNow();
    expect(second.counts).toMatchObject({ seen: 5, discovered: 0, linked: 0, corrected: 0, revoked: 0, errors: 0 });
    await waitForIdleQueue(t);
    expect(await read()).toEqual(before);
    expect(slack.callsTo('chat.postMessage').length).toBe(posts);
    expect(await redis.zcard(stores().keys.allTokens)).toBe(ids.length);
  });

  it('never marks revoked from a partial listing, then revokes once the complete listing lacks the token', async () => {
    atlassian.setTokens(listing.filter((x) => x.id !== 'tok-00004'));
    atlassian.failPage(1, { kind: 'malformed' });
    const partial = await syncNow();
    expect(partial.complete).toBe(false);
    expect(partial.warning?.kind).toBe('bad_response');
    expect(partial.counts.revoked).toBe(0);
    expect((await tokenOf(bobRecorded.id)).status).toBe('active');

    const full = await syncNow();
    expect(full.complete).toBe(true);
    expect(full.warning).toBeUndefined();
    expect(full.counts.revoked).toBe(1);
    const bob = await tokenOf(bobRecorded.id);
    expect(bob.status).toBe('revoked');
    expect(await redis.zscore(stores().keys.remindersDue, bobRecorded.id)).toBeNull();
    expect((await historyOf(bobRecorded.id)).map((e) => e.type)).toEqual(['recorded', 'linked', 'revoked-by-sync']);
    expect(String((await notice('UBOB', bobRecorded.id)).args['text'])).toContain('no longer in your Atlassian organization');

    const again = await syncNow();
    expect(again.counts.revoked).toBe(0);
    await waitForIdleQueue(t);
    expect(noticesTo('UBOB', bobRecorded.id)).toHaveLength(1);
  });

  it('sends a notice whose message reached Slack before a crash only once (found by its mark)', async () => {
    const { tokens, sync } = stores();
    const renovateId = tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00002']);
    const claimedAt = Date.now() - 1000;
    const owed = { id: `revoked-${claimedAt}`, kind: 'revoked' as const, at: claimedAt, claimedAt };
    // The state a process leaves when it dies after Slack took the message, before confirming.
    await tokens.update(renovateId, (tok) => ({ next: { ...tok, notices: [owed] }, ops: [sync.owesNoticeOp(renovateId)] }));
    const posted = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'UADA',
        text: 'posted before the crash',
        metadata: { event_type: 'btb_org_notice', event_payload: { notice: `${renovateId}-${owed.id}` } },
      }),
    });
    expect(((await posted.json()) as { ok: boolean }).ok).toBe(true);
    const before = noticesTo('UADA', renovateId).length;
    await syncNow(); // the run re-adds the jobs of notices still owed
    await eventually(
      () => tokenOf(renovateId),
      (tok) => tok.notices === undefined,
    );
    await waitForIdleQueue(t);
    expect(noticesTo('UADA', renovateId)).toHaveLength(before);
    expect(t.logs.text).toContain('was already in Slack');
  });

  it('warns once about a refused key, keeps warning on the status, and recovers', async () => {
    const warnings = () => t.logs.lines.filter((l) => l.includes('could not read the whole listing')).length;
    const before = warnings();
    atlassian.failPage(0, { kind: 'status', status: 401 }, 2);
    const first = await syncNow();
    expect(first.warning?.kind).toBe('auth');
    expect(first.warning?.message).toMatch(/ATLASSIAN_ADMIN_API_KEY/);
    const second = await syncNow();
    expect(second.warning).toEqual(first.warning);
    expect(warnings()).toBe(before + 1);
    // The admins see it on their Home (republished when the run finished).
    await vi.waitFor(() => expect(homeText('UADA')).toContain('ATLASSIAN_ADMIN_API_KEY'), { timeout: 10_000 });
    const recovered = await syncNow();
    expect(recovered.warning).toBeUndefined();
    expect(t.logs.text).not.toContain(atlassian.apiKey);
  });

  it('shows admins the last sync on the App Home with Sync now (admins only) and exports the counts on /metrics', async () => {
    await waitForIdleQueue(t);
    const after = slack.calls.length;
    await t.sender.event(appHomeOpenedEvent('UADA'));
    await slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'UADA', { after });
    const home = homeText('UADA');
    expect(home).toContain('Atlassian organization sync');
    expect(home).toMatch(/4 tokens seen · 0 discovered/);
    expect(home).toContain(ACTION.orgSyncNow);
    // Not an admin: no Sync now on the Home, and pressing it anyway starts nothing.
    await t.sender.event(appHomeOpenedEvent('UBOB'));
    await slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'UBOB', { after });
    expect(homeText('UBOB')).not.toContain(ACTION.orgSyncNow);
    const runs = (await status())!.runs;
    const refusal = slack.calls.length;
    expect((await pressSyncNow('UBOB')).status).toBe(200);
    await slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'UBOB' && /Only the bot/.test(String(c.args['text'])), {
      after: refusal,
    });
    await waitForIdleQueue(t);
    expect((await status())!.runs).toBe(runs);
    // An admin's press runs one.
    expect((await pressSyncNow('UADA')).status).toBe(200);
    await eventually(status, (s) => (s?.runs ?? 0) === runs + 1);

    const metrics = await (await fetch(`http://127.0.0.1:${t.port}/metrics`)).text();
    expect(metrics).toMatch(/btb_org_sync_last_run_tokens\{outcome="seen"\} 4/);
    expect(metrics).toMatch(/btb_org_sync_last_run_complete 1/);
    expect(metrics).toMatch(/btb_org_sync_last_run_timestamp_seconds \d+/);
    expect(metrics).not.toContain(atlassian.apiKey);
  });

  it("waits out Slack's rate limit on users.lookupByEmail and records the token", async () => {
    slack.setUser('UDAN', { name: 'dan', profile: { email: 'dan@example.com' } });
    atlassian.setTokens([
      ...atlassian.tokens,
      fakeApiToken(6, {
        label: 'Dan CI',
        expiresAt: isoIn(60),
        lastActiveAt: isoIn(-1),
        user: { id: 'acc-dan', email: 'dan@example.com' },
      }),
    ]);
    const after = slack.calls.length;
    slack.failNext('users.lookupByEmail', { retryAfter: 1 });
    const run = await syncNow();
    expect(run.counts).toMatchObject({ discovered: 1, errors: 0 });
    const lookups = slack.callsTo('users.lookupByEmail').filter((c) => c.index >= after && c.args['email'] === 'dan@example.com');
    expect(lookups.map((c) => c.status)).toEqual([429, 200]);
    expect((await tokenOf(tokenIdForImport(['atlassian', atlassian.orgId, 'tok-00006']))).ownerId).toBe('UDAN');
  });
});
