import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload } from '../support/slack-requests.js';
import { openRequestModal } from '../support/flows.js';
import { REQUEST_ACTION, REQUEST_BLOCK } from '../../src/blocks/ids.js';

/**
 * Modals open on a Web API client of their own (src/slack-api/clients.ts): @slack/web-api pauses
 * a client's whole request queue for the Retry-After of a 429 it waits out, so on Bolt's shared
 * client one rate-limited views.update would hold every other user's views.open until their
 * trigger_ids (3 s) expired. And a rate-limited views.open tells the user "busy" at once.
 */
const WINDOW_MS = 20_000;
let slack: FakeSlack;
let t: TestBot;

beforeAll(async () => {
  // A window long enough that a views.open held behind the Retry-After would find its trigger dead.
  slack = await startFakeSlack({
    rateLimits: { 'views.update': { limit: 1, windowMs: WINDOW_MS }, 'views.open': { limit: 3, windowMs: WINDOW_MS } },
  });
  t = await startTestBot({ name: 'modal-client', slack, env: { APPROVAL_POLICY: 'none' } });
});
afterAll(async () => {
  await t.stop();
  await slack.stop();
});

const choosePreset = (userId: string, view: Awaited<ReturnType<typeof openRequestModal>>, preset: string) =>
  t.sender.interaction(
    blockActionsPayload({
      userId,
      view,
      actionId: REQUEST_ACTION.preset,
      blockId: REQUEST_BLOCK.preset,
      selectedOption: { value: preset },
    }),
  );

describe('modals under Slack rate limits', () => {
  it("opens a modal at once while another call's 429 holds Bolt's client", async () => {
    const view = await openRequestModal(t, 'URATE1');
    expect((await choosePreset('URATE1', view, 'renovate')).status).toBe(200);
    await slack.waitForCall('views.update', (c) => c.response['ok'] === true);
    // The second views.update within the window is refused with a Retry-After of many seconds,
    // which Bolt's client now waits out with its request queue paused.
    expect((await choosePreset('URATE1', view, 'deeptraq')).status).toBe(200);
    await slack.waitForCall('views.update', (c) => c.response['error'] === 'ratelimited');

    // Another user's command meanwhile: its modal opens while its trigger is alive.
    const after = slack.calls.length;
    const res = await t.sender.command({ user_id: 'URATE2', text: '' });
    expect(res.status).toBe(200);
    const open = await slack.waitForCall('views.open', (c) => c.args['trigger_id'] === res.fields.trigger_id, { after });
    expect(open.response['ok']).toBe(true);
  });

  it('answers "busy" through the response_url when Slack rate-limits views.open, without retrying it', async () => {
    // Two views.open so far in the window; this fills it, the next is refused.
    await openRequestModal(t, 'URATE3');
    const after = slack.calls.length;
    const res = await t.sender.command({ user_id: 'URATE4', text: 'DeepTraQ', response_url: `${slack.origin}/response/rate-limited` });
    expect(res.status).toBe(200);
    const reply = await slack.waitForCall('response_url', (c) => c.path === '/response/rate-limited', { after });
    expect(String(reply.args['text'])).toMatch(/busy/i);
    expect(String(reply.args['text'])).toContain('`/bitbucket-token DeepTraQ`');
    const opens = slack.callsTo('views.open').filter((c) => c.args['trigger_id'] === res.fields.trigger_id);
    expect(opens.map((c) => c.response['error'])).toEqual(['ratelimited']);
  });
});
