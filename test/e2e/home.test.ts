import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { appHomeOpenedEvent, blockActionsPayload, input, viewSubmissionPayload, type StateValues } from '../support/slack-requests.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import type { FakeSlackCall, StoredView } from '../support/fake-slack.js';
import { ACTION, BLOCK, CALLBACK, RECORD_ACTION, RECORD_BLOCK } from '../../src/blocks/ids.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import type { TokenRecord } from '../../src/domain/types.js';

const FAKE_TOKEN = `ATATT3xFfGF0${'Zm9vYmFy'.repeat(4)}=ABCD1234`;
const ADMIN = 'UADMIN';

let t: TestBot;
let redis: Redis;
let tokens: TokenStore;

beforeAll(async () => {
  t = await startTestBot({ name: 'home', env: { ADMIN_USER_IDS: ADMIN } });
  redis = new Redis(t.redisUrl);
  const keys = createKeys(t.prefix);
  tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

/** Stores tokens the way `record` does, straight through the app's own store. */
async function seedTokens(ownerId: string, count: number, over: Partial<TokenRecord> = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const token: TokenRecord = {
      id: createTokenId(),
      ownerId,
      name: `Seeded ${ownerId} ${i}`,
      scopes: ['read:repository:bitbucket'],
      expiresOn: daysFromNow((i % 300) + 1),
      createdAt: Date.now() + i,
      status: 'active',
      ...over,
    };
    await tokens.create(token, { at: Date.now(), type: 'imported' });
  }
}

const blocksOf = (view: StoredView | undefined) => (view?.['blocks'] ?? []) as Array<Record<string, unknown>>;
const textOf = (view: StoredView | undefined) => JSON.stringify(blocksOf(view));

/** Opens the Home tab and waits for the views.publish it causes. */
async function openHome(userId: string): Promise<FakeSlackCall> {
  const after = t.slack.calls.length;
  const res = await t.sender.event(appHomeOpenedEvent(userId));
  expect(res.status).toBe(200);
  return t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === userId, { after });
}

