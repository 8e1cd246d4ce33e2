import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebClient, type WebAPIRateLimitedError, ErrorCode } from '@slack/web-api';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';
import { newTriggerId } from '../../support/slack-requests.js';

describe('fake Slack Web API', () => {
  let slack: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startFakeSlack({ users: { U2: { tz: 'Asia/Kolkata' } } });
    client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  });
  afterAll(async () => {
    await slack.stop();
  });
  beforeEach(() => slack.reset());

  it('records chat.postMessage with JSON-parsed blocks and answers like Slack', async () => {
    const res = await client.chat.postMessage({
      channel: 'U1',
      text: 'hello',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }],
    });
    expect(res.ok).toBe(true);
    expect(res.channel).toBe('DU1');
    expect(res.ts).toMatch(/^\d{10}\.\d{6}$/);
    const call = await slack.waitForCall('chat.postMessage');
    expect(call.args['blocks']).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
    expect(call.token).toBe('xoxb-test');
    expect(slack.message('U1', res.ts!)?.text).toBe('hello');

    const res2 = await client.chat.postMessage({ channel: 'C1', text: 'again' });
    expect(res2.ts! > res.ts!).toBe(true);
    const upd = await client.chat.update({ channel: 'C1', ts: res2.ts!, text: 'edited' });
    expect(upd.ok).toBe(true);
    expect(slack.message('C1', res2.ts!)?.history).toHaveLength(2);
    expect(slack.violations).toEqual([]);
  });

  it('rejects invalid blocks and records the violation', async () => {
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [{ type: 'nope' } as never] })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'invalid_blocks' },
    });
    expect(slack.violations).toHaveLength(1);
  });

  it('failNext retryAfter yields a rate-limited error', async () => {
    slack.failNext('chat.postMessage', { retryAfter: 7 });
    const err: unknown = await client.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    expect((err as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(slack.stats.rateLimited['chat.postMessage']).toBe(1);
    // next call is fine again
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('failNext error / status / delay', async () => {
    slack.failNext('users.info', { error: 'fatal_error', times: 2 });
    await expect(client.users.info({ user: 'U1' })).rejects.toMatchObject({ data: { error: 'fatal_error' } });
    await expect(client.users.info({ user: 'U1' })).rejects.toMatchObject({ data: { error: 'fatal_error' } });
    slack.failNext('users.info', { status: 500 });
    await expect(client.users.info({ user: 'U1' })).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    slack.failNext('users.info', { delayMs: 200 });
    const t0 = Date.now();
    const ok = await client.users.info({ user: 'U2' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(ok.user).toMatchObject({ id: 'U2', tz: 'Asia/Kolkata', tz_offset: 19800, deleted: false });
  });

  it('per-method rate limit over a sliding window', async () => {
    slack.setRateLimit('conversations.open', 2);
    await client.conversations.open({ users: 'U1' });
    await client.conversations.open({ users: 'U1' });
    const err: unknown = await client.conversations.open({ users: 'U1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError });
    expect((err as WebAPIRateLimitedError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(slack.stats.rateLimited['conversations.open']).toBe(1);
    slack.setRateLimit('conversations.open', null);
  });

  it('rate limit with a window of its own frees calls when the window has passed', async () => {
    const limited = await startFakeSlack({ rateLimits: { 'chat.postMessage': { limit: 2, windowMs: 300 } } });
    try {
      const c = new WebClient('xoxb-test', { slackApiUrl: limited.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
      await c.chat.postMessage({ channel: 'U1', text: 'one' });
      await c.chat.postMessage({ channel: 'U1', text: 'two' });
      await expect(c.chat.postMessage({ channel: 'U1', text: 'three' })).rejects.toMatchObject({ code: ErrorCode.RateLimitedError });
      await new Promise((resolve) => setTimeout(resolve, 350));
      await expect(c.chat.postMessage({ channel: 'U1', text: 'four' })).resolves.toMatchObject({ ok: true });
      expect(limited.stats.rateLimited['chat.postMessage']).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('requires a bot token', async () => {
    const anon = new WebClient(undefined, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    await expect(anon.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
  });

  it('views: open / update by external_id / publish, trigger rules, stored latest versions', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'req',
      external_id: 'ext-1',
      title: { type: 'plain_text' as const, text: 'Request' },
      blocks: [],
    };
    const trigger = newTriggerId();
    const opened = await client.views.open({ trigger_id: trigger, view });
    const id = opened.view!.id!;
    expect(slack.views.get(id)).toMatchObject({ callback_id: 'req', type: 'modal' });
    await expect(client.views.open({ trigger_id: trigger, view: { ...view, external_id: 'ext-2' } })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    await expect(
      client.views.open({ trigger_id: newTriggerId(Date.now() - 3500), view: { ...view, external_id: 'ext-3' } }),
    ).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });

    await client.views.update({ external_id: 'ext-1', view: { ...view, callback_id: 'req2' } });
    expect(slack.views.get(id)?.['callback_id']).toBe('req2');
    await expect(client.views.update({ view_id: id, hash: 'stale', view })).rejects.toMatchObject({ data: { error: 'hash_conflict' } });
    await expect(client.views.update({ view_id: 'V404', view })).rejects.toMatchObject({ data: { error: 'not_found' } });

    await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    await client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } });
    expect(slack.homeView('U1')?.['blocks']).toEqual([]);

    const bad = client.views.open({
      trigger_id: newTriggerId(),
      view: { ...view, external_id: 'x', title: { type: 'plain_text', text: 'x'.repeat(25) } },
    });
    await expect(bad).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    expect(slack.violations).toHaveLength(1);
  });

  it('users, usergroups, permalink, ephemeral, unknown method', async () => {
    const strict = await startFakeSlack({ strictUsers: true });
    const c2 = new WebClient('xoxb-x', { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
    await expect(c2.users.info({ user: 'U9' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    strict.setUser('U9', { deleted: true });
    await expect(c2.users.info({ user: 'U9' })).resolves.toMatchObject({ user: { deleted: true, tz: 'UTC' } });
    await strict.stop();

    slack.setUsergroup('S1', ['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S1' })).resolves.toMatchObject({ users: ['U1', 'U2'] });
    await expect(client.usergroups.users.list({ usergroup: 'S2' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
    await expect(client.chat.getPermalink({ channel: 'C1', message_ts: '1700000000.000100' })).resolves.toMatchObject({
      permalink: 'https://fake.slack.test/archives/C1/p1700000000000100',
    });
    await expect(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'psst' })).resolves.toHaveProperty('message_ts');
    await expect(client.apiCall('no.such.method')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });

  it('waitForCall waits for future calls, honours after, and times out helpfully', async () => {
    const p = slack.waitForCall('chat.postMessage', (c) => c.args['text'] === 'second');
    await client.chat.postMessage({ channel: 'C1', text: 'first' });
    await client.chat.postMessage({ channel: 'C1', text: 'second' });
    expect((await p).args['text']).toBe('second');
    const mark = slack.calls.length;
    const later = slack.waitForCall('chat.postMessage', undefined, { after: mark, timeoutMs: 2000 });
    await client.chat.postMessage({ channel: 'C1', text: 'third' });
    expect((await later).args['text']).toBe('third');
    const two = await slack.waitForCalls('chat.postMessage', 3);
    expect(two.map((c) => c.args['text'])).toEqual(['first', 'second', 'third']);
    await expect(slack.waitForCall('views.open', undefined, 100)).rejects.toThrow(/timed out after 100 ms waiting for 1 views.open/);
  });

  it('accepts application/json bodies', async () => {
    const res = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-json', 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C1' });
    expect(slack.callsTo('chat.postMessage')[0]?.args['blocks']).toEqual([{ type: 'divider' }]);
  });
});
