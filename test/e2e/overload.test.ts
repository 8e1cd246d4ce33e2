import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, newTriggerId } from '../support/slack-requests.js';
import { daysFromNow, openRequestModal, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { createKeys } from '../../src/store/keys.js';
import { ACTION, BLOCK, REQUEST_BLOCK } from '../../src/blocks/ids.js';
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

  it('does the same for `record`', async () => {
    const trigger = await commandSentAgo(2900, 'UOVER2', 'record', 'overload-record');
    const reply = await responseTo('overload-record');
    expect(String(reply.args['text'])).toContain('`/bitbucket-token record`');
    expect(opensWith(trigger)).toEqual([]);
  });

  it('still opens the modal for a command half a second old', async () => {
    const trigger = await commandSentAgo(500, 'UOVER3', '', 'overload-fresh');
    const open = await t.slack.waitForCall('views.open', (c) => c.args['trigger_id'] === trigger);
    expect(open.response['ok']).toBe(true);
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