describe('App Home', () => {
  it('publishes an empty inventory with both buttons for a user the bot does not know', async () => {
    const call = await openHome('UNOBODY');
    expect(call.response['ok']).toBe(true);
    const home = t.slack.homeView('UNOBODY');
    expect(textOf(home)).toContain('no recorded tokens');
    expect(textOf(home)).toContain(ACTION.homeNewRequest);
    expect(textOf(home)).not.toContain('Organisation');
  });

  it('ignores the Messages tab', async () => {
    await t.sender.event(appHomeOpenedEvent('UMSGTAB', 'messages'));
    await openHome('USENTINEL');
    expect(t.slack.homeView('UMSGTAB')).toBeUndefined();
  });

  it('is republished when a request is stored and when its token is recorded, once its user has opened it', async () => {
    const user = 'UFLOW';
    await openHome(user);
    let after = t.slack.calls.length;
    const res = await submitRequest(
      t,
      user,
      requestState({ presetId: 'ci', name: 'Flow CI token', expiresOn: daysFromNow(20), scopes: ['read:repository:bitbucket'] }),
    );
    expect(res.status).toBe(200);
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === user, { after });
    expect(textOf(t.slack.homeView(user))).toMatch(/Your open requests \(1\).*Flow CI token/);

    const checklist = await waitForChecklist(t, user, after);
    after = t.slack.calls.length;
    await t.sender.interaction(
      blockActionsPayload({
        userId: user,
        actionId: ACTION.recordToken,
        blockId: BLOCK.checklistActions,
        value: recordButtonValue(checklist),
        channelId: `D${user}`,
      }),
    );
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === user, { after });
    const home = textOf(t.slack.homeView(user));
    expect(home).toContain('Your open requests (0)');
    expect(home).toContain('*Flow CI token*');
    expect(home).toContain('Expiring · 20 days left');
    expect(home).toContain('read:repository:bitbucket');
  });

  it('summarises 500 tokens within 100 blocks, and /bitbucket-token list within 50', async () => {
    const user = 'UMANY';
    await seedTokens(user, 500);
    await openHome(user);
    const home = t.slack.homeView(user);
    expect(blocksOf(home).length).toBeLessThanOrEqual(100);
    expect(textOf(home)).toContain('500 tokens: 0 expired');
    expect(textOf(home)).toContain('…and 485 more');

    const after = t.slack.calls.length;
    const res = await t.sender.command({ user_id: user, text: 'list' });
    expect(res.status).toBe(200);
    const reply = await t.slack.waitForCall('response_url', undefined, { after });
    expect(reply.response['ok']).toBe(true);
    expect(reply.args['response_type']).toBe('ephemeral');
    expect((reply.args['blocks'] as unknown[]).length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(reply.args['blocks'])).toContain('…and 455 more');
    expect(t.slack.violations).toEqual([]);
  });

  it('lists an empty inventory with the way to start', async () => {
    const after = t.slack.calls.length;
    await t.sender.command({ user_id: 'UEMPTY', text: 'list' });
    const reply = await t.slack.waitForCall('response_url', undefined, { after });
    expect(String(reply.args['text'])).toMatch(/no recorded tokens.*record/);
  });

  it('shows admins the organisation: expiring soon, owners who left, risk counts; others do not see it', async () => {
    t.slack.setUser('UGONE', { deleted: true });
    await seedTokens('UGONE', 1, { name: 'Orphaned scanner', expiresOn: daysFromNow(200) });
    await seedTokens('UORG', 1, { name: 'Admin-scoped deployer', scopes: ['admin:repository:bitbucket'], expiresOn: daysFromNow(0) });
    await openHome(ADMIN);
    const home = textOf(t.slack.homeView(ADMIN));
    expect(home).toContain('Organisation');
    expect(home).toMatch(/Owner no longer in Slack \(1\).*Orphaned scanner/);
    expect(home).toMatch(
      /Expiring within 30 days \(\d+\)\*"[\s\S]*?Admin-scoped deployer\* of <@UORG>: :large_yellow_circle: Expiring · expires today/,
    );
    expect(home).toMatch(/:red_circle: [1-9]\d* high/);
    expect(blocksOf(t.slack.homeView(ADMIN)).length).toBeLessThanOrEqual(100);

    await openHome('UORG');
    expect(textOf(t.slack.homeView('UORG'))).not.toContain('Organisation');
  });

  it('opens the request and record modals from its buttons', async () => {
    await openHome('UBTN');
    const home = t.slack.homeView('UBTN')!;
    for (const [actionId, callbackId] of [
      [ACTION.homeNewRequest, CALLBACK.requestModal],
      [ACTION.homeRecordExisting, CALLBACK.recordModal],
    ] as const) {
      const after = t.slack.calls.length;
      await t.sender.interaction(blockActionsPayload({ userId: 'UBTN', actionId, blockId: BLOCK.homeActions, view: home }));
      const open = await t.slack.waitForCall('views.open', undefined, { after });
      expect(open.response['ok']).toBe(true);
      expect((open.args['view'] as { callback_id: string }).callback_id).toBe(callbackId);
    }
  });
});

describe('/bitbucket-token record', () => {
  const recordState = (v: {
    name?: string | null;
    expiresOn?: string | null;
    scopes?: string[];
    workspace?: string | null;
    places?: string | null;
  }): StateValues => ({
    [RECORD_BLOCK.name]: { [RECORD_ACTION.name]: input.text(v.name ?? null) },
    [RECORD_BLOCK.scopes]: { [RECORD_ACTION.scopes]: input.multi(v.scopes ?? []) },
    [RECORD_BLOCK.expiry]: { [RECORD_ACTION.expiry]: input.date(v.expiresOn ?? null) },
    [RECORD_BLOCK.workspace]: { [RECORD_ACTION.workspace]: input.text(v.workspace ?? null) },
    [RECORD_BLOCK.places]: { [RECORD_ACTION.places]: input.text(v.places ?? null) },
  });
  const submit = (userId: string, values: StateValues) =>
    t.sender.interaction(viewSubmissionPayload({ userId, callbackId: CALLBACK.recordModal, values }));
  const valid = {
    name: 'Legacy Jenkins token',
    expiresOn: daysFromNow(0),
    scopes: ['read:repository:bitbucket', 'read:pullrequest:bitbucket'],
    workspace: 'acme',
    places: 'Jenkins credential bitbucket-ci\nVault secret/ci/jenkins',
  };

  it('opens the record modal within Slack limits', async () => {
    const after = t.slack.calls.length;
    await t.sender.command({ user_id: 'UREC', text: 'record' });
    const open = await t.slack.waitForCall('views.open', undefined, { after });
    expect(open.response['ok']).toBe(true);
    const view = open.args['view'] as { callback_id: string; blocks: Array<{ block_id?: string }> };
    expect(view.callback_id).toBe(CALLBACK.recordModal);
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(Object.values(RECORD_BLOCK));
    expect(t.slack.violations).toEqual([]);
  });

  it('refuses a pasted token in any field next to the field, stores nothing and never echoes or logs it', async () => {
    const res = await submit('UREC', recordState({ ...valid, name: FAKE_TOKEN, workspace: FAKE_TOKEN, places: `Vault\n${FAKE_TOKEN}` }));
    const body = res.json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual([RECORD_BLOCK.name, RECORD_BLOCK.workspace, RECORD_BLOCK.places].sort());
    expect(res.text).not.toContain('ATATT3');
    expect(t.logs.text).not.toContain(FAKE_TOKEN);
    expect(await tokens.listByUser('UREC')).toEqual([]);
  });

  it('refuses a past expiry and accepts today', async () => {
    const past = await submit('UREC', recordState({ ...valid, expiresOn: daysFromNow(-1) }));
    expect((past.json() as { errors: Record<string, string> }).errors[RECORD_BLOCK.expiry]).toMatch(/already passed/);
    const after = t.slack.calls.length;
    const ok = await submit('UREC', recordState(valid));
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    const dm = await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'UREC', { after });
    expect(String(dm.args['text'])).toContain('Recorded *Legacy Jenkins token*');
    const stored = await tokens.listByUser('UREC');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      ownerId: 'UREC',
      name: valid.name,
      scopes: valid.scopes,
      workspace: 'acme',
      expiresOn: valid.expiresOn,
      status: 'active',
      places: ['Jenkins credential bitbucket-ci', 'Vault secret/ci/jenkins'],
    });
    expect(await tokens.history(stored[0]!.id)).toEqual([expect.objectContaining({ type: 'recorded', by: 'UREC' })]);
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'UREC', { after });
    expect(textOf(t.slack.homeView('UREC'))).toContain('Expiring · expires today');
  });
});

