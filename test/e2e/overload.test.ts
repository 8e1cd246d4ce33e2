import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/test-bot.js';
import {
  appHomeOpenedEvent,
  blockActionsPayload,
  createSlackSender,
  eventEnvelope,
  newTriggerId,
  viewSubmissionPayload,
} from '../support/slack-requests.js';
import { daysFromNow, openRequestModal, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { createKeys } from '../../src/store/keys.js';
import { ACTION, BLOCK, CALLBACK, REQUEST_BLOCK } from '../../src/blocks/ids.js';
import { BUSY_SUBMISSION_ERROR } from '../../src/slack/kit/trigger-age.js';

/**
 * Overload: a request that reaches the bot too late for its trigger_id (Slack gives 3 s) is
 * answered "busy, try again" where the user sees it, instead of a views.open Slack refuses.
 * The lateness is made the way overload makes it: the request's signed X-Slack-Request-Timestamp
 * and its trigger_id's issue time lie in the past.
 */
let t: TestBot;
let redis: Redis;

beforeAll(async () => {
  t = await startTestBot({ name: 'overload', env: { APPROVAL_POLICY: 'none' } });
  redis = new Redis(t.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

/** A command Slack sent `ageMs` ago: signed then, with a trigger_id issued then. */
async function commandSentAgo(ageMs: number, userId: string, text: string, path: string) {
  const sentAt = Date.now() - ageMs;
  const res = await t.sender.command(
    { user_id: userId, text, trigger_id: newTriggerId(sentAt), response_url: `${t.slack.origin}/response/${path}` },
    { timestampSec: Math.floor(sentAt / 1000) },
  );
  expect(res.status).toBe(200);
  return res.fields.trigger_id;
}

const responseTo = (path: string) => t.slack.waitForCall('response_url', (c) => c.path === `/response/${path}`);
const opensWith = (trigger: string) => t.slack.callsTo('views.open').filter((c) => c.args['trigger_id'] === trigger);

/**
 * The bot's own counters, read from GET /metrics: requests the receiver answered busy without
 * Bolt (`shed`), and Bolt's acks (`acked`, timed by the receiver's hook for every request Bolt
 * processes: a listener that acks, or the stale-submission middleware, shows here).
 */
async function counters(kind: 'command' | 'view' | 'action') {
  const text = await (await fetch(`http://127.0.0.1:${t.port}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name}\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { shed: read('btb_slack_requests_shed_total'), acked: read('btb_slack_ack_seconds_count') };
}
/** Requests the receiver refused before Bolt for their signature (its log line). */
const refusals = () => t.logs.lines.filter((l) => l.includes('refused a Slack request whose signature does not verify')).length;

describe('slash command under overload', () => {
  it('answers a command whose trigger is 2.9 s old through its response_url, without views.open', async () => {
    const trigger = await commandSentAgo(2900, 'UOVER1', 'DeepTraQ', 'overload-old');
    const reply = await responseTo('overload-old');
    expect(reply.args['response_type']).toBe('ephemeral');
    expect(String(reply.args['text'])).toMatch(/busy/i);
    // The command to retry, with its text.
    expect(String(reply.args['text'])).toContain('`/bitbucket-token DeepTraQ`');
    // The busy answer comes instead of views.open, never after one.
    expect(opensWith(trigger)).toEqual([]);
    expect(t.slack.violations).toEqual([]);
  });

  it('answers a command 2.9 s old at the receiver: an empty ack, the busy message, and no listener runs', async () => {
    const before = await counters('command');
    const sentAt = Date.now() - 2900;
    const res = await t.sender.command(
      {
        user_id: 'UOVERR',
        text: 'DeepTraQ',
        trigger_id: newTriggerId(sentAt),
        response_url: `${t.slack.origin}/response/overload-receiver`,
      },
      { timestampSec: Math.floor(sentAt / 1000) },
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const reply = await responseTo('overload-receiver');
    expect(reply.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.args['text'])).toContain('`/bitbucket-token DeepTraQ`');
    expect(opensWith(res.fields.trigger_id)).toEqual([]);
    // Answered by the receiver, not by Bolt: the command's listener acks before it replies, so
    // had Bolt run it, its ack would be counted by the time the reply arrived; and the listener's
    // own busy log line is missing.
    const after = await counters('command');
    expect(after.shed).toBe(before.shed + 1);
    expect(after.acked).toBe(before.acked);
    const lines = t.logs.lines.filter((l) => l.includes('UOVERR'));
    expect(lines.some((l) => l.includes('request already too old on arrival'))).toBe(true);
    expect(lines.some((l) => l.includes('request too old to open a modal'))).toBe(false);
  });

  it('refuses an old command whose signature does not verify (401), answering nothing', async () => {
    const before = await counters('command');
    const refusedBefore = refusals();
    const forger = createSlackSender({ baseUrl: `http://127.0.0.1:${t.port}`, signingSecret: `${SIGNING_SECRET}-wrong` });
    const sentAt = Date.now() - 2900;
    const res = await forger.command(
      { user_id: 'UOVERF', text: '', trigger_id: newTriggerId(sentAt), response_url: `${t.slack.origin}/response/overload-forged` },
      { timestampSec: Math.floor(sentAt / 1000) },
    );
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    // Refused by the receiver's own check (no reply is ever posted on that path), not shed.
    expect(refusals()).toBe(refusedBefore + 1);
    expect((await counters('command')).shed).toBe(before.shed);
    expect(t.slack.callsTo('response_url').filter((c) => c.path === '/response/overload-forged')).toEqual([]);
  });

  it('hands an old command answered from memory (`help`) on to its listener', async () => {
    const before = await counters('command');
    const sentAt = Date.now() - 2900;
    const res = await t.sender.command({ user_id: 'UOVERH', text: 'help' }, { timestampSec: Math.floor(sentAt / 1000) });
    expect(res.status).toBe(200);
    expect(String((res.json() as { text?: string } | undefined)?.text)).toContain('Bitbucket Token Bot');
    const after = await counters('command');
    expect(after.shed).toBe(before.shed);
    expect(after.acked).toBe(before.acked + 1);
  });

  it('does the same for `record`', async () => {
    const trigger = await commandSentAgo(2900, 'UOVER2', 'record', 'overload-record');
    const reply = await responseTo('overload-record');
    expect(String(reply.args['text'])).toContain('`/bitbucket-token record`');
    expect(opensWith(trigger)).toEqual([]);
  });

  it('still opens the modal for a command half a second old', async () => {
    const before = await counters('command');
    const trigger = await commandSentAgo(500, 'UOVER3', '', 'overload-fresh');
    const open = await t.slack.waitForCall('views.open', (c) => c.args['trigger_id'] === trigger);
    expect(open.response['ok']).toBe(true);
    expect((await counters('command')).shed).toBe(before.shed);
    expect(t.slack.callsTo('response_url').filter((c) => c.path === '/response/overload-fresh')).toEqual([]);
  });

  it('falls back to the response_url message when Slack refuses the trigger as expired', async () => {
    // Sent just now (the header is fresh), but its trigger_id is 3.5 s old: Slack says expired_trigger_id.
    const sentAt = Date.now() - 3500;
    const res = await t.sender.command({
      user_id: 'UOVER4',
      text: '',
      trigger_id: newTriggerId(sentAt),
      response_url: `${t.slack.origin}/response/overload-expired`,
    });
    expect(res.status).toBe(200);
    const open = await t.slack.waitForCall('views.open', (c) => c.args['trigger_id'] === res.fields.trigger_id);
    expect(open.response['error']).toBe('expired_trigger_id');
    const reply = await responseTo('overload-expired');
    expect(reply.index).toBeGreaterThan(open.index);
    expect(String(reply.args['text'])).toContain('`/bitbucket-token`');
  });
});

describe('view submission under overload', () => {
  it('answers a submission sent 3 s ago with a busy error next to the first field, storing nothing; a retry goes through', async () => {
    const userId = 'UOVER5';
    const view = await openRequestModal(t, userId);
    const values = requestState({ name: 'Overload token', expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] });
    const userRequests = createKeys(t.prefix).userRequests(userId);

    const stale = await submitRequest(t, userId, values, view, { timestampSec: Math.floor((Date.now() - 3000) / 1000) });
    expect(stale.status).toBe(200);
    expect(stale.json()).toEqual({ response_action: 'errors', errors: { [REQUEST_BLOCK.preset]: BUSY_SUBMISSION_ERROR } });
    // The request is stored before the ack when it is taken; this one was not.
    expect(await redis.zcard(userRequests)).toBe(0);

    const after = t.slack.calls.length;
    const retry = await submitRequest(t, userId, values, view);
    expect(retry.status).toBe(200);
    expect((retry.json() as { response_action?: string } | undefined)?.response_action).not.toBe('errors');
    await waitForChecklist(t, userId, after);
    expect(await redis.zcard(userRequests)).toBe(1);
  });
});

describe('view submission 2.9 s old, at the receiver', () => {
  it('gets the busy error from the receiver, without Bolt, storing nothing', async () => {
    const userId = 'UOVER8';
    const view = await openRequestModal(t, userId);
    const values = requestState({ name: 'Receiver token', expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] });
    const before = await counters('view');
    const stale = await submitRequest(t, userId, values, view, { timestampSec: Math.floor((Date.now() - 2900) / 1000) });
    expect(stale.status).toBe(200);
    expect(stale.json()).toEqual({ response_action: 'errors', errors: { [REQUEST_BLOCK.preset]: BUSY_SUBMISSION_ERROR } });
    // Not Bolt's stale-submission middleware either: Bolt's ack would be counted before the answer left.
    const after = await counters('view');
    expect(after.shed).toBe(before.shed + 1);
    expect(after.acked).toBe(before.acked);
    expect(await redis.zcard(createKeys(t.prefix).userRequests(userId))).toBe(0);
  });

  it('refuses an old submission whose signature does not verify (401)', async () => {
    const userId = 'UOVER9';
    const view = await openRequestModal(t, userId);
    const values = requestState({ name: 'Forged token', expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] });
    const before = await counters('view');
    const refusedBefore = refusals();
    const forger = createSlackSender({ baseUrl: `http://127.0.0.1:${t.port}`, signingSecret: `${SIGNING_SECRET}-wrong` });
    const forged = await forger.interaction(viewSubmissionPayload({ userId, callbackId: CALLBACK.requestModal, values, view }), {
      timestampSec: Math.floor((Date.now() - 2900) / 1000),
    });
    expect(forged.status).toBe(401);
    expect(forged.text).toBe('');
    expect(refusals()).toBe(refusedBefore + 1);
    expect((await counters('view')).shed).toBe(before.shed);
    expect(await redis.zcard(createKeys(t.prefix).userRequests(userId))).toBe(0);
  });
});

