import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { appHomeOpenedEvent, blockActionsPayload, input, viewSubmissionPayload, type StateValues } from '../support/slack-requests.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist, REMINDERS_ANY_TIME } from '../support/flows.js';
import { ACTION, BLOCK, CALLBACK, RECORD_ACTION, RECORD_BLOCK, REQUEST_BLOCK, TEAM_ACTION, TEAM_BLOCK } from '../../src/blocks/ids.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import type { TokenRecord } from '../../src/domain/types.js';
import type { FakeSlackCall } from '../support/fake-slack.js';

/*
 * Co-owners and a team channel on the request and record modals: the picks are checked with
 * Slack (users.info, conversations.info) before the ack, refused next to their field.
 */

const OWNER = 'UCOOWN1';
const MATE = 'UCOMATE1';
const MATE2 = 'UCOMATE2';
const BOT = 'UCOBOT1';
const GONE = 'UCOGONE1';
const TEAM = 'C0TEAM1';
const OUTSIDE = 'C0OUTSIDE1';
const ARCHIVED = 'C0ARCHIVE1';

let t: TestBot;
let redis: Redis;
let tokens: TokenStore;

beforeAll(async () => {
  t = await startTestBot({ name: 'co-owners-forms', env: { APPROVAL_POLICY: 'none' } });
  t.slack.setUser(BOT, { name: 'ci-bot', is_bot: true });
  t.slack.setUser(GONE, { name: 'gone', deleted: true });
  t.slack.setChannel(TEAM, { name: 'team-scanners' });
  t.slack.setChannel(OUTSIDE, { name: 'elsewhere', is_member: false });
  t.slack.setChannel(ARCHIVED, { name: 'old-team', is_archived: true });
  redis = new Redis(t.redisUrl);
  const keys = createKeys(t.prefix);
  tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

const valid = {
  name: 'DeepTraQ Bitbucket Integration',
  expiresOn: daysFromNow(60),
  scopes: ['read:repository:bitbucket', 'read:pullrequest:bitbucket'],
  workspace: 'acme',
};
const errorsOf = (res: { json(): unknown }) => (res.json() as { errors?: Record<string, string> }).errors ?? {};

describe('request modal: co-owners and team channel', () => {
  it('refuses the owner, a bot and a deactivated user as co-owners, next to the field', async () => {
    for (const [who, text] of [
      [OWNER, /You own this token already/],
      [BOT, /bot or an app/],
      [GONE, /no longer in this workspace/],
    ] as const) {
      const res = await submitRequest(t, OWNER, requestState({ ...valid, coOwners: [MATE, who] }));
      expect(errorsOf(res)).toEqual({ [REQUEST_BLOCK.coOwners]: expect.stringMatching(text) });
    }
    // Tampered ids and more than five are refused before Slack is asked.
    const tampered = await submitRequest(t, OWNER, requestState({ ...valid, coOwners: ['not-a-user'] }));
    expect(Object.keys(errorsOf(tampered))).toEqual([REQUEST_BLOCK.coOwners]);
    const many = await submitRequest(t, OWNER, requestState({ ...valid, coOwners: ['UA1', 'UA2', 'UA3', 'UA4', 'UA5', 'UA6'] }));
    expect(errorsOf(many)[REQUEST_BLOCK.coOwners]).toMatch(/at most 5/);
    expect(await redis.zcard(`${t.prefix}:user:${OWNER}:requests`)).toBe(0);
  });

  it('refuses a team channel the bot is not in, an archived one and an unknown one, next to the field', async () => {
    for (const [channel, text] of [
      [OUTSIDE, /not a member of that channel.*invite me/],
      [ARCHIVED, /archived/],
      ['C0NOSUCH1', /cannot see that channel/],
      ['D0DIRECT1', /Pick a channel/],
    ] as const) {
      const res = await submitRequest(t, OWNER, requestState({ ...valid, teamChannelId: channel }));
      expect(errorsOf(res)).toEqual({ [REQUEST_BLOCK.teamChannel]: expect.stringMatching(text) });
    }
    const info = t.slack.callsTo('conversations.info').map((c) => c.args['channel']);
    expect(info).toEqual(expect.arrayContaining([OUTSIDE, ARCHIVED, 'C0NOSUCH1']));
    expect(await redis.zcard(`${t.prefix}:user:${OWNER}:requests`)).toBe(0);
  });

  it('keeps valid co-owners and channel on the request and on the token recorded from it', async () => {
    const after = t.slack.calls.length;
    const res = await submitRequest(t, OWNER, requestState({ ...valid, coOwners: [MATE, MATE2, MATE], teamChannelId: TEAM }));
    expect(res.text).toBe('');
    const dm = await waitForChecklist(t, OWNER, after);
    await t.sender.interaction(
      blockActionsPayload({
        userId: OWNER,
        actionId: ACTION.recordToken,
        blockId: BLOCK.checklistActions,
        value: recordButtonValue(dm),
        channelId: String(dm.response['channel']),
        message: { ts: dm.response['ts'], blocks: dm.args['blocks'] },
      }),
    );
    await expect.poll(async () => (await tokens.listByUser(OWNER)).length).toBe(1);
    const [token] = await tokens.listByUser(OWNER);
    expect(token).toMatchObject({ coOwners: [MATE, MATE2], teamChannelId: TEAM });
    expect(t.slack.violations).toEqual([]);
  });
});

describe('record modal: co-owners and team channel', () => {
  const recordState = (v: { coOwners?: string[]; teamChannelId?: string | null }): StateValues => ({
    [RECORD_BLOCK.name]: { [RECORD_ACTION.name]: input.text('Legacy Jenkins token') },
    [RECORD_BLOCK.scopes]: { [RECORD_ACTION.scopes]: input.multi(['read:repository:bitbucket']) },
    [RECORD_BLOCK.expiry]: { [RECORD_ACTION.expiry]: input.date(daysFromNow(20)) },
    [RECORD_BLOCK.workspace]: { [RECORD_ACTION.workspace]: input.text(null) },
    [RECORD_BLOCK.places]: { [RECORD_ACTION.places]: input.text(null) },
    [RECORD_BLOCK.coOwners]: { [RECORD_ACTION.coOwners]: input.users(v.coOwners ?? []) },
    [RECORD_BLOCK.teamChannel]: { [RECORD_ACTION.teamChannel]: input.conversation(v.teamChannelId ?? null) },
  });
  const submit = (userId: string, values: StateValues) =>
    t.sender.interaction(viewSubmissionPayload({ userId, callbackId: CALLBACK.recordModal, values }));

  it('refuses a bot co-owner and a channel the bot is not in, both next to their fields, and stores nothing', async () => {
    const res = await submit('UCOREC1', recordState({ coOwners: [BOT], teamChannelId: OUTSIDE }));
    expect(errorsOf(res)).toEqual({
      [RECORD_BLOCK.coOwners]: expect.stringMatching(/bot or an app/),
      [RECORD_BLOCK.teamChannel]: expect.stringMatching(/not a member/),
    });
    expect(await tokens.listByUser('UCOREC1')).toEqual([]);
  });

  it('stores valid co-owners and channel', async () => {
    const res = await submit('UCOREC2', recordState({ coOwners: [MATE], teamChannelId: TEAM }));
    expect(res.text).toBe('');
    const [token] = await tokens.listByUser('UCOREC2');
    expect(token).toMatchObject({ ownerId: 'UCOREC2', coOwners: [MATE], teamChannelId: TEAM });
  });
});

describe('App Home: co-owners and team channel of a token', () => {
  it('the owner edits them in a small modal (checked like the form), a stranger cannot', async () => {
    const owner = 'UCOHOME1';
    const token: TokenRecord = {
      id: createTokenId(),
      ownerId: owner,
      name: 'Home-edited token',
      scopes: ['read:repository:bitbucket'],
      expiresOn: daysFromNow(40),
      createdAt: Date.now(),
      status: 'active',
      coOwners: [MATE],
    };
    await tokens.create(token, { at: token.createdAt, type: 'recorded', by: owner });
    let after = t.slack.calls.length;
    await t.sender.event(appHomeOpenedEvent(owner));
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === owner, { after });
    const home = JSON.stringify(t.slack.homeView(owner)?.['blocks']);
    expect(home).toContain(ACTION.homeEditTeam);
    expect(home).toContain(`co-owners <@${MATE}>`);
    // The co-owner's Home lists it too, naming its owner, with the same button.
    after = t.slack.calls.length;
    await t.sender.event(appHomeOpenedEvent(MATE));
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === MATE, { after });
    const mateHome = JSON.stringify(t.slack.homeView(MATE)?.['blocks']);
    expect(mateHome).toContain('Home-edited token');
    expect(mateHome).toContain(`owner <@${owner}>`);
    expect(mateHome).toContain(ACTION.homeEditTeam);
    const sharedWith = async (userId: string) => (await tokens.listByUser(userId)).map((x) => x.id).includes(token.id);

    const press = (userId: string) =>
      t.sender.interaction(blockActionsPayload({ userId, actionId: ACTION.homeEditTeam, blockId: 'home_token', value: token.id }));
    after = t.slack.calls.length;
    await press('UCOSTRANGER');
    await press(owner);
    const open = await t.slack.waitForCall('views.open', undefined, { after });
    expect(t.slack.callsTo('views.open').filter((c) => c.index >= after)).toHaveLength(1);
    const view = open.args['view'] as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ element?: Record<string, unknown> }>;
    };
    expect(view.callback_id).toBe(CALLBACK.teamModal);
    expect(view.blocks.map((b) => b.element?.['initial_users']).find(Boolean)).toEqual([MATE]);

    const submitTeam = (userId: string, coOwners: string[], channel: string | null) =>
      t.sender.interaction(
        viewSubmissionPayload({
          userId,
          callbackId: CALLBACK.teamModal,
          privateMetadata: view.private_metadata,
          values: {
            [TEAM_BLOCK.coOwners]: { [TEAM_ACTION.coOwners]: input.users(coOwners) },
            [TEAM_BLOCK.channel]: { [TEAM_ACTION.channel]: input.conversation(channel) },
          },
        }),
      );
    expect(errorsOf(await submitTeam(owner, [BOT], OUTSIDE))).toEqual({
      [TEAM_BLOCK.coOwners]: expect.stringMatching(/bot or an app/),
      [TEAM_BLOCK.channel]: expect.stringMatching(/not a member/),
    });
    expect(errorsOf(await submitTeam(owner, [owner], null))[TEAM_BLOCK.coOwners]).toMatch(/own this token/);
    expect(errorsOf(await submitTeam('UCOSTRANGER', [MATE2], null))[TEAM_BLOCK.coOwners]).toMatch(/Only the owner or a co-owner/);

    // A co-owner may change them too.
    const ok = await submitTeam(MATE, [MATE, MATE2], TEAM);
    expect(ok.text).toBe('');
    const stored = await tokens.get(token.id);
    expect(stored).toMatchObject({ coOwners: [MATE, MATE2], teamChannelId: TEAM });
    expect((await tokens.history(token.id)).at(-1)).toMatchObject({ type: 'team_changed', by: MATE });
    expect([await sharedWith(owner), await sharedWith(MATE), await sharedWith(MATE2)]).toEqual([true, true, true]);

    const cleared = await submitTeam(owner, [], null);
    expect(cleared.text).toBe('');
    const after2 = await tokens.get(token.id);
    expect(after2?.coOwners).toBeUndefined();
    expect(after2?.teamChannelId).toBeUndefined();
    // Removed co-owners no longer see it; the owner still does.
    expect([await sharedWith(owner), await sharedWith(MATE), await sharedWith(MATE2)]).toEqual([true, false, false]);
    expect(t.slack.violations).toEqual([]);
  });
});

