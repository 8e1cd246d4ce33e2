import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type fc from 'fast-check';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../support/test-bot.js';
import { startFakeSlack } from '../support/fake-slack.js';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  approvalButtonBody,
  approvalSubmissionBody,
  eventBody,
  homeButtonBody,
  malformedBody,
  recordSubmissionBody,
  reminderButtonBody,
  rotatedSubmissionBody,
  presetSelectBody,
  recordTokenBody,
  slashCommandFields,
  viewSubmissionBody,
  type PayloadContext,
} from '../support/arbitraries.js';
import {
  createFuzzSender,
  findInvalidRecords,
  findLeaks,
  fire,
  sampleOf,
  settle,
  summarise,
  watchProcessErrors,
  type FireResult,
} from '../support/fuzz.js';
import { daysFromNow, recordButtonValue, requestState, submitRequest, waitForChecklist } from '../support/flows.js';
import { APPROVAL_INPUT, RECORD_BLOCK, REQUEST_BLOCK, ROTATED_BLOCK } from '../../src/blocks/ids.js';
import { recordDueToken, tokenStoreFor } from '../support/faults.js';
import type { SlackResponse } from '../support/slack-requests.js';

/**
 * Property-based bad input (issue #6): FUZZ_RUNS generated payloads per entry point, sent
 * signed over HTTP to the running app. Each must get a 2xx/4xx (never 5xx, never a hang),
 * and afterwards: no unhandled rejection, every stored record parses with the store schemas,
 * every Slack call the bot made passed the fake's Block Kit checks, and no listener crashed.
 */

let t: TestBot;
let redis: Redis;
let ctx: PayloadContext;
let send: ReturnType<typeof createFuzzSender>;
const processErrors = watchProcessErrors();
const summaries: string[] = [];
/** Every HTTP answer, for the leak scan at the end (the generators plant ATATT3… tokens). */
const answers: string[] = [];

beforeAll(async () => {
  // Payloads are generated before they are sent, so trigger expiry is switched off here.
  const slack = await startFakeSlack({ triggerTtlMs: Infinity });
  // Bolt answers payloads no listener handles after this wait (default 3 s); shorter here so
  // thousands of them do not dominate the suite's time. Handled ones ack at once regardless.
  t = await startTestBot({
    name: 'fuzz',
    slack,
    unhandledRequestTimeoutMs: 800,
    env: { APPROVAL_CHANNEL_ID: 'C0APPROVALS', APPROVER_USER_IDS: 'U2' },
  });
  redis = new Redis(t.redisUrl);
  // A few real approved requests, so some tampered button presses hit real records.
  const requestIds: string[] = [];
  for (const userId of ['U1', 'U2']) {
    const after = t.slack.calls.length;
    const res = await submitRequest(
      t,
      userId,
      requestState({ presetId: 'ci', name: `Fuzz ${userId}`, expiresOn: daysFromNow(30), scopes: ['read:repository:bitbucket'] }),
    );
    expect(res.text).toBe('');
    requestIds.push(recordButtonValue(await waitForChecklist(t, userId, after)));
  }
  // Tokens of U1 and U3, one of them orphaned, so reminder buttons and the rotated modal hit real records.
  const tokenIds: string[] = [];
  for (const [owner, extra] of [
    ['U1', {}],
    ['U3', { reminder: { orphanedAt: Date.now() } }],
  ] as const) {
    const token = await recordDueToken(redis, t.prefix, owner, 40);
    if ('reminder' in extra)
      await tokenStoreFor(redis, t.prefix).update(token.id, (tk) => ({ next: { ...tk, reminder: { ...tk.reminder, ...extra.reminder } } }));
    tokenIds.push(token.id);
  }
  send = createFuzzSender(t, SIGNING_SECRET);
  ctx = { slackOrigin: t.slack.origin, requestIds, userIds: ['U1', 'U2', 'U3'], tokenIds };
});

afterAll(async () => {
  processErrors.dispose();
  console.log(summaries.join('\n'));
  redis?.disconnect();
  await t?.stop();
  await t?.slack.stop();
});

