import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import type { Redis } from 'ioredis';
import { openTestRedis, startTestBot, type TestBot } from '../support/test-bot.js';
import { appHomeOpenedEvent, blockActionsPayload } from '../support/slack-requests.js';
import { daysFromNow } from '../support/flows.js';
import { ACTION, BLOCK } from '../../src/blocks/ids.js';
import { createKeys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import { ATLASSIAN_API_TOKENS_URL } from '../../src/domain/calendar.js';
import type { TokenRecord } from '../../src/domain/types.js';

const PUBLIC_URL = 'https://tokens.example.test';

let t: TestBot;
let redis: Redis;
let tokens: TokenStore;

beforeAll(async () => {
  t = await startTestBot({ name: 'calendar', env: { PUBLIC_URL } });
  redis = openTestRedis();
  const keys = createKeys(t.prefix);
  tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

async function seed(ownerId: string, over: Partial<TokenRecord>): Promise<TokenRecord> {
  const token: TokenRecord = {
    id: createTokenId(),
    ownerId,
    name: `Token of ${ownerId}`,
    scopes: ['read:repository:bitbucket'],
    expiresOn: daysFromNow(40),
    createdAt: Date.now(),
    status: 'active',
    ...over,
  };
  await tokens.create(token, { at: Date.now(), type: 'imported' });
  return token;
}

/** Opens the Home and returns the calendar feed address it shows. */
async function homeFeedUrl(userId: string): Promise<string> {
  const after = t.slack.calls.length;
  await t.sender.event(appHomeOpenedEvent(userId));
  await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === userId, { after });
  const text = JSON.stringify(t.slack.homeView(userId)?.['blocks'] ?? []);
  const match = /```(https:[^`]+)```/.exec(text);
  if (!match) throw new Error(`no calendar feed address on the Home of ${userId}`);
  return match[1]!;
}

/** GET on the bot for the path of `url` (PUBLIC_URL is not where the test bot listens). */
function get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<Response> {
  const path = pathOrUrl.startsWith('http') ? new URL(pathOrUrl).pathname : pathOrUrl;
  return fetch(`http://127.0.0.1:${t.port}${path}`, { headers });
}

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  day: string;
  isDate: boolean;
}

function parseFeed(body: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(body));
  return calendar.getAllSubcomponents('vevent').map((c) => {
    const event = new ICAL.Event(c);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      day: event.startDate.toString(),
      isDate: event.startDate.isDate,
    };
  });
}

