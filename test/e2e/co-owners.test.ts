import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, input, viewSubmissionPayload, type StateValues } from '../support/slack-requests.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { ACTION, BLOCK, CALLBACK, RECORD_ACTION, RECORD_BLOCK, REQUEST_BLOCK } from '../../src/blocks/ids.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';

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