describe('buttons that open a modal, under overload', () => {
  /** A button press Slack sent `ageMs` ago, with a trigger_id issued then. */
  async function pressSentAgo(ageMs: number, o: Omit<Parameters<typeof blockActionsPayload>[0], 'triggerId'>) {
    const sentAt = Date.now() - ageMs;
    const triggerId = newTriggerId(sentAt);
    const res = await t.sender.interaction(blockActionsPayload({ ...o, triggerId }), { timestampSec: Math.floor(sentAt / 1000) });
    expect(res.status).toBe(200);
    return triggerId;
  }

  it('answers a message button pressed 2.9 s ago through its response_url, without views.open', async () => {
    const userId = 'UOVER6';
    const before = await counters('action');
    const after = t.slack.calls.length;
    await openRequestModal(t, userId);
    const values = requestState({ name: 'Again token', expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] });
    expect((await submitRequest(t, userId, values)).status).toBe(200);
    const requestId = recordButtonValue(await waitForChecklist(t, userId, after));

    const trigger = await pressSentAgo(2900, {
      userId,
      actionId: ACTION.requestAgain,
      blockId: 'request_again_block',
      value: requestId,
      channelId: 'D0OVER6',
      responseUrl: `${t.slack.origin}/response/overload-again`,
    });
    const reply = await responseTo('overload-again');
    expect(String(reply.args['text'])).toMatch(/busy.*Press the button again/i);
    expect(opensWith(trigger)).toEqual([]);
    // Buttons are not shed at the receiver: the listener decided (and acked through Bolt).
    const now = await counters('action');
    expect(now.shed).toBe(before.shed);
    expect(now.acked).toBeGreaterThan(before.acked);
  });

  it('DMs the busy message for an App Home button pressed 2.9 s ago (no response_url there)', async () => {
    const userId = 'UOVER7';
    const trigger = await pressSentAgo(2900, {
      userId,
      actionId: ACTION.homeNewRequest,
      blockId: BLOCK.homeActions,
      view: { id: 'V0HOMEOVER7', type: 'home', blocks: [] },
    });
    const dm = await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === userId);
    expect(String(dm.args['text'])).toMatch(/busy/i);
    expect(opensWith(trigger)).toEqual([]);
  });
});

describe('events under overload', () => {
  it('hands an event sent 2.9 s ago on to its listener: the Home is still published', async () => {
    const userId = 'UOVERE';
    const after = t.slack.calls.length;
    const body = JSON.stringify(eventEnvelope(appHomeOpenedEvent(userId)));
    const res = await t.sender.raw(body, {}, { contentType: 'application/json', timestampSec: Math.floor((Date.now() - 2900) / 1000) });
    expect(res.status).toBe(200);
    await t.slack.waitForCall('views.publish', (c) => c.args['user_id'] === userId, { after });
  });
});