describe('App Home of someone who does not look at it', () => {
  it('is not republished after a request of someone who has not opened it lately; opening it shows the request', async () => {
    const user = 'UNEVERHOME';
    const after = t.slack.calls.length;
    const res = await submitRequest(
      t,
      user,
      requestState({ presetId: 'ci', name: 'Unseen CI token', expiresOn: daysFromNow(20), scopes: ['read:repository:bitbucket'] }),
    );
    expect(res.status).toBe(200);
    await vi.waitFor(
      () => {
        const skipped = t.logs.lines.some((l) => l.includes('App Home not republished') && l.includes(user));
        if (!skipped) throw new Error('no decision about the Home yet');
      },
      { timeout: 10_000, interval: 20 },
    );
    await waitForChecklist(t, user, after);
    expect(t.slack.homeView(user)).toBeUndefined();

    const opened = await openHome(user);
    expect(textOf(t.slack.homeView(user))).toMatch(/Your open requests \(1\).*Unseen CI token/);
    // The one publish is the one the visit caused.
    expect(t.slack.callsTo('views.publish').filter((c) => c.args['user_id'] === user)).toEqual([opened]);
    expect(await redis.ttl(createKeys(t.prefix).homeSeen(user))).toBeGreaterThan(29 * 86_400);
  });
});

describe('Home refresh under a burst of changes', () => {
  it('coalesces: a burst of requests publishes far fewer Homes, the last one showing them all', async () => {
    const user = 'UBURST1';
    await openHome(user);
    const from = t.slack.callsTo('views.publish').length;
    const publishes = () =>
      t.slack
        .callsTo('views.publish')
        .slice(from)
        .filter((c) => c.args['user_id'] === user);
    const valid = { presetId: 'custom', expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => submitRequest(t, user, requestState({ ...valid, name: `Burst token ${i}` }))),
    );
    expect(results.every((r) => r.status === 200 && r.text === '')).toBe(true);
    // Wait until the last publish shows all eight (the Home lists up to 10 open requests) (the coalesced follow-up publish).
    await vi.waitFor(
      () => {
        const shown = JSON.stringify(publishes().at(-1)?.args['view'] ?? '');
        const missing = Array.from({ length: 8 }, (_, i) => `Burst token ${i}`).filter((n) => !shown.includes(n));
        if (missing.length > 0) throw new Error(`last Home published lacks ${missing.join(', ')}`);
      },
      { timeout: 15_000, interval: 50 },
    );
    const text = JSON.stringify(publishes().at(-1)?.args['view']);
    for (let i = 0; i < 8; i++) expect(text).toContain(`Burst token ${i}`);
    expect(publishes().length).toBeLessThan(8);
  });
});