describe('calendar feed', () => {
  it('serves the owner’s live tokens as all-day events, and no one else’s', async () => {
    const user = 'UCALONE';
    const soon = await seed(user, { name: 'DeepTraQ scanner', expiresOn: daysFromNow(10), places: ['Vault secret/ci/deeptraq'] });
    const later = await seed(user, {
      name: 'CI bot',
      expiresOn: daysFromNow(200),
      scopes: ['write:repository:bitbucket', 'read:repository:bitbucket'],
    });
    await seed(user, { name: 'Rotated away', status: 'rotated' });
    await seed('UCALOTHER', { name: 'Someone else’s token' });

    const url = await homeFeedUrl(user);
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL}/calendar/[0-9a-f]{32}\\.ics$`));
    // Created once: the next Home shows the same address.
    expect(await homeFeedUrl(user)).toBe(url);

    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(res.headers.get('etag')).toMatch(/^".+"$/);
    const body = await res.text();
    const events = parseFeed(body);
    expect(events.map((e) => e.summary)).toEqual(['Bitbucket token expires: DeepTraQ scanner', 'Bitbucket token expires: CI bot']);
    expect(events.map((e) => e.day)).toEqual([soon.expiresOn, later.expiresOn]);
    expect(events.every((e) => e.isDate)).toBe(true);
    expect(events.map((e) => e.uid)).toEqual([`${soon.id}@bitbucket-token-bot`, `${later.id}@bitbucket-token-bot`]);
    expect(events[0]!.description).toContain(ATLASSIAN_API_TOKENS_URL);
    expect(events[0]!.description).toContain('Vault secret/ci/deeptraq');
    expect(events[0]!.description).toContain('Renew');
    expect(body).not.toContain('Someone else');
    expect(body).not.toContain('Rotated away');
  });

  it('lists the tokens a user co-owns in their feed too, until they are no longer a co-owner', async () => {
    const mate = 'UCALMATE';
    const shared = await seed('UCALSHARER', { name: 'Shared scanner', coOwners: [mate] });
    await seed(mate, { name: 'Mate’s own' });
    const url = await homeFeedUrl(mate);
    const summaries = async () => parseFeed(await (await get(url)).text()).map((e) => e.summary);
    expect((await summaries()).sort()).toEqual(['Bitbucket token expires: Mate’s own', 'Bitbucket token expires: Shared scanner']);

    await tokens.update(shared.id, (current) => ({ next: { ...current, coOwners: undefined } }));
    expect(await summaries()).toEqual(['Bitbucket token expires: Mate’s own']);
  });

  it('answers 304 to a matching If-None-Match, and a new ETag with the new token after a change', async () => {
    const user = 'UCALETAG';
    await seed(user, { name: 'First' });
    const url = await homeFeedUrl(user);
    const first = await get(url);
    const etag = first.headers.get('etag')!;
    const again = await get(url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');

    await seed(user, { name: 'Second', expiresOn: daysFromNow(5) });
    const changed = await get(url, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(parseFeed(await changed.text()).map((e) => e.summary)).toEqual([
      'Bitbucket token expires: Second',
      'Bitbucket token expires: First',
    ]);
  });

  it('Reset link gives a new address and the old one answers 404 at once', async () => {
    const user = 'UCALRESET';
    await seed(user, { name: 'Resettable' });
    const oldUrl = await homeFeedUrl(user);
    expect((await get(oldUrl)).status).toBe(200);

    const after = t.slack.calls.length;
    const res = await t.sender.interaction(
      blockActionsPayload({
        userId: user,
        actionId: ACTION.calendarReset,
        blockId: BLOCK.calendarActions,
        view: { id: 'VHOME1', type: 'home' },
      }),
    );
    expect(res.status).toBe(200);
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === user, { after });
    const newUrl = /```(https:[^`]+)```/.exec(JSON.stringify(t.slack.homeView(user)?.['blocks']))![1]!;
    expect(newUrl).not.toBe(oldUrl);
    expect((await get(oldUrl)).status).toBe(404);
    const fresh = await get(newUrl);
    expect(fresh.status).toBe(200);
    expect(parseFeed(await fresh.text()).map((e) => e.summary)).toEqual(['Bitbucket token expires: Resettable']);
  });

  it('DM me the link sends the address to the presser only', async () => {
    const user = 'UCALDM';
    await seed(user, { name: 'Linked' });
    const url = await homeFeedUrl(user);
    const after = t.slack.calls.length;
    await t.sender.interaction(
      blockActionsPayload({
        userId: user,
        actionId: ACTION.calendarSendLink,
        blockId: BLOCK.calendarActions,
        view: { id: 'VHOME2', type: 'home' },
      }),
    );
    const call = await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === user, { after });
    expect(JSON.stringify(call.args)).toContain(url);
  });

  it('answers 404 to a guessed id and to malformed ids, and lists nothing', async () => {
    await seed('UCALGUESS', { name: 'Guarded' });
    await homeFeedUrl('UCALGUESS');
    const guessed = randomBytes(16).toString('hex');
    const paths = [
      `/calendar/${guessed}.ics`,
      `/calendar/${guessed.toUpperCase()}.ics`,
      `/calendar/${guessed}`,
      `/calendar/${guessed}0.ics`,
      '/calendar/.ics',
      '/calendar/not-an-id.ics',
      `/calendar/${'f'.repeat(500)}.ics`,
      '/calendar/%ZZ.ics',
      '/calendar/..%2F..%2Fhealthz',
      '/calendar/',
      '/calendar',
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('BEGIN:VCALENDAR');
    }
  });

  it('is not created for a user without tokens: no section, no keys', async () => {
    const after = t.slack.calls.length;
    await t.sender.event(appHomeOpenedEvent('UCALNOTOKENS'));
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'UCALNOTOKENS', { after });
    expect(JSON.stringify(t.slack.homeView('UCALNOTOKENS')?.['blocks'])).not.toContain('Calendar feed');
    expect(await redis.exists(`${t.prefix}:calendar:owner:UCALNOTOKENS`)).toBe(0);
  });

  it('a stored feed id is never in Redis, only its hash', async () => {
    const user = 'UCALSTORE';
    await seed(user, { name: 'Stored' });
    const url = await homeFeedUrl(user);
    const id = /([0-9a-f]{32})\.ics$/.exec(url)![1]!;
    const keys = await redis.keys(`${t.prefix}:calendar:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(id);
      expect(await redis.get(key)).not.toContain(id);
    }
  });

  it('a team channel has a feed of every token whose team channel it is, on its owners’ Homes', async () => {
    const a = await seed('UCALTEAMA', { name: 'Team scanner', teamChannelId: 'CCALTEAM1', expiresOn: daysFromNow(12) });
    await seed('UCALTEAMB', { name: 'Teammate’s deployer', teamChannelId: 'CCALTEAM1', expiresOn: daysFromNow(20) });
    await seed('UCALTEAMA', { name: 'Private one' });
    await seed('UCALTEAMC', { name: 'Other team', teamChannelId: 'CCALTEAM2' });

    await homeFeedUrl('UCALTEAMA');
    const blocks = JSON.stringify(t.slack.homeView('UCALTEAMA')?.['blocks']);
    expect(blocks).toContain('<#CCALTEAM1>');
    expect(blocks).not.toContain('CCALTEAM2');
    const channelUrl = /<#CCALTEAM1>\*\\n```(https:[^`]+)```/.exec(blocks)?.[1];
    expect(channelUrl).toMatch(/\/calendar\/[0-9a-f]{32}\.ics$/);
    // The teammate's Home shows the same channel address.
    await homeFeedUrl('UCALTEAMB');
    expect(JSON.stringify(t.slack.homeView('UCALTEAMB')?.['blocks'])).toContain(channelUrl!);

    const feed = await get(channelUrl!);
    expect(feed.status).toBe(200);
    const body = await feed.text();
    expect(parseFeed(body).map((e) => e.summary)).toEqual([
      'Bitbucket token expires: Team scanner',
      'Bitbucket token expires: Teammate’s deployer',
    ]);
    expect(body).toContain('team channel');

    // The index follows the token's team channel.
    await tokens.update(a.id, (tok) => ({ next: { ...tok, teamChannelId: 'CCALTEAM2' } }));
    expect(parseFeed(await (await get(channelUrl!)).text()).map((e) => e.summary)).toEqual([
      'Bitbucket token expires: Teammate’s deployer',
    ]);

    // Someone with no token in the channel cannot reset its link; an owner of one can.
    const press = (userId: string) =>
      t.sender.interaction(
        blockActionsPayload({
          userId,
          actionId: ACTION.calendarResetChannel,
          blockId: 'calendar_channel',
          value: 'CCALTEAM1',
          view: { id: 'VHOME3', type: 'home' },
        }),
      );
    let after = t.slack.calls.length;
    await press('UCALSTRANGER');
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'UCALSTRANGER', { after });
    expect((await get(channelUrl!)).status).toBe(200);
    after = t.slack.calls.length;
    await press('UCALTEAMB');
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'UCALTEAMB', { after });
    expect((await get(channelUrl!)).status).toBe(404);
    const fresh = /<#CCALTEAM1>\*\\n```(https:[^`]+)```/.exec(JSON.stringify(t.slack.homeView('UCALTEAMB')?.['blocks']))?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(channelUrl);
    expect((await get(fresh!)).status).toBe(200);
  });
});
