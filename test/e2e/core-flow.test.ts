import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, signSlackRequest } from '../support/slack-requests.js';
import { daysFromNow, openRequestModal, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { ACTION, BLOCK, REQUEST_ACTION, REQUEST_BLOCK } from '../../src/blocks/ids.js';
import { findPreset } from '../../src/domain/presets.js';
import { tokenSchema } from '../../src/store/schemas.js';
import { tokenHistory } from '../support/redis-state.js';

const FAKE_TOKEN = `ATATT3xFfGF0${'Zm9vYmFy'.repeat(4)}=ABCD1234`;

let t: TestBot;
let redis: Redis;

beforeAll(async () => {
  // The core flow without review; test/e2e/approvals.test.ts covers the approval policy.
  t = await startTestBot({ name: 'core-flow', env: { APPROVAL_POLICY: 'none' } });
  redis = new Redis(t.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

const keysUnder = async () => redis.keys(`${t.prefix}:*`);

describe('slash command', () => {
  it('answers help ephemerally without opening a modal', async () => {
    const before = t.slack.callsTo('views.open').length;
    const res = await t.sender.command({ text: 'help' });
    expect(res.status).toBe(200);
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/bitbucket-token');
    expect(t.slack.callsTo('views.open').length).toBe(before);
  });

  it('opens the request modal at once, within Slack limits', async () => {
    const view = await openRequestModal(t, 'U1');
    expect(view['callback_id']).toBe('token_request');
    expect((view['title'] as { text: string }).text.length).toBeLessThanOrEqual(24);
    const blocks = view['blocks'] as Array<{ block_id: string; element?: Record<string, unknown> }>;
    const scopes = blocks.find((b) => b.block_id === REQUEST_BLOCK.scopes)!;
    const groups = scopes.element!['option_groups'] as Array<{ options: Array<{ value: string }> }>;
    const values = groups.flatMap((g) => g.options.map((o) => o.value));
    expect(values).toHaveLength(34);
    expect(values).toContain('read:repository:bitbucket');
    const expiry = blocks.find((b) => b.block_id === REQUEST_BLOCK.expiry)!;
    expect(expiry.element!['initial_date']).toBe(daysFromNow(90));
    expect(t.slack.violations).toEqual([]);
  });

  it('pre-fills the preset, name and scopes from the command text', async () => {
    const view = await openRequestModal(t, 'U1', 'DeepTraQ');
    const blocks = view['blocks'] as Array<{ block_id: string; element?: Record<string, unknown> }>;
    const name = blocks.find((b) => b.block_id === REQUEST_BLOCK.name)!;
    expect(name.element!['initial_value']).toBe('DeepTraQ Bitbucket Integration');
    const scopes = blocks.find((b) => b.block_id === REQUEST_BLOCK.scopes)!;
    const initial = (scopes.element!['initial_options'] as Array<{ value: string }>).map((o) => o.value);
    expect(initial).toEqual(findPreset('deeptraq')!.scopes);
  });

  it('pre-fills an unknown integration as the name', async () => {
    const view = await openRequestModal(t, 'U1', 'Snyk');
    const name = (view['blocks'] as Array<{ block_id: string; element?: Record<string, unknown> }>).find(
      (b) => b.block_id === REQUEST_BLOCK.name,
    )!;
    expect(name.element!['initial_value']).toBe('Snyk Bitbucket Integration');
  });

  it('refuses a pasted token in the command text and never logs it', async () => {
    const res = await t.sender.command({ text: FAKE_TOKEN });
    expect((res.json() as { text: string }).text).toMatch(/revoke/i);
    expect(res.text).not.toContain(FAKE_TOKEN);
    expect(t.logs.text).not.toContain(FAKE_TOKEN);
  });
});

describe('preset select', () => {
  it('updates the modal with the preset scopes and a suggested name', async () => {
    const view = await openRequestModal(t, 'U1');
    const after = t.slack.calls.length;
    const res = await t.sender.interaction(
      blockActionsPayload({
        userId: 'U1',
        view,
        actionId: REQUEST_ACTION.preset,
        blockId: REQUEST_BLOCK.preset,
        selectedOption: { value: 'renovate' },
      }),
    );
    expect(res.status).toBe(200);
    const call = await t.slack.waitForCall('views.update', undefined, { after });
    expect(call.response['ok']).toBe(true);
    const updated = call.args['view'] as { blocks: Array<{ block_id: string; element?: Record<string, unknown> }> };
    const name = updated.blocks.find((b) => b.block_id?.startsWith(`${REQUEST_BLOCK.name}-`))!;
    expect(name.element!['initial_value']).toBe('Renovate Bitbucket Integration');
    const scopes = updated.blocks.find((b) => b.block_id?.startsWith(`${REQUEST_BLOCK.scopes}-`))!;
    expect((scopes.element!['initial_options'] as Array<{ value: string }>).map((o) => o.value)).toEqual(findPreset('renovate')!.scopes);
    expect(t.slack.violations).toEqual([]);
  });
});

describe('submission validation', () => {
  const valid = {
    presetId: 'deeptraq',
    name: 'DeepTraQ Bitbucket Integration',
    expiresOn: daysFromNow(90),
    scopes: ['read:repository:bitbucket', 'write:repository:bitbucket'],
  };
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['empty name', { name: null }, REQUEST_BLOCK.name, /name/i],
    ['too-long name', { name: 'x'.repeat(101) }, REQUEST_BLOCK.name, /100/],
    ['secret-looking name', { name: FAKE_TOKEN }, REQUEST_BLOCK.name, /token value/i],
    [
      'expiry in the past',
      { expiresOn: daysFromNow(-3) },
      REQUEST_BLOCK.expiry,
      /^That date has already passed \(today is .+\): pick a date between /,
    ],
    [
      'expiry today',
      { expiresOn: daysFromNow(0) },
      REQUEST_BLOCK.expiry,
      /^A token that expires today would stop working within hours: pick .+ or later\.$/,
    ],
    [
      'expiry over 365 days',
      { expiresOn: daysFromNow(366) },
      REQUEST_BLOCK.expiry,
      /^Bitbucket API tokens can last at most 365 days: pick a date on or before /,
    ],
    ['missing expiry', { expiresOn: null }, REQUEST_BLOCK.expiry, /^Pick the date the token should expire\.$/],
    ['no scopes', { scopes: [] }, REQUEST_BLOCK.scopes, /scope/i],
    ['unknown scope', { scopes: ['read:repository:bitbucket', 'read:everything:bitbucket'] }, REQUEST_BLOCK.scopes, /Unknown scope/],
    // A write scope without its read scope is now accepted with a notice (scope-checks.ts);
    // a permission scope without an admin scope is what Atlassian refuses.
    [
      'permission scope without admin',
      { scopes: ['read:repository:bitbucket', 'write:permission:bitbucket'] },
      REQUEST_BLOCK.scopes,
      /admin:repository:bitbucket or admin:project:bitbucket/,
    ],
  ];
  it.each(cases)('%s is answered next to the field', async (_label, change, blockId, message) => {
    const res = await submitRequest(t, 'U1', requestState({ ...valid, ...change }));
    expect(res.status).toBe(200);
    const body = res.json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toContain(blockId);
    expect(body.errors[blockId]).toMatch(message);
    expect(res.text).not.toContain(FAKE_TOKEN);
  });

  it('accepts admin and delete scopes without a read scope', async () => {
    const res = await submitRequest(
      t,
      'U7',
      requestState({ ...valid, scopes: ['admin:repository:bitbucket', 'delete:repository:bitbucket'] }),
    );
    expect(res.text).toBe('');
  });

  it('answers a payload missing every field with errors, not a crash', async () => {
    const res = await submitRequest(t, 'U1', {});
    const body = res.json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(expect.arrayContaining([REQUEST_BLOCK.name, REQUEST_BLOCK.expiry, REQUEST_BLOCK.scopes]));
  });

  it("judges 1 and 365 days in the requester's timezone", async () => {
    t.slack.setUser('U9', { tz: 'Pacific/Kiritimati' }); // UTC+14: usually a day ahead of UTC
    const now = new Date();
    const local = new Date(now.getTime() + 14 * 3600_000).toISOString().slice(0, 10);
    const localToday = new Date(`${local}T00:00:00Z`);
    const tomorrowThere = daysFromNow(1, localToday);
    const yearThere = daysFromNow(365, localToday);
    for (const expiresOn of [tomorrowThere, yearThere]) {
      const res = await submitRequest(t, 'U9', requestState({ ...valid, expiresOn }));
      expect(res.text, expiresOn).toBe('');
    }
    const res = await submitRequest(t, 'U9', requestState({ ...valid, expiresOn: local }));
    expect((res.json() as { errors: Record<string, string> }).errors[REQUEST_BLOCK.expiry]).toBeDefined();
  });

  it('asks Slack for the timezone only when the expiry is near a limit', async () => {
    const infoFor = (user: string) => t.slack.callsTo('users.info').filter((c) => c.args['user'] === user);
    const mid = await submitRequest(t, 'UMIDRANGE1', requestState({ ...valid, expiresOn: daysFromNow(45) }));
    expect(mid.text).toBe('');
    const ackedAt = Date.now();
    expect(infoFor('UMIDRANGE1').filter((c) => c.at <= ackedAt)).toHaveLength(0);
    // An expiry whose verdict depends on the requester's timezone at this hour (UTC): 365 days out
    // is too far west of UTC before noon, tomorrow is "today" east of UTC from 10:00 on.
    const edgeDays = new Date().getUTCHours() < 11 ? 365 : 1;
    const edge = await submitRequest(t, 'UEDGE1', requestState({ ...valid, expiresOn: daysFromNow(edgeDays) }));
    expect(edge.status).toBe(200);
    expect(infoFor('UEDGE1').length).toBeGreaterThan(0);
  });

  it('writes nothing to Redis for an invalid request', async () => {
    const before = (await keysUnder()).length;
    // A write scope alone is a valid request since issue 12 (a notice, not an error); a permission
    // scope without an admin scope is what Atlassian refuses, so it stands for "invalid" here.
    const res = await submitRequest(t, 'U1', requestState({ ...valid, scopes: ['write:permission:bitbucket'] }));
    expect((res.json() as { response_action: string }).response_action).toBe('errors');
    expect((await keysUnder()).length).toBe(before);
  });
});

describe('valid request → checklist → recorded token', () => {
  it('stores the request, DMs the 14-step checklist and confirms in the channel', async () => {
    const after = t.slack.calls.length;
    const res = await submitRequest(
      t,
      'U2',
      requestState({
        presetId: 'deeptraq',
        name: 'DeepTraQ Bitbucket Integration',
        expiresOn: daysFromNow(30),
        scopes: ['read:repository:bitbucket', 'write:repository:bitbucket'],
        workspace: 'acme',
        purpose: 'Nightly scans',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const dm = await waitForChecklist(t, 'U2', after);
    const text = JSON.stringify(dm.args['blocks']);
    expect(text).toContain('DeepTraQ Bitbucket Integration');
    expect(text).toContain(daysFromNow(30));
    expect(text).toContain('Bitbucket API token');
    expect(text).toContain('read:repository:bitbucket');
    expect(text).toContain('write:repository:bitbucket');
    expect(text).toMatch(/Read and Write/);
    expect(text).toMatch(/only once|shown once/i);
    for (let step = 1; step <= 14; step++) expect(text).toContain(`${step}.`);
    const confirmation = await t.slack.waitForCall('response_url', undefined, { after });
    expect(confirmation.args['response_type']).toBe('ephemeral');
    const requestId = recordButtonValue(dm);
    // Logged inside the request's own context (a child logger per request).
    const line = t.logs.lines
      .map((l) => JSON.parse(l) as { msg?: string; requestId?: string; req?: { id: string; kind: string; user?: string } })
      .find((l) => l.msg === 'request stored' && l.requestId === requestId);
    expect(line?.req).toEqual({ id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]+$/), kind: 'view_submission', user: 'U2' });
    const stored = JSON.parse((await redis.get(`${t.prefix}:request:${requestId}`))!);
    expect(stored).toMatchObject({ requesterId: 'U2', status: 'approved', workspace: 'acme', expiresOn: daysFromNow(30) });
    expect(t.slack.violations).toEqual([]);
  });

  it('records the token once however often the button is pressed, only for its owner', async () => {
    const after = t.slack.calls.length;
    await submitRequest(
      t,
      'U3',
      requestState({
        presetId: 'ci',
        name: 'CI token',
        expiresOn: daysFromNow(60),
        scopes: ['read:repository:bitbucket', 'read:pipeline:bitbucket', 'write:pipeline:bitbucket'],
      }),
    );
    const dm = await waitForChecklist(t, 'U3', after);
    const requestId = recordButtonValue(dm);
    const message = { ts: dm.response['ts'], channel: dm.response['channel'], blocks: dm.args['blocks'] };
    const press = (userId: string, value = requestId) =>
      t.sender.interaction(
        blockActionsPayload({
          userId,
          actionId: ACTION.recordToken,
          blockId: BLOCK.checklistActions,
          value,
          message,
          channelId: String(dm.response['channel']),
          responseUrl: `${t.slack.origin}/response/action`,
        }),
      );

    const intruder = await press('U4');
    expect(intruder.status).toBe(200);
    const refusal = await t.slack.waitForCall('response_url', (c) => String(c.args['text']).includes('Only <@U3>'), { after });
    expect(refusal.args['response_type']).toBe('ephemeral');
    expect(await redis.zcard(`${t.prefix}:user:U4:tokens`)).toBe(0);

    const results = await Promise.all(Array.from({ length: 8 }, () => press('U3')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'U3' && String(c.args['text']).includes('Recorded'), {
      after,
    });
    await t.slack.waitForCalls('response_url', 7, (c) => String(c.args['text']).includes('already recorded'), { after });
    const tokenIds = await redis.zrange(`${t.prefix}:user:U3:tokens`, 0, '-1');
    expect(tokenIds).toHaveLength(1);
    const token = tokenSchema.parse(JSON.parse((await redis.get(`${t.prefix}:token:${tokenIds[0]}`))!));
    expect(token).toMatchObject({ ownerId: 'U3', name: 'CI token', requestId, status: 'active', expiresOn: daysFromNow(60) });
    expect(token.scopes).toEqual(['read:repository:bitbucket', 'read:pipeline:bitbucket', 'write:pipeline:bitbucket']);
    const confirmations = t.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.index >= after && c.args['channel'] === 'U3' && String(c.args['text']).includes('Recorded'));
    expect(confirmations).toHaveLength(1);
    expect(String(confirmations[0]!.args['text'])).toMatch(/remind you on/);
    const updated = await t.slack.waitForCall('chat.update', undefined, { after });
    expect(JSON.stringify(updated.args['blocks'])).not.toContain('record_token');
    const request = JSON.parse((await redis.get(`${t.prefix}:request:${requestId}`))!);
    expect(request).toMatchObject({ status: 'created', tokenId: tokenIds[0] });
    const history = await tokenHistory(redis, t.prefix, tokenIds[0]!);
    expect(history).toEqual([expect.objectContaining({ type: 'recorded', by: 'U3' })]);
    expect(t.slack.violations).toEqual([]);
  });

  it('answers a tampered button value harmlessly', async () => {
    const after = t.slack.calls.length;
    const before = (await keysUnder()).length;
    for (const value of ['r' + 'a'.repeat(16), 'not-an-id', '', 'x'.repeat(1999)]) {
      const res = await t.sender.interaction(
        blockActionsPayload({
          userId: 'U3',
          actionId: ACTION.recordToken,
          blockId: BLOCK.checklistActions,
          value,
          responseUrl: `${t.slack.origin}/response/action`,
        }),
      );
      expect(res.status).toBe(200);
    }
    await t.slack.waitForCalls('response_url', 4, undefined, { after });
    expect((await keysUnder()).length).toBe(before);
  });
});

describe('signatures and health', () => {
  it('rejects a forged signature and a stale timestamp with 401', async () => {
    const body = new URLSearchParams({
      command: '/bitbucket-token',
      text: 'help',
      user_id: 'U1',
      channel_id: 'C1',
      trigger_id: '1.2.3',
    }).toString();
    const forged = await t.sender.raw(
      body,
      { 'x-slack-signature': 'v0=' + 'a'.repeat(64), 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) },
      { sign: false },
    );
    expect(forged.status).toBe(401);
    const stale = await t.sender.raw(body, {}, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const unsigned = await t.sender.raw(body, {}, { sign: false });
    expect(unsigned.status).toBe(401);
    const headers = signSlackRequest(body, SIGNING_SECRET);
    const altered = await t.sender.raw(body.replace('help', 'hel'), { ...headers }, { sign: false });
    expect(altered.status).toBe(401);
  });

  it('GET /healthz reports Redis reachability', async () => {
    const res = await fetch(`http://127.0.0.1:${t.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'up' });
  });

  it("acks commands well within Slack's 3 seconds", async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push((await t.sender.command({ text: '' })).ms);
    expect(Math.max(...times)).toBeLessThan(3000);
  });
});
