import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { openTestRedis, startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack.js';
import { uniquePrefix } from '../support/redis-server.js';
import { blockActionsPayload, input, viewSubmissionPayload } from '../support/slack-requests.js';
import { recordButtonValue, requestState, submitRequest, waitForChecklist, REMINDERS_ANY_TIME } from '../support/flows.js';
import { ACTION, BLOCK, CALLBACK, REQUEST_BLOCK, ROTATED_ACTION, ROTATED_BLOCK } from '../../src/blocks/ids.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { tokenHistory } from '../support/redis-state.js';
import { tokenSchema } from '../../src/store/schemas.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import { addDays, todayIn } from '../../src/domain/dates.js';
import type { TokenRecord } from '../../src/domain/types.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const ALWAYS = REMINDERS_ANY_TIME;

let redis: Redis;
beforeAll(() => {
  redis = openTestRedis();
});
afterAll(() => redis.disconnect());

let seq = 0;
const newOwner = (tag: string) => `U${tag}${++seq}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
const todayUtc = () => todayIn('UTC', new Date());

function storeFor(prefix: string, r: Redis): TokenStore {
  const keys = createKeys(prefix);
  return new TokenStore(r, keys, new RequestStore(r, keys));
}

/** Records a token the way `/bitbucket-token record` and the CSV import do (TokenStore.create). */
async function recordToken(prefix: string, ownerId: string, expiresOn: string, extra: Partial<TokenRecord> = {}): Promise<TokenRecord> {
  const token: TokenRecord = {
    id: createTokenId(),
    ownerId,
    name: `Token of ${ownerId}`,
    scopes: ['read:repository:bitbucket', 'write:repository:bitbucket'],
    workspace: 'acme',
    expiresOn,
    createdAt: Date.now(),
    status: 'active',
    purpose: 'Nightly scans',
    ...extra,
  };
  expect(await storeFor(prefix, redis).create(token, { at: token.createdAt, type: 'recorded', by: ownerId })).toBe(true);
  return token;
}

const dmTo = (slack: FakeSlack, userId: string, after = 0) =>
  slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === userId && c.response['ok'] === true, { after, timeoutMs: 15_000 });
const okPosts = (slack: FakeSlack, channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === channel && c.response['ok'] === true);
const history = (prefix: string, id: string) => tokenHistory(redis, prefix, id);
const tokenJson = async (prefix: string, id: string) =>
  tokenSchema.parse(JSON.parse((await redis.get(`${prefix}:token:${id}`))!)) as TokenRecord;
const dueScore = async (prefix: string, id: string) => redis.zscore(`${prefix}:reminders:due`, id);

/** Waits until `check` holds, polling Redis (the worker runs in the background). */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await read();
      if (!check(v)) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
      return v;
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

function press(t: TestBot, userId: string, actionId: string, dm: FakeSlackCall) {
  return t.sender.interaction(
    blockActionsPayload({
      userId,
      actionId,
      blockId: BLOCK.reminderActions,
      value: buttonValue(dm, actionId),
      message: { ts: dm.response['ts'], blocks: dm.args['blocks'] },
      channelId: String(dm.response['channel']),
      responseUrl: `${t.slack.origin}/response/reminder`,
    }),
  );
}

function buttonValue(call: FakeSlackCall, actionId: string): string {
  const blocks = call.args['blocks'] as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!button?.value) throw new Error(`no ${actionId} button`);
  return button.value;
}

describe('reminders (due now, through the fake Slack)', () => {
  let t: TestBot;

  /** A token for a new owner whose reminder is due now; resolves with it and its delivered DM. */
  async function remindedToken(tag: string, daysLeft: number, extra: Partial<TokenRecord> = {}) {
    const owner = newOwner(tag);
    const token = await recordToken(t.prefix, owner, addDays(todayUtc(), daysLeft), extra);
    const dm = await dmTo(t.slack, owner);
    await eventually(
      () => history(t.prefix, token.id),
      (h) => h.some((e) => e.type === 'reminded'),
    );
    return { owner, token, dm, after: t.slack.calls.length };
  }

  beforeAll(async () => {
    t = await startTestBot({ name: 'reminders', env: ALWAYS });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('DMs the owner at each threshold, once, naming token, scopes, workspace, expiry and days left', async () => {
    const cases: Array<[number, RegExp]> = [
      [30, /in \*30 days\*/],
      [14, /in \*14 days\*/],
      [7, /in \*7 days\*/],
      [1, /in \*1 day\*/],
      [0, /expires \*today\*/],
    ];
    const tokens = await Promise.all(cases.map(async ([d]) => recordToken(t.prefix, newOwner(`d${d}`), addDays(todayUtc(), d))));
    for (const [i, [d, text]] of cases.entries()) {
      const token = tokens[i]!;
      const dm = await dmTo(t.slack, token.ownerId);
      const body = JSON.stringify(dm.args['blocks']);
      expect(String(dm.args['text'])).toMatch(text);
      expect(body).toContain(token.name);
      expect(body).toContain('read:repository:bitbucket');
      expect(body).toContain('acme');
      for (const a of [ACTION.reminderRenew, ACTION.reminderRotated, ACTION.reminderRevoke, ACTION.reminderSnooze])
        expect(body).toContain(a);
      const events = await eventually(
        () => history(t.prefix, token.id),
        (h) => h.some((e) => e.type === 'reminded'),
      );
      expect(events.filter((e) => e.type === 'reminded')).toEqual([expect.objectContaining({ detail: `d${d}` })]);
      // The next look is the next threshold (a day or more away), or the expired notice.
      expect(Number(await dueScore(t.prefix, token.id))).toBeGreaterThan(Date.now() + 3600_000 * (d === 0 ? 0 : 1));
      expect(okPosts(t.slack, token.ownerId)).toHaveLength(1);
    }
    expect(t.slack.violations).toEqual([]);
  });

  it('sends the expired notice the day after expiry and marks the token expired', async () => {
    const token = await recordToken(t.prefix, newOwner('exp'), addDays(todayUtc(), -1), { createdAt: Date.now() - 2 * 86_400_000 });
    const dm = await dmTo(t.slack, token.ownerId);
    expect(String(dm.args['text'])).toMatch(/expired on/);
    expect(JSON.stringify(dm.args['blocks'])).not.toContain(ACTION.reminderSnooze);
    const stored = await eventually(
      () => tokenJson(t.prefix, token.id),
      (v) => v.status === 'expired',
    );
    expect(stored.reminder?.last).toBe(-1);
    expect((await history(t.prefix, token.id)).map((e) => e.type)).toEqual(['recorded', 'expired', 'reminded']);
    expect(await dueScore(t.prefix, token.id)).toBeNull();
  });

  it('catching up sends only the most urgent overdue threshold', async () => {
    // Recorded 40 days ago, expiring today: 30, 14, 7, 1 and 0 days before are all overdue.
    const token = await recordToken(t.prefix, newOwner('late'), todayUtc(), { createdAt: Date.now() - 40 * 86_400_000 });
    const dm = await dmTo(t.slack, token.ownerId);
    expect(String(dm.args['text'])).toMatch(/today/);
    const events = await eventually(
      () => history(t.prefix, token.id),
      (h) => h.some((e) => e.type === 'reminded'),
    );
    expect(events.find((e) => e.type === 'reminded')!.detail).toBe('d0; skipped d30,d14,d7,d1');
    expect(okPosts(t.slack, token.ownerId)).toHaveLength(1);
  });

  it('sends nothing before a threshold is due, and nothing for thresholds past at recording', async () => {
    const token = await recordToken(t.prefix, newOwner('early'), addDays(todayUtc(), 10));
    // The first sweep learns the timezone and schedules the 7-day reminder (00:00 UTC here).
    const expected = Date.parse(`${addDays(todayUtc(), 3)}T00:00:00Z`);
    await eventually(
      () => dueScore(t.prefix, token.id),
      (s) => Number(s) === expected,
    );
    expect(okPosts(t.slack, token.ownerId)).toHaveLength(0);
  });

  it("counts days and dates in the owner's timezone (Pacific/Auckland, America/Los_Angeles)", async () => {
    const nz = newOwner('nz');
    const la = newOwner('la');
    t.slack.setUser(nz, { tz: 'Pacific/Auckland' });
    t.slack.setUser(la, { tz: 'America/Los_Angeles' });
    const expiresOn = addDays(todayIn('Pacific/Auckland', new Date()), 7);
    const nzToken = await recordToken(t.prefix, nz, expiresOn);
    const laToken = await recordToken(t.prefix, la, expiresOn);
    const dm = await dmTo(t.slack, nz);
    expect(String(dm.args['text'])).toMatch(/in \*7 days\*/);
    const laToday = todayIn('America/Los_Angeles', new Date());
    if (laToday === todayIn('Pacific/Auckland', new Date())) {
      expect(String((await dmTo(t.slack, la)).args['text'])).toMatch(/in \*7 days\*/);
    } else {
      // Still yesterday in Los Angeles: 8 days left there, so the 7-day reminder waits for LA midnight.
      const laMidnight = dayjs.tz(`${addDays(expiresOn, -7)} 00:00`, 'America/Los_Angeles').valueOf();
      await eventually(
        () => dueScore(t.prefix, laToken.id),
        (s) => Number(s) === laMidnight,
      );
      expect(okPosts(t.slack, la)).toHaveLength(0);
    }
    expect(nzToken.expiresOn).toBe(expiresOn);
  });

  it('honours Retry-After on 429 and retries 5xx, delivering exactly once', async () => {
    const owner = newOwner('rl');
    const rlBefore = t.slack.stats.rateLimited['chat.postMessage'] ?? 0;
    t.slack.failNext('chat.postMessage', { retryAfter: 1 });
    t.slack.failNext('chat.postMessage', { status: 503 });
    const token = await recordToken(t.prefix, owner, addDays(todayUtc(), 7));
    const dm = await dmTo(t.slack, owner);
    expect(String(dm.args['text'])).toMatch(/7 days/);
    expect(t.slack.stats.rateLimited['chat.postMessage']).toBe(rlBefore + 1);
    expect(t.slack.callsTo('chat.postMessage').some((c) => c.status === 503)).toBe(true);
    await eventually(
      () => history(t.prefix, token.id),
      (h) => h.some((e) => e.type === 'reminded'),
    );
    expect(okPosts(t.slack, owner)).toHaveLength(1);
    expect(t.logs.text).toContain('Slack rate limit; reminder rescheduled');
  });

  it('asks the fallback channel about a deleted owner; Adopt transfers ownership to the clicker', async () => {
    const gone = newOwner('gone');
    t.slack.setUser(gone, { deleted: true });
    const token = await recordToken(t.prefix, gone, addDays(todayUtc(), 7));
    const post = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args['channel'] === 'C0FALLBACK' && JSON.stringify(c.args['blocks']).includes(token.id),
      { timeoutMs: 15_000 },
    );
    expect(String(post.args['text'])).toContain(token.name);
    expect(JSON.stringify(post.args['blocks'])).toContain(ACTION.reminderAdopt);
    expect(okPosts(t.slack, gone)).toHaveLength(0);
    await eventually(
      () => tokenJson(t.prefix, token.id),
      (v) => v.reminder?.orphanedAt !== undefined,
    );

    const after = t.slack.calls.length;
    const res = await press(t, 'UADOPTER', ACTION.reminderAdopt, post);
    expect(res.status).toBe(200);
    const update = await t.slack.waitForCall('chat.update', (c) => String(c.args['text']).includes('adopted'), { after });
    expect(JSON.stringify(update.args['blocks'])).not.toContain(ACTION.reminderAdopt);
    const adopted = await tokenJson(t.prefix, token.id);
    expect(adopted.ownerId).toBe('UADOPTER');
    expect(await redis.zscore(`${t.prefix}:user:UADOPTER:tokens`, token.id)).not.toBeNull();
    expect(await redis.zscore(`${t.prefix}:user:${gone}:tokens`, token.id)).toBeNull();
    expect((await history(t.prefix, token.id)).at(-1)).toMatchObject({ type: 'adopted', by: 'UADOPTER' });
  });

  it('sends to the fallback channel when the DM fails permanently (account_inactive)', async () => {
    const owner = newOwner('inactive');
    t.slack.failNext('chat.postMessage', { error: 'account_inactive' });
    const token = await recordToken(t.prefix, owner, addDays(todayUtc(), 1));
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args['channel'] === 'C0FALLBACK' && JSON.stringify(c.args['blocks']).includes(token.id),
      { timeoutMs: 15_000 },
    );
    const events = await eventually(
      () => history(t.prefix, token.id),
      (h) => h.some((e) => e.type === 'reminded'),
    );
    expect(events.find((e) => e.type === 'reminded')!.detail).toContain('owner gone');
  });

  it('Snooze delays the next reminder one working day; only the owner may press', async () => {
    const { owner, token, dm, after } = await remindedToken('snz', 14);
    await press(t, 'UINTRUDER', ACTION.reminderSnooze, dm);
    await t.slack.waitForCall('response_url', (c) => String(c.args['text']).includes(`Only <@${owner}>`), { after });
    expect((await tokenJson(t.prefix, token.id)).reminder?.snoozedUntil).toBeUndefined();

    await press(t, owner, ACTION.reminderSnooze, dm);
    const update = await t.slack.waitForCall('chat.update', (c) => String(c.args['text']).includes('snoozed this reminder'), { after });
    expect(JSON.stringify(update.args['blocks'])).not.toContain(ACTION.reminderSnooze);
    const snoozed = await tokenJson(t.prefix, token.id);
    const tomorrow = Date.parse(`${addDays(todayUtc(), 1)}T00:00:00Z`);
    expect(snoozed.reminder?.snoozedUntil).toBe(tomorrow);
    expect(Number(await dueScore(t.prefix, token.id))).toBe(tomorrow);
    expect((await history(t.prefix, token.id)).at(-1)).toMatchObject({ type: 'snoozed', by: owner });
  });

  it('No longer needed revokes, stops reminders and points to Atlassian', async () => {
    const { owner, token, dm, after } = await remindedToken('rev', 7);
    await press(t, owner, ACTION.reminderRevoke, dm);
    const update = await t.slack.waitForCall('chat.update', undefined, { after });
    expect(String(update.args['text'])).toMatch(/Revoke it in Atlassian/);
    expect((await tokenJson(t.prefix, token.id)).status).toBe('revoked');
    expect(await dueScore(t.prefix, token.id)).toBeNull();
    expect((await history(t.prefix, token.id)).at(-1)).toMatchObject({ type: 'revoked', by: owner });
  });

  it('Already rotated asks for the new expiry, records it and reschedules', async () => {
    const { owner, token, dm, after } = await remindedToken('rot', 1);
    await press(t, owner, ACTION.reminderRotated, dm);
    const open = await t.slack.waitForCall('views.open', (c) => c.response['ok'] === true, { after });
    const view = t.slack.views.get(String((open.response['view'] as { id: string }).id))!;
    expect(view['callback_id']).toBe(CALLBACK.rotatedModal);
    const submit = (date: string | null) =>
      t.sender.interaction(
        viewSubmissionPayload({ userId: owner, view, values: { [ROTATED_BLOCK.expiry]: { [ROTATED_ACTION.expiry]: input.date(date) } } }),
      );
    const bad = await submit(addDays(todayUtc(), -2));
    expect((bad.json() as { errors: Record<string, string> }).errors[ROTATED_BLOCK.expiry]).toMatch(/passed/);
    const newExpiry = addDays(todayUtc(), 60);
    expect((await submit(newExpiry)).text).toBe('');
    const updated = await tokenJson(t.prefix, token.id);
    expect(updated).toMatchObject({ expiresOn: newExpiry, status: 'active' });
    await t.slack.waitForCall('chat.update', (c) => String(c.args['text']).includes('rotated'), { after });
    expect((await history(t.prefix, token.id)).at(-1)).toMatchObject({ type: 'rotated', detail: `new expiry ${newExpiry}` });
    // Rescheduled: the 30-day reminder for the new date.
    await eventually(
      () => dueScore(t.prefix, token.id),
      (s) => Number(s) === Date.parse(`${addDays(newExpiry, -30)}T00:00:00Z`),
    );
  });

  it('Renew opens the pre-filled request; recording the new token retires the old one', async () => {
    const { owner, token: old, dm, after } = await remindedToken('ren', 7);
    await press(t, owner, ACTION.reminderRenew, dm);
    const open = await t.slack.waitForCall('views.open', (c) => c.response['ok'] === true, { after });
    const view = t.slack.views.get(String((open.response['view'] as { id: string }).id))!;
    expect(JSON.parse(String(view['private_metadata']))).toMatchObject({ renewsTokenId: old.id });
    const blocks = JSON.stringify(view['blocks']);
    expect(blocks).toContain(old.name);
    expect(blocks).toContain('Nightly scans');
    expect(blocks).toContain('write:repository:bitbucket');
    expect((await tokenJson(t.prefix, old.id)).status).toBe('active');

    const res = await submitRequest(
      t,
      owner,
      requestState({
        presetId: 'custom',
        name: old.name,
        expiresOn: addDays(todayUtc(), 90),
        scopes: old.scopes,
        workspace: 'acme',
        purpose: 'Nightly scans',
      }),
      view,
    );
    expect(res.text).toBe('');
    const checklist = await waitForChecklist(t, owner, after);
    const requestId = recordButtonValue(checklist);
    await t.sender.interaction(
      blockActionsPayload({
        userId: owner,
        actionId: ACTION.recordToken,
        blockId: BLOCK.checklistActions,
        value: requestId,
        responseUrl: `${t.slack.origin}/response/action`,
      }),
    );
    await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === owner && String(c.args['text']).includes('Recorded'), {
      after,
    });
    const retired = await eventually(
      () => tokenJson(t.prefix, old.id),
      (v) => v.status === 'rotated',
    );
    expect(retired.status).toBe('rotated');
    expect(await dueScore(t.prefix, old.id)).toBeNull();
    const types = (await history(t.prefix, old.id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['renewed', 'rotated']);
    expect(t.slack.violations).toEqual([]);
  });
  describe('where the token is stored', () => {
    const places = ['Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web', 'Vault secret/ci/deeptraq'];

    it("Renew's checklist ends with rotation steps: update each place, verify, revoke the old token", async () => {
      const { owner, token: old, dm, after } = await remindedToken('place', 7, { places });
      expect(JSON.stringify(dm.args['blocks'])).toContain('*Stored in:* Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web; Vault');
      await press(t, owner, ACTION.reminderRenew, dm);
      const open = await t.slack.waitForCall('views.open', (c) => c.response['ok'] === true, { after });
      const view = t.slack.views.get(String((open.response['view'] as { id: string }).id))!;
      const placesBlock = (view['blocks'] as Array<{ block_id?: string; element?: { initial_value?: string } }>).find(
        (b) => b.block_id === REQUEST_BLOCK.places,
      );
      expect(placesBlock?.element?.initial_value).toBe(places.join('\n'));

      const res = await submitRequest(
        t,
        owner,
        requestState({ name: old.name, expiresOn: addDays(todayUtc(), 90), scopes: old.scopes, places: places.join('\n') }),
        view,
      );
      expect(res.text).toBe('');
      const checklist = await waitForChecklist(t, owner, after);
      const blocks = checklist.args['blocks'] as Array<{ block_id?: string; text?: { text: string } }>;
      const ids = blocks.map((b) => b.block_id);
      // After the guide's steps, before the field reference and the record button.
      expect(ids.indexOf('checklist_rotation')).toBeGreaterThan(ids.indexOf('checklist_steps_1'));
      expect(ids.indexOf('checklist_rotation')).toBeLessThan(ids.indexOf(BLOCK.checklistActions));
      const rotation = blocks.find((b) => b.block_id === 'checklist_rotation')!.text!.text.split('\n');
      expect(rotation.slice(1)).toEqual([
        '15. Replace the old token with the new one in Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web.',
        '16. Replace the old token with the new one in Vault secret/ci/deeptraq.',
        expect.stringMatching(/^17\. Verify the integration works with the new token/),
        expect.stringMatching(/^18\. Revoke the old token at id\.atlassian\.com/),
      ]);

      // The new token keeps the places, for its own renewal.
      await t.sender.interaction(
        blockActionsPayload({
          userId: owner,
          actionId: ACTION.recordToken,
          blockId: BLOCK.checklistActions,
          value: recordButtonValue(checklist),
          responseUrl: `${t.slack.origin}/response/action`,
        }),
      );
      const retired = await eventually(
        () => tokenJson(t.prefix, old.id),
        (v) => v.status === 'rotated',
      );
      const renewedBy = (await history(t.prefix, retired.id)).find((e) => e.type === 'renewed')!.detail!;
      expect((await tokenJson(t.prefix, renewedBy)).places).toEqual(places);
      expect(t.slack.violations).toEqual([]);
    });

    it('a new request (not a renewal) has no rotation steps', async () => {
      const owner = newOwner('fresh');
      const after = t.slack.calls.length;
      const res = await submitRequest(
        t,
        owner,
        requestState({ name: 'Fresh one', expiresOn: addDays(todayUtc(), 30), scopes: ['read:repository:bitbucket'], places: places[1]! }),
      );
      expect(res.text).toBe('');
      const checklist = await waitForChecklist(t, owner, after);
      expect(JSON.stringify(checklist.args['blocks'])).not.toContain('checklist_rotation');
    });

    it('Already rotated asks which places were updated and names those still to do', async () => {
      const { owner, token, dm, after } = await remindedToken('placerot', 1, { places });
      await press(t, owner, ACTION.reminderRotated, dm);
      const open = await t.slack.waitForCall('views.open', (c) => c.response['ok'] === true, { after });
      const view = t.slack.views.get(String((open.response['view'] as { id: string }).id))!;
      const options = (view['blocks'] as Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }>).find(
        (b) => b.block_id === ROTATED_BLOCK.places,
      )?.element?.options;
      expect(options?.map((o) => o.value)).toEqual(['0', '1']);
      const newExpiry = addDays(todayUtc(), 60);
      const res = await t.sender.interaction(
        viewSubmissionPayload({
          userId: owner,
          view,
          values: {
            [ROTATED_BLOCK.expiry]: { [ROTATED_ACTION.expiry]: input.date(newExpiry) },
            // '7' is no place of this token: ignored.
            [ROTATED_BLOCK.places]: { [ROTATED_ACTION.places]: input.checkboxes(['1', '7']) },
          },
        }),
      );
      expect(res.text).toBe('');
      expect((await history(t.prefix, token.id)).at(-1)).toMatchObject({
        type: 'rotated',
        detail: `new expiry ${newExpiry}; places updated: Vault secret/ci/deeptraq`,
      });
      const update = await t.slack.waitForCall('chat.update', (c) => String(c.args['text']).includes('rotated'), { after });
      expect(String(update.args['text'])).toContain('Still to update: Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web.');
    });
  });
});

describe('exactly once across replicas and restarts', () => {
  it('two instances on one Redis send each reminder once; a restart sends nothing again and catches up', async () => {
    const slack = await startFakeSlack();
    const a = await startTestBot({ name: 'replica-a', env: ALWAYS, slack, prefix: uniquePrefix('reminders-replicas') });
    // As configured (hash-tagged on a cluster).
    const prefix = a.prefix;
    const b = await startTestBot({ name: 'replica-b', env: ALWAYS, slack, prefix });
    try {
      const owners = Array.from({ length: 12 }, () => newOwner('rep'));
      const tokens = await Promise.all(owners.map((o, i) => recordToken(prefix, o, addDays(todayUtc(), [7, 1, 0][i % 3]!))));
      await Promise.all(owners.map((o) => dmTo(slack, o)));
      for (const token of tokens)
        await eventually(
          () => history(prefix, token.id),
          (h) => h.some((e) => e.type === 'reminded'),
        );
      await a.stop();
      await b.stop();
      // While no instance runs, a reminder falls due; the next start catches up without resending.
      const late = await recordToken(prefix, newOwner('down'), addDays(todayUtc(), 14));
      const c = await startTestBot({ name: 'replica-c', env: ALWAYS, slack, prefix });
      try {
        await dmTo(slack, late.ownerId);
        await eventually(
          () => history(prefix, late.id),
          (h) => h.some((e) => e.type === 'reminded'),
        );
        for (const o of owners) expect(okPosts(slack, o), o).toHaveLength(1);
        for (const token of tokens) expect((await history(prefix, token.id)).filter((e) => e.type === 'reminded')).toHaveLength(1);
        expect(okPosts(slack, late.ownerId)).toHaveLength(1);
      } finally {
        await c.stop();
      }
    } finally {
      await slack.stop();
    }
  });
});

describe('working hours and weekends (default REMINDER_HOUR 10, Monday to Friday)', () => {
  it("schedules a Saturday threshold for Friday 10:00 in the owner's zone", async () => {
    const t = await startTestBot({ name: 'reminders-calendar', env: { REMINDER_DAYS: '7', REMINDER_SWEEP_SECONDS: '1' } });
    try {
      for (const tz of ['Pacific/Auckland', 'America/Los_Angeles']) {
        const owner = newOwner('cal');
        t.slack.setUser(owner, { tz });
        let saturday = addDays(todayIn(tz, new Date()), 2);
        while (new Date(`${saturday}T00:00:00Z`).getUTCDay() !== 6) saturday = addDays(saturday, 1);
        const token = await recordToken(t.prefix, owner, addDays(saturday, 7));
        const fridayTen = dayjs.tz(`${addDays(saturday, -1)} 10:00`, tz).valueOf();
        await eventually(
          () => dueScore(t.prefix, token.id),
          (s) => Number(s) === fridayTen,
        );
        expect(okPosts(t.slack, owner)).toHaveLength(0);
      }
    } finally {
      await t.stop();
    }
  });
});
