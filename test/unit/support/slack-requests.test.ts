import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, LogLevel, isValidSlackRequest } from '@slack/bolt';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';
import { getFreePort } from '../../support/net.js';
import {
  appHomeOpenedEvent,
  blockActionsPayload,
  createSlackSender,
  input,
  signSlackRequest,
  stateValues,
  viewSubmissionPayload,
  type SlackSender,
} from '../../support/slack-requests.js';

const SECRET = 'test-signing-secret';

describe('signSlackRequest', () => {
  it('produces signatures Bolt accepts', () => {
    const body = 'token=x&text=hello';
    const headers = signSlackRequest(body, SECRET);
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    const ok = isValidSlackRequest({
      signingSecret: SECRET,
      body,
      headers: {
        'x-slack-signature': headers['x-slack-signature'],
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
    });
    expect(ok).toBe(true);
  });
});

describe('sender against a real Bolt HTTPReceiver + fake Slack', () => {
  let slack: FakeSlack;
  let app: App;
  let send: SlackSender;
  const submissions: unknown[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    const port = await getFreePort();
    app = new App({
      token: 'xoxb-test',
      signingSecret: SECRET,
      deferInitialization: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } },
    });
    app.command('/bitbucket-token', async ({ ack, body, client }) => {
      await ack();
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'token_request',
          private_metadata: JSON.stringify({ channel: body.channel_id }),
          title: { type: 'plain_text', text: 'Bitbucket token' },
          submit: { type: 'plain_text', text: 'Request' },
          blocks: [
            {
              type: 'input',
              block_id: 'name',
              label: { type: 'plain_text', text: 'Name' },
              element: { type: 'plain_text_input', action_id: 'v', max_length: 100 },
            },
            {
              type: 'input',
              block_id: 'expiry',
              label: { type: 'plain_text', text: 'Expiry' },
              element: { type: 'datepicker', action_id: 'v' },
            },
            {
              type: 'actions',
              block_id: 'act',
              elements: [{ type: 'button', action_id: 'help', text: { type: 'plain_text', text: 'Help' }, value: 'h' }],
            },
          ],
        },
      });
    });
    app.action('help', async ({ ack, body, client }) => {
      await ack();
      if (body.type === 'block_actions' && body.view) {
        await client.views.update({
          view_id: body.view.id,
          hash: body.view.hash,
          view: { type: 'modal', callback_id: 'token_request', title: { type: 'plain_text', text: 'Help' }, blocks: [] },
        });
      }
    });
    app.view('token_request', async ({ ack, view }) => {
      submissions.push(view.state.values);
      await ack({ response_action: 'errors', errors: { name: 'Name taken' } });
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Home' } }] },
      });
    });
    await app.init();
    await app.start(port);
    send = createSlackSender({ baseUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET });
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
  });

  it('command -> views.open, block action -> views.update, submission -> errors', async () => {
    const res = await send.command({ text: 'new' });
    expect(res.status).toBe(200);
    const open = await slack.waitForCall('views.open');
    expect(open.args['trigger_id']).toBe(res.fields.trigger_id);
    expect(open.response).toMatchObject({ ok: true });
    const viewId = (open.response['view'] as { id: string }).id;
    const stored = slack.views.get(viewId);
    expect(stored).toBeDefined();

    const act = await send.interaction(blockActionsPayload({ userId: 'U1', actionId: 'help', blockId: 'act', value: 'h', view: stored }));
    expect(act.status).toBe(200);
    const upd = await slack.waitForCall('views.update');
    expect(upd.response).toMatchObject({ ok: true });
    expect(slack.views.get(viewId)?.['title']).toEqual({ type: 'plain_text', text: 'Help' });

    const values = stateValues({ name: { v: input.text('ci') }, expiry: { v: input.date('2026-01-01') } });
    const sub = await send.interaction(
      viewSubmissionPayload({ userId: 'U1', callbackId: 'token_request', privateMetadata: '{}', values, view: stored }),
    );
    expect(sub.status).toBe(200);
    expect(sub.json()).toEqual({ response_action: 'errors', errors: { name: 'Name taken' } });
    expect(submissions).toEqual([values]);
    expect(slack.violations).toEqual([]);
  });

  it('events are wrapped and delivered', async () => {
    const res = await send.event(appHomeOpenedEvent('U7'));
    expect(res.status).toBe(200);
    await slack.waitForCall('views.publish', (c) => c.args['user_id'] === 'U7');
    expect(slack.homeView('U7')?.['blocks']).toHaveLength(1);
  });

  it('unsigned and stale requests are rejected by Bolt', async () => {
    const body = new URLSearchParams({ command: '/bitbucket-token', text: '' }).toString();
    expect((await send.raw(body, {}, { sign: false })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await send.raw(body, {}, { timestampSec: stale })).status).toBe(401);
  });
});
