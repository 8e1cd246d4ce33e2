import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/test-bot.js';
import { blockActionsPayload, input, viewSubmissionPayload } from '../support/slack-requests.js';
import { createFuzzSender, findLeaks, settle } from '../support/fuzz.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { ACTION, BLOCK, CALLBACK, COMMAND, REQUEST_ACTION, REQUEST_BLOCK } from '../../src/blocks/ids.js';

/**
 * Plants token-shaped values (ATATT3…) in every input of every entry point, then looks for
 * them everywhere the bot writes: every key and value under the test prefix in Redis, every
 * log line, every outgoing Slack call (including the leak warning) and every HTTP answer.
 */

let t: TestBot;
let redis: Redis;
let send: ReturnType<typeof createFuzzSender>;
let seq = 0;
/** A distinct token per input, so a leak names the input it came from. */
const planted: string[] = [];
const plant = (where: string) => {
  const token = `ATATT3xFfGF0${where.replace(/[^A-Za-z0-9]/g, '')}${String(++seq).padStart(4, '0')}Zm9vYmFyYmF6=AB12`;
  planted.push(token);
  return token;
};

beforeAll(async () => {
  t = await startTestBot({ name: 'secrets' });
  redis = new Redis(t.redisUrl);
  send = createFuzzSender(t, SIGNING_SECRET);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

describe('secrets planted in every input never come out', () => {
  it('appear in no Redis key or value, log line, Slack call or HTTP answer', async () => {
    const answers: string[] = [];
    const keep = async (p: Promise<{ status: number; text: string }>) => {
      const res = await p;
      expect(res.status).toBeLessThan(500);
      answers.push(res.text);
    };
    const responseUrl = `${t.slack.origin}/response/secrets`;

    // Slash command: the token as the argument (answered with the leak warning) and in every other field.
    await keep(
      send.form({
        command: COMMAND,
        text: plant('cmdtext'),
        user_id: 'U1',
        channel_id: 'C1',
        trigger_id: `1.${Date.now()}.ab`,
        response_url: responseUrl,
      }),
    );
    await keep(
      send.form({
        command: COMMAND,
        text: `deeptraq ${plant('cmdtext2')}`,
        user_id: 'U1',
        channel_id: 'C1',
        trigger_id: `2.${Date.now()}.ab`,
        response_url: responseUrl,
      }),
    );
    await keep(
      send.form({
        command: COMMAND,
        text: 'deeptraq',
        user_id: plant('cmduser'),
        channel_id: plant('cmdchannel'),
        user_name: plant('cmdusername'),
        channel_name: plant('cmdchannelname'),
        team_domain: plant('cmdteam'),
        trigger_id: plant('cmdtrigger'),
        response_url: `${t.slack.origin}/response/${plant('cmdresponseurl')}`,
      }),
    );
    await keep(
      send.form({
        command: COMMAND,
        text: 'ci',
        user_id: 'U1',
        channel_id: 'C1',
        trigger_id: `3.${Date.now()}.ab`,
        response_url: `https://hooks.slack.test/${plant('cmdurlpath')}`,
      }),
    );
    const leakWarning = await t.slack.waitForCall('views.open', undefined, { timeoutMs: 5000 }).catch(() => undefined);
    expect(leakWarning).toBeDefined();

    // view_submission: a token in each field, one field at a time (so each reaches as far as it can).
    const valid = {
      presetId: 'ci',
      name: 'Secrets test',
      expiresOn: daysFromNow(30),
      scopes: ['read:repository:bitbucket'],
      workspace: 'acme',
      purpose: 'testing',
    };
    const variants: Array<Record<string, unknown>> = [
      { name: plant('name') },
      { name: `CI ${plant('namesuffix')}` },
      { purpose: `Scanner, key ${plant('purpose')}` },
      { workspace: plant('workspace') },
      { presetId: plant('preset') },
      { expiresOn: plant('expiry') },
      { scopes: ['read:repository:bitbucket', plant('scope')] },
    ];
    for (const change of variants) await keep(submitRequest(t, 'U5', requestState({ ...valid, ...(change as object) })));
    const metadata = JSON.stringify({
      channelId: plant('metachannel'),
      responseUrl: `${t.slack.origin}/response/${plant('metaurl')}`,
      renewsTokenId: plant('metarenews'),
      revision: 0,
    });
    await keep(
      send.interaction(
        viewSubmissionPayload({
          userId: 'U5',
          userName: plant('viewusername'),
          callbackId: CALLBACK.requestModal,
          values: requestState(valid),
          privateMetadata: metadata,
        }),
      ),
    );
    await keep(
      send.interaction(
        viewSubmissionPayload({ userId: plant('viewuser'), callbackId: CALLBACK.requestModal, values: requestState(valid) }),
      ),
    );
    await keep(
      send.interaction(
        viewSubmissionPayload({
          userId: 'U5',
          callbackId: CALLBACK.requestModal,
          values: { ...requestState(valid), [plant('blockid')]: { [plant('actionid')]: input.text(plant('extra')) } },
        }),
      ),
    );

    // Preset select: the typed name, purpose and workspace are shown again in views.update.
    const view = { id: 'V0SECRETS1', callback_id: CALLBACK.requestModal, private_metadata: metadata, hash: '1700000000.abc' };
    const state = {
      values: requestState({
        ...valid,
        presetId: 'custom',
        name: plant('presetname'),
        purpose: plant('presetpurpose'),
        workspace: plant('presetworkspace'),
      }),
    };
    await keep(
      send.interaction(
        blockActionsPayload({
          userId: 'U5',
          view,
          state,
          actionId: REQUEST_ACTION.preset,
          blockId: REQUEST_BLOCK.preset,
          selectedOption: { value: 'custom' },
        }),
      ),
    );
    await keep(
      send.interaction(
        blockActionsPayload({
          userId: 'U5',
          view,
          state,
          actionId: REQUEST_ACTION.preset,
          blockId: REQUEST_BLOCK.preset,
          selectedOption: { value: plant('presetvalue') },
        }),
      ),
    );

    // Record button: a token as the value, in the message blocks, user name, channel and ts; then a real press with planted blocks.
    const after = t.slack.calls.length;
    await submitRequest(t, 'U6', requestState(valid));
    const dm = await waitForChecklist(t, 'U6', after);
    const requestId = recordButtonValue(dm);
    const tamperedMessage = {
      ts: dm.response['ts'],
      channel: dm.response['channel'],
      blocks: [{ type: 'section', block_id: plant('msgblockid'), text: { type: 'mrkdwn', text: plant('msgblocktext') } }],
      text: plant('msgtext'),
    };
    await keep(
      send.interaction(
        blockActionsPayload({
          userId: 'U6',
          actionId: ACTION.recordToken,
          blockId: BLOCK.checklistActions,
          value: plant('buttonvalue'),
          responseUrl,
        }),
      ),
    );
    await keep(
      send.interaction(
        blockActionsPayload({
          userId: 'U6',
          userName: plant('pressusername'),
          actionId: ACTION.recordToken,
          blockId: BLOCK.checklistActions,
          value: requestId,
          message: tamperedMessage,
          channelId: String(dm.response['channel']),
          responseUrl,
        }),
      ),
    );
    await keep(
      send.interaction(
        blockActionsPayload({
          userId: 'U6',
          actionId: ACTION.recordToken,
          blockId: BLOCK.checklistActions,
          value: requestId,
          channelId: plant('presschannel'),
          message: { ts: plant('pressts') },
          responseUrl,
        }),
      ),
    );
    await t.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'U6' && String(c.args['text']).includes('Recorded'), {
      after,
    });

    await settle(t);
    const leaks = await findLeaks(t, redis, planted, answers);
    expect(planted.length).toBeGreaterThan(30);
    expect(leaks).toEqual({ redis: [], logs: [], slackCalls: [], responses: [] });
    // The warning was given, and does not carry the token either (checked above with every call).
    expect(answers.some((a) => /revoke/i.test(a))).toBe(true);
    // The flows did run: requests were stored and a token recorded, so the scan had something to scan.
    expect(await redis.zcard(`${t.prefix}:tokens`)).toBe(1);
  });
});