/** Fuzzes one entry point and checks what every fuzz run must leave true. */
async function fuzz<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  send: (input: T) => Promise<SlackResponse>,
  check?: (input: T, res: SlackResponse) => string | undefined,
) {
  const inputs = sampleOf(arb, FUZZ_RUNS, FUZZ_SEED);
  const badAnswers: string[] = [];
  const errorsBefore = processErrors.errors.length;
  const logsBefore = t.logs.lines.length;
  const violationsBefore = t.slack.violations.length;
  const result: FireResult<T> = await fire(
    inputs,
    async (input) => {
      const res = await send(input);
      answers.push(res.text);
      const problem = check?.(input, res);
      if (problem) badAnswers.push(`${problem}: ${JSON.stringify(input).slice(0, 300)} -> ${res.text.slice(0, 300)}`);
      return res;
    },
    // Payloads no listener handles are answered 404 by Bolt after its 3 s ack timeout, so
    // many are kept in flight; they cost sockets, not CPU.
    { concurrency: 64 },
  );
  await settle(t);
  summaries.push(summarise(name, result, FUZZ_SEED));
  const crashes = t.logs.lines
    .slice(logsBefore)
    .filter((l) => /unhandled error|An unhandled error occurred|"level":50/i.test(l) && !/not acknowledged within 3 seconds/.test(l));
  expect({
    sent: result.sent,
    failures: result.failures.slice(0, 5).map((f) => `${f.status ?? f.error} ${JSON.stringify(f.input).slice(0, 300)}`),
    badAnswers: badAnswers.slice(0, 5),
    processErrors: processErrors.errors.slice(errorsBefore, errorsBefore + 3),
    invalidRecords: (await findInvalidRecords(redis, t.prefix)).slice(0, 5),
    blockKitViolations: t.slack.violations.slice(violationsBefore, violationsBefore + 3),
    listenerErrors: crashes.slice(0, 3).map((l) => l.slice(0, 600)),
  }).toEqual({
    sent: FUZZ_RUNS,
    failures: [],
    badAnswers: [],
    processErrors: [],
    invalidRecords: [],
    blockKitViolations: [],
    listenerErrors: [],
  });
  return result;
}

const okOr404 = (res: SlackResponse) => (res.status === 200 || res.status === 404 ? undefined : `status ${res.status}`);

/** Any method to any path, on a fresh connection. */
function request(url: string, method: string): Promise<SlackResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: {}, ms: 0, json: () => undefined }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

const MODAL_BLOCKS = Object.values(REQUEST_BLOCK);
const isModalBlockId = (id: string) => MODAL_BLOCKS.some((b) => id === b || new RegExp(`^${b}-\\d+$`).test(id));

/** Checks an answer to a view_submission: empty (close), or field errors keyed by `blockIds`. */
const fieldErrorsOnly =
  (isBlock: (id: string) => boolean) =>
  (_p: unknown, res: SlackResponse): string | undefined => {
    if (res.status !== 200) return okOr404(res);
    if (res.text === '') return undefined;
    const body = res.json() as { response_action?: string; errors?: Record<string, unknown> } | undefined;
    if (body?.response_action !== 'errors' || !body.errors) return 'answer is neither empty nor field errors';
    const entries = Object.entries(body.errors);
    if (entries.length === 0) return 'empty errors';
    for (const [blockId, message] of entries) {
      if (!isBlock(blockId)) return `error keyed by a block the modal does not have: ${blockId.slice(0, 40)}`;
      if (typeof message !== 'string' || message.trim() === '' || message.length > 2000) return 'error message missing or too long';
    }
    return undefined;
  };
const oneOf = (ids: readonly string[]) => (id: string) => ids.includes(id);

