import { describe, expect, it } from 'vitest';
import { opensModal, readCommandText } from '../../../src/slack/kit/command-text.js';
import { BUSY_SUBMISSION_ERROR, busyAnswerAtReceipt, isStaleAge, STALE_REQUEST_MS } from '../../../src/slack/kit/trigger-age.js';

/** A slash command's form fields as Slack sends them (Bolt's parsed body). */
const command = (fields: Record<string, string> = {}) => ({
  command: '/bitbucket-token',
  text: '',
  user_id: 'U1',
  channel_id: 'C1',
  trigger_id: '1001.1700000000000.abcdef',
  response_url: 'https://hooks.slack.com/commands/T1/1/abc',
  ...fields,
});

describe('readCommandText', () => {
  it.each([
    ['', 'request'],
    ['DeepTraQ', 'request'],
    ['record', 'record'],
    ['RECORD', 'record'],
    ['list', 'list'],
    ['help', 'help'],
    ['?', 'help'],
    ['scopes GET /repositories/acme/web', 'scopes'],
    ['scopes', 'scopes'],
  ])('%j is %s', (text, kind) => {
    expect(readCommandText(text).kind).toBe(kind);
  });

  it('keeps the API calls of `scopes`', () => {
    expect(readCommandText('scopes GET /a\nPOST /b')).toEqual({ kind: 'scopes', calls: 'GET /a\nPOST /b' });
  });

  it('only the request form and `record` open a modal', () => {
    const kinds = ['', 'x', 'record', 'list', 'help', 'scopes'].filter((t) => opensModal(readCommandText(t)));
    expect(kinds).toEqual(['', 'x', 'record']);
  });
});

describe('busyAnswerAtReceipt', () => {
  it('answers a command that opens a modal with the command to run again', () => {
    const answer = busyAnswerAtReceipt(command({ text: '  DeepTraQ ' }));
    expect(answer).toMatchObject({ kind: 'command', responseUrl: 'https://hooks.slack.com/commands/T1/1/abc' });
    expect(answer?.kind === 'command' && answer.message.text).toContain('`/bitbucket-token DeepTraQ`');
  });

  it('hands on what the listener answers without a modal, and other commands', () => {
    for (const text of ['help', 'list', 'scopes GET /user']) expect(busyAnswerAtReceipt(command({ text }))).toBeUndefined();
    expect(busyAnswerAtReceipt(command({ command: '/other' }))).toBeUndefined();
  });

  it('never echoes a pasted secret: such a command goes on to its warning', () => {
    const token = `ATATT3xFfGF0${'a'.repeat(180)}=0123ABCD`;
    expect(readCommandText(token).kind).toBe('secret');
    expect(busyAnswerAtReceipt(command({ text: token }))).toBeUndefined();
  });

  it('hands on a command Slack would not send (no trigger_id), and drops a response_url it may not post to', () => {
    const { trigger_id: _, ...noTrigger } = command();
    expect(busyAnswerAtReceipt(noTrigger)).toBeUndefined();
    expect(busyAnswerAtReceipt(command({ response_url: 'file:///etc/passwd' }))).toMatchObject({ kind: 'command', responseUrl: undefined });
  });

  it('answers a view submission with the busy error at its first input, and hands on one without', () => {
    const submission = (blocks: object[]) => ({ type: 'view_submission', view: { blocks, state: { values: {} } } });
    expect(busyAnswerAtReceipt(submission([{ type: 'section' }, { type: 'input', block_id: 'name' }]))).toEqual({
      kind: 'view',
      answer: { response_action: 'errors', errors: { name: BUSY_SUBMISSION_ERROR } },
    });
    expect(busyAnswerAtReceipt(submission([{ type: 'section', block_id: 's' }]))).toBeUndefined();
  });

  it('hands on buttons, events and anything else', () => {
    for (const body of [{ type: 'block_actions', actions: [] }, { type: 'event_callback', event: {} }, null, 'x', {}]) {
      expect(busyAnswerAtReceipt(body)).toBeUndefined();
    }
  });
});

it('isStaleAge: older than STALE_REQUEST_MS, unknown ages never', () => {
  expect([STALE_REQUEST_MS, STALE_REQUEST_MS + 1, undefined].map(isStaleAge)).toEqual([false, true, false]);
});
