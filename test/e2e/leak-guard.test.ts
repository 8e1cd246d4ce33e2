import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { eventEnvelope } from '../support/slack-requests.js';
import { realNow } from '../support/net.js';

const APPROVALS = 'CAPPROVALS';
// Three different token-shaped values; none may ever come back out of the bot.
const TOKENS = ['A', 'B', 'C'].map((c) => `ATATT3xFfGF0${c.repeat(40)}=0123${c}`);

let t: TestBot;
let seq = 0;

beforeAll(async () => {
  t = await startTestBot({ name: 'leak-guard', env: { APPROVAL_CHANNEL_ID: APPROVALS } });
});
afterAll(async () => {
  await t.stop();
});

function messageEvent(over: Record<string, unknown>): Record<string, unknown> {
  seq += 1;
  return {
    type: 'message',
    channel: 'DU1',
    channel_type: 'im',
    user: 'U1',
    text: 'hello',
    ts: `${Math.floor(realNow() / 1000)}.${String(seq).padStart(6, '0')}`,
    event_ts: `${Math.floor(realNow() / 1000)}.${String(seq).padStart(6, '0')}`,
    ...over,
  };
}

/** Sends a message that must be warned about and waits for that warning: everything sent before it has been handled. */
async function sentinel(): Promise<void> {
  const after = t.slack.calls.length;
  const event = messageEvent({ user: 'USENTINEL', text: `oops ${TOKENS[0]}` });
  await t.sender.event(event);
  await t.slack.waitForCall('chat.postEphemeral', (c) => c.args['user'] === 'USENTINEL' && c.args['channel'] === event['channel'], {
    after,
  });
}

const warningsTo = (user: string, after: number) =>
  t.slack.callsTo('chat.postEphemeral').filter((c) => c.index >= after && c.args['user'] === user);

describe('secret-leak guard', () => {
  it('warns the poster once, privately, for a DM holding several tokens, and never echoes or logs them', async () => {
    const after = t.slack.calls.length;
    const res = await t.sender.event(messageEvent({ user: 'UPOSTER', text: `here you go ${TOKENS.join(' and ')}` }));
    expect(res.status).toBe(200);
    const warning = await t.slack.waitForCall('chat.postEphemeral', (c) => c.args['user'] === 'UPOSTER', { after });
    expect(warning.response['ok']).toBe(true);
    expect(warning.args['channel']).toBe('DU1');
    expect(String(warning.args['text'])).toMatch(/3 Atlassian API tokens.*revoke.*create a new one/);
    await sentinel();
    expect(warningsTo('UPOSTER', after)).toHaveLength(1);
    const everything = JSON.stringify(t.slack.calls) + t.logs.text;
    for (const token of TOKENS) expect(everything).not.toContain(token);
    expect(t.logs.text).toContain('poster warned');
  });

  it('warns about Bitbucket access tokens and app passwords too, naming the kind, once per message, never echoing them', async () => {
    // Built at run time from their prefixes: the repository holds no token-shaped string.
    const accessToken = `${['AT', 'CTT3'].join('')}${'Qk'.repeat(20)}=09`;
    const appPassword = `${['AT', 'BB'].join('')}${'rT7'.repeat(10)}`;
    const posted: Array<[string, string, RegExp]> = [
      ['UACCESS', `our repo token is ${accessToken}`, /a Bitbucket access token.*Access tokens/],
      ['UAPPPW', `app password: ${appPassword}`, /a Bitbucket app password.*App passwords/],
      ['UMIXED', `${accessToken} and ${appPassword} and ${TOKENS[0]}`, /3 Atlassian or Bitbucket credentials/],
    ];
    const after = t.slack.calls.length;
    for (const [user, text] of posted) await t.sender.event(messageEvent({ user, text }));
    for (const [user, , expected] of posted) {
      const warning = await t.slack.waitForCall('chat.postEphemeral', (c) => c.args['user'] === user, { after });
      expect(String(warning.args['text'])).toMatch(expected);
    }
    await sentinel();
    for (const [user] of posted) expect(warningsTo(user, after)).toHaveLength(1);
    const everything = JSON.stringify(t.slack.calls) + t.logs.text;
    for (const value of [accessToken, appPassword]) expect(everything).not.toContain(value);
  });

  it('warns in the thread of the approvals channel', async () => {
    const after = t.slack.calls.length;
    await t.sender.event(
      messageEvent({ channel: APPROVALS, channel_type: 'channel', user: 'UTHREAD', text: TOKENS[1], thread_ts: '1700000000.000100' }),
    );
    const warning = await t.slack.waitForCall('chat.postEphemeral', (c) => c.args['user'] === 'UTHREAD', { after });
    expect(warning.args).toMatchObject({ channel: APPROVALS, thread_ts: '1700000000.000100' });
  });

  it('does not warn twice when Slack redelivers the event', async () => {
    const after = t.slack.calls.length;
    const envelope = eventEnvelope(messageEvent({ user: 'URETRY', text: TOKENS[2] }));
    await t.sender.event(envelope);
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.args['user'] === 'URETRY', { after });
    for (const n of ['1', '2']) {
      const res = await t.sender.event(envelope, { 'x-slack-retry-num': n, 'x-slack-retry-reason': 'http_timeout' });
      expect(res.status).toBe(200);
    }
    await expect.poll(() => t.logs.lines.filter((l) => l.includes('leak warning already sent')).length).toBe(2);
    expect(warningsTo('URETRY', after)).toHaveLength(1);
  });

  it('ignores bot messages, its own messages, edits and messages without a token', async () => {
    const after = t.slack.calls.length;
    await t.sender.event(messageEvent({ user: 'UBOT', text: TOKENS[0] })); // the bot itself
    await t.sender.event(messageEvent({ user: 'UOTHERBOT', bot_id: 'BOTHER', subtype: 'bot_message', text: TOKENS[0] }));
    await t.sender.event(messageEvent({ user: 'UEDIT', subtype: 'message_changed', text: TOKENS[0] }));
    await t.sender.event(messageEvent({ user: 'UCLEAN', text: 'ATATT3 is the prefix of Atlassian tokens' }));
    await sentinel();
    const warned = t.slack
      .callsTo('chat.postEphemeral')
      .filter((c) => c.index >= after)
      .map((c) => c.args['user']);
    expect(warned).toEqual(['USENTINEL']);
  });

  it('warns for file shares and thread broadcasts', async () => {
    const after = t.slack.calls.length;
    await t.sender.event(messageEvent({ user: 'UFILE', subtype: 'file_share', text: TOKENS[0] }));
    await t.sender.event(messageEvent({ user: 'UBCAST', subtype: 'thread_broadcast', text: TOKENS[0], thread_ts: '1700000000.000200' }));
    await t.slack.waitForCalls('chat.postEphemeral', 2, (c) => c.args['user'] === 'UFILE' || c.args['user'] === 'UBCAST', { after });
  });
});