describe(`bad input: ${FUZZ_RUNS} generated payloads per entry point`, () => {
  it('slash command bodies', async () => {
    await fuzz(
      'slash command',
      slashCommandFields(ctx),
      (fields) => send.form(fields),
      (_f, res) => {
        if (res.status !== 200) return okOr404(res);
        if (res.text === '') return undefined;
        const body = res.json() as { response_type?: string; text?: string } | undefined;
        return body?.response_type === 'ephemeral' && typeof body.text === 'string'
          ? undefined
          : 'answer is neither empty nor an ephemeral message';
      },
    );
  }, 120_000);

  it('view_submission states', async () => {
    await fuzz('view_submission', viewSubmissionBody(ctx), (payload) => send.interaction(payload), fieldErrorsOnly(isModalBlockId));
  }, 120_000);

  it('block_actions: record-token button with tampered values and ids', async () => {
    await fuzz(
      'block_actions record_token',
      recordTokenBody(ctx),
      (payload) => send.interaction(payload),
      (_p, res) => okOr404(res),
    );
  }, 120_000);

  it('block_actions: preset select with tampered state and metadata', async () => {
    await fuzz(
      'block_actions preset_select',
      presetSelectBody(ctx),
      (payload) => send.interaction(payload),
      (_p, res) => okOr404(res),
    );
  }, 120_000);

  it('block_actions: reminder buttons (renew, rotated, no longer needed, snooze, adopt)', async () => {
    await fuzz(
      'block_actions reminder buttons',
      reminderButtonBody(ctx),
      (payload) => send.interaction(payload),
      (_p, res) => okOr404(res),
    );
  }, 120_000);

  it('block_actions: approval buttons (approve, approve fewer, reject, cancel, request again)', async () => {
    await fuzz(
      'block_actions approval buttons',
      approvalButtonBody(ctx),
      (payload) => send.interaction(payload),
      (_p, res) => okOr404(res),
    );
  }, 120_000);

  it('block_actions: App Home buttons', async () => {
    await fuzz(
      'block_actions home buttons',
      homeButtonBody(ctx),
      (payload) => send.interaction(payload),
      (_p, res) => okOr404(res),
    );
  }, 120_000);

  it('view_submission: record an existing token', async () => {
    await fuzz(
      'view_submission record modal',
      recordSubmissionBody(ctx),
      (payload) => send.interaction(payload),
      fieldErrorsOnly(oneOf(Object.values(RECORD_BLOCK))),
    );
  }, 120_000);

  it('view_submission: already rotated (new expiry, tampered metadata)', async () => {
    await fuzz(
      'view_submission rotated modal',
      rotatedSubmissionBody(ctx),
      (payload) => send.interaction(payload),
      fieldErrorsOnly(oneOf(Object.values(ROTATED_BLOCK))),
    );
  }, 120_000);

  it("view_submission: approvers' reject and approve-fewer modals", async () => {
    await fuzz(
      'view_submission approval modals',
      approvalSubmissionBody(ctx),
      (payload) => send.interaction(payload),
      fieldErrorsOnly(oneOf([APPROVAL_INPUT.reasonBlock, APPROVAL_INPUT.scopesBlock])),
    );
  }, 120_000);

  it('events: app_home_opened and message (leak guard), some redelivered', async () => {
    await fuzz(
      'events app_home_opened/message',
      eventBody(ctx),
      ({ envelope, retryNum }) =>
        send.raw(JSON.stringify(envelope), {
          contentType: 'application/json',
          ...(retryNum ? { headers: { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' } } : {}),
        }),
      // 400: an envelope whose `event` is not an object (src/http/request-guard.ts).
      (_p, res) => (res.status === 400 ? undefined : okOr404(res)),
    );
  }, 120_000);

  it('malformed JSON and form bodies (signed)', async () => {
    await fuzz('malformed bodies', malformedBody(), ({ body, contentType }) => send.raw(body, { contentType }));
  }, 120_000);

  it('oversize bodies are refused with 413 and nothing is processed', async () => {
    await settle(t); // let earlier work (e.g. the seeded request's DMs) finish first
    const before = t.slack.calls.length;
    const big = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', blob: 'x'.repeat(5 * 1024 * 1024) }))}`;
    const results = await Promise.all([send.raw(big), send.raw(big, { signingSecret: '' })]);
    expect(results.map((r) => r.status)).toEqual([413, 413]);
    await settle(t);
    // users.info may come from the reminder sweep looking at the seeded tokens' owners meanwhile.
    expect(
      t.slack.calls
        .slice(before)
        .filter((c) => c.method !== 'users.info')
        .map((c) => `${c.method} ${JSON.stringify(c.args).slice(0, 200)}`),
    ).toEqual([]);
    expect(processErrors.errors).toEqual([]);
  }, 60_000);

  it('no generated token value reached Redis, the logs, Slack or an HTTP answer', async () => {
    await settle(t);
    expect(answers.length).toBeGreaterThanOrEqual(12 * FUZZ_RUNS);
    expect(await findLeaks(t, redis, [], answers)).toEqual({ redis: [], logs: [], slackCalls: [], responses: [] });
  });

  it('GET /healthz with odd methods, paths and queries never 5xxs', async () => {
    const base = `http://127.0.0.1:${t.port}`;
    const paths = ['/healthz', '/healthz?x=%00', '/healthz/', '/HEALTHZ', '/healthz?' + 'a'.repeat(4000), '/slack/events', '/nope'];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'];
    const combos = paths.flatMap((p) => methods.map((m) => [m, p] as const));
    const result = await fire(combos, ([method, path]) => request(`${base}${path}`, method), { allowed: [200, 401, 404, 405] });
    summaries.push(summarise('http routes', result, FUZZ_SEED));
    expect(result.failures).toEqual([]);
    expect(result.statuses[200]).toBeGreaterThan(0);
  }, 60_000);
});