const ALWAYS = REMINDERS_ANY_TIME;

describe('reminders to co-owners and the team channel', () => {
  let r: TestBot;
  let store: TokenStore;
  let seq = 0;
  const person = (tag: string) => `U${tag}${++seq}`;

  beforeAll(async () => {
    r = await startTestBot({ name: 'co-owners-reminders', env: ALWAYS });
    r.slack.setChannel('C0TEAMR1', { name: 'team-r' });
    const keys = createKeys(r.prefix);
    store = new TokenStore(redis, keys, new RequestStore(redis, keys));
  });
  afterAll(async () => {
    await r.stop();
  });

  async function seed(over: Partial<TokenRecord>): Promise<TokenRecord> {
    const token: TokenRecord = {
      id: createTokenId(),
      ownerId: person('OWN'),
      name: `Shared token ${seq}`,
      scopes: ['read:repository:bitbucket'],
      workspace: 'acme',
      expiresOn: daysFromNow(7),
      createdAt: Date.now(),
      status: 'active',
      ...over,
    };
    expect(await store.create(token, { at: token.createdAt, type: 'recorded', by: token.ownerId })).toBe(true);
    return token;
  }
  const okPostsTo = (to: string) =>
    r.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === to && c.response['ok'] === true);
  const remindersTo = (to: string) => okPostsTo(to).filter((c) => c.args['metadata'] !== undefined);
  const history = async (id: string) => store.history(id);

  it('DMs the owner and each co-owner and posts once in the team channel; a co-owner answers and every copy shows it', async () => {
    const a = person('COA');
    const b = person('COB');
    const token = await seed({ coOwners: [a, b], teamChannelId: 'C0TEAMR1' });
    await expect.poll(async () => (await store.get(token.id))?.reminder?.last, { timeout: 15_000 }).toBe(7);
    for (const to of [token.ownerId, a, b, 'C0TEAMR1']) expect(remindersTo(to)).toHaveLength(1);
    expect(String(remindersTo(a)[0]!.args['text'])).toMatch(/you co-own with <@/);
    expect(String(remindersTo('C0TEAMR1')[0]!.args['text'])).toMatch(/team's Bitbucket API token/);
    const copies = (await store.get(token.id))!.reminder!.copies!;
    expect(copies.map((c) => c.to)).toEqual([token.ownerId, a, b, 'C0TEAMR1']);

    // Someone who is neither owner nor co-owner is refused; nothing changes.
    const dmOfB = remindersTo(b)[0]!;
    const stranger = await pressOn(r, person('STR'), ACTION.reminderSnooze, dmOfB);
    expect(stranger.status).toBe(200);
    expect((await store.get(token.id))!.reminder?.snoozedUntil).toBeUndefined();

    // Co-owner B snoozes from their DM: every copy (owner's, A's, B's, the channel's) shows it.
    const after = r.slack.calls.length;
    await pressOn(r, b, ACTION.reminderSnooze, dmOfB);
    const updates = await r.slack.waitForCalls('chat.update', 4, (c) => String(c.args['text']).includes('snoozed this reminder'), {
      after,
    });
    expect(new Set(updates.map((u) => `${u.args['channel']}/${u.args['ts']}`))).toEqual(new Set(copies.map((c) => `${c.ch}/${c.ts}`)));
    for (const u of updates) {
      expect(u.response['ok']).toBe(true);
      expect(JSON.stringify(u.args['blocks'])).not.toContain(ACTION.reminderSnooze);
    }
    expect((await history(token.id)).at(-1)).toMatchObject({ type: 'snoozed', by: b });
    expect(r.slack.violations).toEqual([]);
  });

  it('owner leaves Slack: the first co-owner still in it becomes owner (history, everyone told), then gets the reminder', async () => {
    const owner = person('LEFT');
    const goneMate = person('GONE');
    const heir = person('HEIR');
    const other = person('OTHER');
    r.slack.setUser(owner, { deleted: true });
    r.slack.setUser(goneMate, { deleted: true });
    const token = await seed({ ownerId: owner, coOwners: [goneMate, heir, other], teamChannelId: 'C0TEAMR1' });
    await expect.poll(async () => (await store.get(token.id))?.reminder?.last, { timeout: 15_000 }).toBe(7);
    const stored = (await store.get(token.id))!;
    expect(stored.ownerId).toBe(heir);
    expect(stored.coOwners).toEqual([goneMate, other]);
    expect((await history(token.id)).map((e) => e.type)).toEqual(['recorded', 'promoted', 'reminded']);
    expect((await history(token.id))[1]).toMatchObject({ by: heir, detail: expect.stringContaining(owner) });
    // Everyone still there, and the channel, was told; the heir then got the owner's reminder.
    for (const to of [heir, other, 'C0TEAMR1']) {
      expect(okPostsTo(to).some((c) => /now owns the Bitbucket API token/.test(String(c.args['text'])))).toBe(true);
    }
    expect(String(remindersTo(heir)[0]!.args['text'])).toMatch(/^:alarm_clock: Your Bitbucket API token/);
    expect(remindersTo(other)).toHaveLength(1);
    expect(remindersTo(goneMate)).toHaveLength(0);
    // No Adopt request in the fallback channel: a co-owner took over.
    expect(okPostsTo('C0FALLBACK').filter((c) => String(c.args['text']).includes(token.name))).toHaveLength(0);
    // The user index follows the new owner.
    expect((await store.listByUser(heir)).map((t) => t.id)).toContain(token.id);
    expect((await store.listByUser(other)).map((t) => t.id)).toContain(token.id);
    expect((await store.listByUser(owner)).map((t) => t.id)).not.toContain(token.id);
  });

  it('owner gone and no co-owner left in Slack: the fallback channel is asked to adopt, as before', async () => {
    const owner = person('ALONE');
    const mate = person('ALSOGONE');
    r.slack.setUser(owner, { deleted: true });
    r.slack.setUser(mate, { deleted: true });
    const token = await seed({ ownerId: owner, coOwners: [mate] });
    await expect.poll(async () => (await store.get(token.id))?.reminder?.orphanedAt, { timeout: 15_000 }).toBeDefined();
    expect(okPostsTo('C0FALLBACK').filter((c) => String(c.args['text']).includes(token.name))).toHaveLength(1);
    expect((await store.get(token.id))!.ownerId).toBe(owner);
  });

  it('a team channel the bot was removed from: its copy is skipped, the people still get theirs', async () => {
    r.slack.setChannel('C0KICKED1', { name: 'kicked', is_member: false });
    const mate = person('MATE');
    const token = await seed({ coOwners: [mate], teamChannelId: 'C0KICKED1' });
    await expect.poll(async () => (await store.get(token.id))?.reminder?.last, { timeout: 15_000 }).toBe(7);
    expect(remindersTo(token.ownerId)).toHaveLength(1);
    expect(remindersTo(mate)).toHaveLength(1);
    expect(remindersTo('C0KICKED1')).toHaveLength(0);
    expect((await store.get(token.id))!.reminder!.copies!.map((c) => c.to)).toEqual([token.ownerId, mate]);
  });
});

function pressOn(bot: TestBot, userId: string, actionId: string, dm: FakeSlackCall) {
  const blocks = dm.args['blocks'] as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)?.value;
  return bot.sender.interaction(
    blockActionsPayload({
      userId,
      actionId,
      blockId: BLOCK.reminderActions,
      value: value ?? '',
      message: { ts: dm.response['ts'], blocks: dm.args['blocks'] },
      channelId: String(dm.response['channel']),
      responseUrl: `${bot.slack.origin}/response/reminder`,
    }),
  );
}
