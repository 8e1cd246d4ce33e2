import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { Counter } from 'prom-client';
import { JOB, createJobQueue, reminderJobId } from '../../../src/jobs/queue.js';
import { createReminderProcessors, deliverReminder, sweepDueReminders, type ReminderDeps } from '../../../src/jobs/processors/reminders.js';
import { UserDirectory } from '../../../src/slack-api/users.js';
import { DIGEST_MAX_LINES, DigestStore } from '../../../src/store/digests.js';
import { createTokenId } from '../../../src/domain/record-ids.js';
import type { ReminderSettings } from '../../../src/domain/reminders.js';
import type { TokenRecord } from '../../../src/domain/types.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../support/fake-slack.js';
import { createProcessorFixture, newUserId, type ProcessorFixture } from '../../support/processor-fixtures.js';

/*
 * deliverReminder and sweepDueReminders called as plain functions, at fixed instants, against
 * real Redis, a real (worker-less) BullMQ queue and the fake Slack Web API.
 *
 * The instant: Monday 15 June 2026, 10:30 UTC. A token expiring on Monday 22 June and recorded
 * the day before is due for its 7-day reminder (10:00 UTC that day); 30 and 14 days before were
 * already past when it was recorded, so they never go out. After the 7-day reminder the next
 * look is the 1-day one, Sunday 21 June 10:00 UTC.
 *
 * The fixed instant lies before the real time on purpose: the fake stamps messages with the real
 * time (as Slack does), and the look-up of an unfinished claim asks conversations.history for
 * messages since the claim's (clock) time.
 */
const T0 = Date.parse('2026-06-15T10:30:00Z');
const EXPIRES_ON = '2026-06-22';
const RECORDED_AT = Date.parse('2026-06-14T09:00:00Z');
const D7_DUE = Date.parse('2026-06-15T10:00:00Z');
const D1_DUE = Date.parse('2026-06-21T10:00:00Z');
const SETTINGS: ReminderSettings = { days: [30, 14, 7, 1, 0], hour: 10, lastHour: 18, workdays: [0, 1, 2, 3, 4, 5, 6] };
const FALLBACK = 'C0FALLBACK';
const MINUTE = 60_000;
/** The bounds in src/jobs/processors/reminders.ts: the sweep's lease and when a claim counts as abandoned. */
const LEASE_MS = 10 * MINUTE;
const STALE_CLAIM_MS = 5 * MINUTE;

let slack: FakeSlack;
let f: ProcessorFixture;
let sent: Counter;
let failed: Counter;

beforeEach(async () => {
  // Strict: an owner not set with setUser is unknown to Slack (user_not_found), i.e. has left.
  slack = await startFakeSlack({ strictUsers: true });
  f = await createProcessorFixture('reminder-delivery', slack, T0);
  sent = new Counter({ name: 'unit_reminders_sent_total', help: 'sent', registers: [] });
  failed = new Counter({ name: 'unit_reminders_failed_total', help: 'failed', registers: [] });
});

afterEach(async () => {
  await f.close();
  await slack.stop();
});

function deps(overrides: Partial<ReminderDeps> = {}): ReminderDeps {
  return {
    tokens: f.tokens,
    users: new UserDirectory(f.client, f.logger, f.clock),
    client: f.client,
    jobs: f.jobs,
    clock: f.clock,
    settings: SETTINGS,
    fallbackChannelId: FALLBACK,
    logger: f.logger,
    metrics: { remindersSent: sent, remindersFailed: failed },
    ...overrides,
  };
}

const counterValue = async (c: Counter) => (await c.get()).values[0]?.value ?? 0;

/** A token of an owner present in Slack (UTC), due for its 7-day reminder at T0. */
async function dueToken(extra: Partial<TokenRecord> = {}, opts: { ownerKnown?: boolean } = {}): Promise<TokenRecord> {
  const ownerId = newUserId('own');
  if (opts.ownerKnown ?? true) slack.setUser(ownerId, { tz: 'UTC' });
  const token: TokenRecord = {
    id: createTokenId(),
    ownerId,
    name: 'CI deploy',
    scopes: ['read:repository:bitbucket'],
    workspace: 'acme',
    expiresOn: EXPIRES_ON,
    createdAt: RECORDED_AT,
    status: 'active',
    ...extra,
  };
  expect(await f.tokens.create(token, { at: RECORDED_AT, type: 'recorded', by: ownerId })).toBe(true);
  return token;
}

/** Leaves a claim on the token as a delivery that never confirmed would. */
async function leaveClaim(
  tokenId: string,
  sending: { threshold: number; at: number; by: string; sent?: Array<{ to: string; ch: string; ts: string }> },
): Promise<void> {
  const res = await f.tokens.update(tokenId, (t) => ({ next: { ...t, reminder: { ...t.reminder, sending } } }));
  expect(res?.changed).toBe(true);
}

const stored = async (id: string) => (await f.tokens.get(id))!;
/** The reminder state without `copies` (where each copy went: asserted where it matters). */
const bare = (r: TokenRecord['reminder']) => {
  const { copies: _where, ...rest } = r ?? {};
  return rest;
};
const dueScore = (id: string) => f.tokens.nextReminderAt(id);
const posts = (after = 0): FakeSlackCall[] => slack.callsTo('chat.postMessage').filter((c) => c.index >= after);
const okPosts = (after = 0) => posts(after).filter((c) => c.response['ok'] === true);
const reminded = async (id: string) => (await f.tokens.history(id)).filter((e) => e.type === 'reminded');
const markOf = (by: string, at: number) => ({ event_type: 'btb_reminder', event_payload: { claim: `${by}@${at}` } });

describe('deliverReminder', () => {
  it('claims, sends one DM carrying its mark, confirms; a second look at the same instant sends nothing', async () => {
    const token = await dueToken();
    expect(await dueScore(token.id)).toBe(RECORDED_AT);

    expect(await deliverReminder(deps(), token.id, 'remind-a')).toBe('sent');

    const [dm, ...more] = okPosts();
    expect(more).toEqual([]);
    expect(dm!.args['channel']).toBe(token.ownerId);
    expect(dm!.args['metadata']).toEqual(markOf('remind-a', T0));
    expect(String(dm!.args['text'])).toMatch(/CI deploy/);
    expect(String(dm!.args['text'])).toMatch(/7 days/);
    expect(dm!.args['unfurl_links']).toBe('false'); // form-encoded by the Web API client
    // The fake Slack stored it in the owner's DM, mark included.
    expect(slack.message(token.ownerId, String(dm!.response['ts']))).toBeDefined();

    const after = await stored(token.id);
    expect(after.reminder).toEqual({ last: 7, copies: [{ to: token.ownerId, ch: `D${token.ownerId}`, ts: dm!.response['ts'] }] });
    expect(after.status).toBe('active');
    expect(await dueScore(token.id)).toBe(D1_DUE);
    expect(await reminded(token.id)).toEqual([{ at: T0, type: 'reminded', detail: 'd7' }]);
    expect(await counterValue(sent)).toBe(1);

    const calls = slack.calls.length;
    expect(await deliverReminder(deps(), token.id, 'remind-b')).toBe('wait');
    expect(posts(calls)).toEqual([]);
    expect(await dueScore(token.id)).toBe(D1_DUE);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
    expect(await reminded(token.id)).toHaveLength(1);
    expect(await counterValue(sent)).toBe(1);
  });

  it('waits, sending nothing, before the reminder hour and reschedules to it', async () => {
    const token = await dueToken();
    f.clock.set(Date.parse('2026-06-15T09:59:59Z'));
    expect(await deliverReminder(deps(), token.id, 'remind-early')).toBe('wait');
    expect(posts()).toEqual([]);
    expect(await dueScore(token.id)).toBe(D7_DUE);
    expect((await stored(token.id)).reminder).toBeUndefined();
  });

  it('takes over a stale claim whose message is in the DM already: records it, sends nothing', async () => {
    const token = await dueToken();
    const leftAt = T0 - STALE_CLAIM_MS - 1000;
    await leaveClaim(token.id, { threshold: 7, at: leftAt, by: 'remind-dead' });
    // What the dead delivery got into Slack before it died: its DM with its mark.
    await f.client.chat.postMessage({ channel: token.ownerId, text: 'earlier reminder', metadata: markOf('remind-dead', leftAt) });
    const calls = slack.calls.length;

    expect(await deliverReminder(deps(), token.id, 'remind-next')).toBe('already_sent');

    expect(posts(calls)).toEqual([]);
    const history = slack.callsTo('conversations.history').filter((c) => c.index >= calls);
    expect(history).toHaveLength(1);
    expect(history[0]!.args['channel']).toBe(`D${token.ownerId}`);
    expect(Number(history[0]!.args['oldest'])).toBe((leftAt - MINUTE) / 1000);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
    expect(await dueScore(token.id)).toBe(D1_DUE);
    expect(await reminded(token.id)).toEqual([{ at: T0, type: 'reminded', detail: 'd7' }]);
    expect(f.logs.withMsg('reminder was already in Slack; recorded it without sending again')).toHaveLength(1);
  });

  it('takes over a stale claim whose message went out earlier in this run (post, then claim restored)', async () => {
    const token = await dueToken();
    expect(await deliverReminder(deps(), token.id, 'remind-first')).toBe('sent');
    // As if the first delivery had died between posting and confirming.
    await f.tokens.update(token.id, (t) => ({ next: { ...t, reminder: { sending: { threshold: 7, at: T0, by: 'remind-first' } } } }));
    f.clock.set(T0 + STALE_CLAIM_MS);
    const calls = slack.calls.length;

    expect(await deliverReminder(deps(), token.id, 'remind-second')).toBe('already_sent');
    expect(posts(calls)).toEqual([]);
    expect(okPosts()).toHaveLength(1);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
  });

  it('takes over a stale claim whose message is nowhere in Slack: sends once', async () => {
    const token = await dueToken();
    const leftAt = T0 - STALE_CLAIM_MS;
    await leaveClaim(token.id, { threshold: 7, at: leftAt, by: 'remind-dead' });
    // A message with another claim's mark is not it.
    await f.client.chat.postMessage({ channel: token.ownerId, text: 'other', metadata: markOf('remind-other', leftAt) });
    const calls = slack.calls.length;

    expect(await deliverReminder(deps(), token.id, 'remind-next')).toBe('sent');

    // Both the DM and the fallback channel were searched before sending.
    expect(
      slack
        .callsTo('conversations.history')
        .filter((c) => c.index >= calls)
        .map((c) => c.args['channel']),
    ).toEqual([`D${token.ownerId}`, FALLBACK]);
    const sentNow = posts(calls);
    expect(sentNow).toHaveLength(1);
    expect(sentNow[0]!.args['channel']).toBe(token.ownerId);
    expect(sentNow[0]!.args['metadata']).toEqual(markOf('remind-next', T0));
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
    expect(await reminded(token.id)).toEqual([{ at: T0, type: 'reminded', detail: 'd7' }]);
    expect(f.logs.withMsg('taking over unfinished reminder claims; checking Slack for their messages')).toHaveLength(1);
  });

  it('a takeover whose look in Slack fails keeps the earlier claim: the retry finds its message and sends nothing', async () => {
    const token = await dueToken();
    const leftAt = T0 - STALE_CLAIM_MS;
    await leaveClaim(token.id, { threshold: 7, at: leftAt, by: 'remind-dead' });
    // The dead delivery's DM did reach Slack.
    await f.client.chat.postMessage({ channel: token.ownerId, text: 'the first reminder', metadata: markOf('remind-dead', leftAt) });
    const calls = slack.calls.length;
    slack.failNext('conversations.history', { status: 503 });

    await expect(deliverReminder(deps(), token.id, 'remind-b')).rejects.toThrow();
    // Unknown whether the earlier message went out: the takeover keeps it listed.
    expect((await stored(token.id)).reminder?.sending).toEqual({
      threshold: 7,
      at: T0,
      by: 'remind-b',
      unresolved: [{ threshold: 7, at: leftAt, by: 'remind-dead' }],
    });

    // BullMQ's retry of the same job, a little later: it looks for both claims and finds the first.
    f.clock.set(T0 + 2000);
    expect(await deliverReminder(deps(), token.id, 'remind-b')).toBe('already_sent');
    expect(posts(calls)).toEqual([]);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
    expect(await reminded(token.id)).toHaveLength(1);
  });

  it('leaves a fresh claim of another delivery alone: wait, nothing sent, nothing rescheduled', async () => {
    const token = await dueToken();
    const claimedAt = T0 - STALE_CLAIM_MS + 1;
    await leaveClaim(token.id, { threshold: 7, at: claimedAt, by: 'remind-busy' });
    const scoreBefore = await dueScore(token.id);

    expect(await deliverReminder(deps(), token.id, 'remind-next')).toBe('wait');

    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect(slack.callsTo('conversations.history')).toEqual([]);
    expect((await stored(token.id)).reminder).toEqual({ sending: { threshold: 7, at: claimedAt, by: 'remind-busy' } });
    expect(await dueScore(token.id)).toBe(scoreBefore);
    expect(await reminded(token.id)).toEqual([]);
  });

  it('on a 429 from chat.postMessage: rate_limited, claim released, looked at again after Retry-After', async () => {
    const token = await dueToken();
    slack.failNext('chat.postMessage', { retryAfter: 42 });

    expect(await deliverReminder(deps(), token.id, 'remind-rl')).toBe('rate_limited');

    expect(posts().map((c) => c.status)).toEqual([429]);
    expect((await stored(token.id)).reminder).toEqual({});
    expect(await dueScore(token.id)).toBe(T0 + 42_000);
    expect(await reminded(token.id)).toEqual([]);
    expect(await counterValue(failed)).toBe(0);

    // When the time comes, the same token is delivered normally, with no Slack search first.
    f.clock.set(T0 + 42_000);
    expect(await deliverReminder(deps(), token.id, 'remind-rl-2')).toBe('sent');
    expect(okPosts()).toHaveLength(1);
    expect(slack.callsTo('conversations.history')).toEqual([]);
  });

  it('on a 429 from users.info: rate_limited before claiming anything', async () => {
    const token = await dueToken();
    slack.failNext('users.info', { retryAfter: 7 });
    expect(await deliverReminder(deps(), token.id, 'remind-rl')).toBe('rate_limited');
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect((await stored(token.id)).reminder).toBeUndefined();
    expect(await dueScore(token.id)).toBe(T0 + 7000);
  });

  it('owner unknown to Slack (user_not_found): posts the orphan notice to the fallback channel', async () => {
    const token = await dueToken({}, { ownerKnown: false });

    expect(await deliverReminder(deps(), token.id, 'remind-orphan')).toBe('sent_fallback');

    const sentNow = okPosts();
    expect(sentNow).toHaveLength(1);
    expect(sentNow[0]!.args['channel']).toBe(FALLBACK);
    expect(sentNow[0]!.args['metadata']).toEqual(markOf('remind-orphan', T0));
    expect(String(sentNow[0]!.args['text'])).toContain(`<@${token.ownerId}>`);
    expect(String(sentNow[0]!.args['text'])).toMatch(/no longer in this workspace/);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7, orphanedAt: T0 });
    expect(await reminded(token.id)).toEqual([{ at: T0, type: 'reminded', detail: `d7; owner gone: sent to ${FALLBACK}` }]);
    expect(await dueScore(token.id)).toBe(D1_DUE);
  });

  it('owner deactivated (deleted: true): fallback channel too', async () => {
    const token = await dueToken();
    slack.setUser(token.ownerId, { deleted: true });
    expect(await deliverReminder(deps(), token.id, 'remind-deleted')).toBe('sent_fallback');
    expect(okPosts().map((c) => c.args['channel'])).toEqual([FALLBACK]);
  });

  it('owner present in users.info but unreachable by DM (chat.postMessage cannot_dm_bot): falls back', async () => {
    const token = await dueToken();
    slack.failNext('chat.postMessage', { error: 'cannot_dm_bot' });
    expect(await deliverReminder(deps(), token.id, 'remind-nodm')).toBe('sent_fallback');
    expect(posts().map((c) => [c.args['channel'], c.response['ok']])).toEqual([
      [token.ownerId, false],
      [FALLBACK, true],
    ]);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7, orphanedAt: T0 });
  });

  it('owner gone and no fallback channel: no_fallback, claim released, looked at again an hour later', async () => {
    const token = await dueToken({}, { ownerKnown: false });
    const { fallbackChannelId: _none, ...noFallback } = deps();

    expect(await deliverReminder(noFallback, token.id, 'remind-nowhere')).toBe('no_fallback');

    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect((await stored(token.id)).reminder).toEqual({});
    expect(await dueScore(token.id)).toBe(T0 + 60 * MINUTE);
    expect(await reminded(token.id)).toEqual([]);
  });

  it('on a 5xx: throws for BullMQ to retry, keeps the claim; the retry checks Slack, then sends once', async () => {
    const token = await dueToken();
    slack.failNext('chat.postMessage', { status: 503 });

    await expect(deliverReminder(deps(), token.id, 'remind-5xx')).rejects.toThrow(/503/);

    expect((await stored(token.id)).reminder).toEqual({ sending: { threshold: 7, at: T0, by: 'remind-5xx' } });
    expect(await dueScore(token.id)).toBe(T0 + LEASE_MS);
    expect(await counterValue(failed)).toBe(1);
    expect(await reminded(token.id)).toEqual([]);

    // BullMQ's retry: same job id, a little later.
    f.clock.advance(2000);
    const calls = slack.calls.length;
    expect(await deliverReminder(deps(), token.id, 'remind-5xx')).toBe('sent');
    expect(slack.callsTo('conversations.history').filter((c) => c.index >= calls)).toHaveLength(2);
    expect(okPosts()).toHaveLength(1);
    expect(okPosts()[0]!.args['metadata']).toEqual(markOf('remind-5xx', T0 + 2000));
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
    expect(await reminded(token.id)).toEqual([{ at: T0 + 2000, type: 'reminded', detail: 'd7' }]);
  });

  it('an ok:false refusal (not a gone owner): throws and releases the claim, since nothing was posted', async () => {
    const token = await dueToken();
    slack.failNext('chat.postMessage', { error: 'invalid_blocks' });
    await expect(deliverReminder(deps(), token.id, 'remind-refused')).rejects.toThrow(/invalid_blocks/);
    expect((await stored(token.id)).reminder).toEqual({});
    expect(await dueScore(token.id)).toBe(T0 + LEASE_MS);
  });

  it('inactive or missing tokens are dropped from the schedule without asking Slack', async () => {
    const token = await dueToken({ status: 'revoked' });
    expect(await deliverReminder(deps(), token.id, 'remind-x')).toBe('inactive');
    expect(await dueScore(token.id)).toBeUndefined();
    expect(await deliverReminder(deps(), createTokenId(), 'remind-y')).toBe('inactive');
    expect(slack.calls).toEqual([]);
  });

  it('the expired notice marks the token expired and unschedules it', async () => {
    const token = await dueToken({ expiresOn: '2026-06-14', createdAt: Date.parse('2026-06-01T09:00:00Z') });
    expect(await deliverReminder(deps(), token.id, 'remind-exp')).toBe('sent');
    const after = await stored(token.id);
    expect(after.status).toBe('expired');
    expect(bare(after.reminder)).toEqual({ last: -1 });
    expect(await dueScore(token.id)).toBeUndefined();
    const events = (await f.tokens.history(token.id)).map((e) => [e.type, e.detail]);
    expect(events).toEqual([
      ['recorded', undefined],
      ['expired', '2026-06-14'],
      ['reminded', 'expired; skipped d7,d1,d0'],
    ]);
  });

  it('co-owners and a team channel: a crash between two copies sends only the missing one', async () => {
    const mate = newUserId('mate');
    slack.setUser(mate, { tz: 'UTC' });
    slack.setChannel('C0TEAMU1', { name: 'team' });
    const token = await dueToken({ coOwners: [mate], teamChannelId: 'C0TEAMU1' });
    const leftAt = T0 - STALE_CLAIM_MS;
    // The dead delivery posted the owner's copy and recorded it, then posted the co-owner's and died.
    const own = await f.client.chat.postMessage({ channel: token.ownerId, text: 'owner copy', metadata: markOf('remind-dead', leftAt) });
    await f.client.chat.postMessage({ channel: mate, text: 'co-owner copy', metadata: markOf('remind-dead', leftAt) });
    await leaveClaim(token.id, {
      threshold: 7,
      at: leftAt,
      by: 'remind-dead',
      sent: [{ to: token.ownerId, ch: String(own.channel), ts: String(own.ts) }],
    });
    const calls = slack.calls.length;

    expect(await deliverReminder(deps(), token.id, 'remind-next')).toBe('sent');

    // Only the channel's copy went out; the co-owner's was found in their DM by its mark.
    expect(posts(calls).map((c) => c.args['channel'])).toEqual(['C0TEAMU1']);
    expect(okPosts().filter((c) => c.args['channel'] === mate)).toHaveLength(1);
    const after = await stored(token.id);
    expect(bare(after.reminder)).toEqual({ last: 7 });
    expect(after.reminder?.copies?.map((c) => c.to)).toEqual([token.ownerId, mate, 'C0TEAMU1']);
    expect(await reminded(token.id)).toHaveLength(1);
  });

  it('a co-owner outside their working hours waits for them; the owner is not reminded twice', async () => {
    const mate = newUserId('late');
    // 10:30 UTC is 03:30 in Los Angeles: before REMINDER_HOUR there.
    slack.setUser(mate, { tz: 'America/Los_Angeles' });
    const token = await dueToken({ coOwners: [mate] });

    expect(await deliverReminder(deps(), token.id, 'remind-a')).toBe('partial');
    expect(okPosts().map((c) => c.args['channel'])).toEqual([token.ownerId]);
    const la10 = Date.parse('2026-06-15T17:00:00Z');
    expect(await dueScore(token.id)).toBe(la10);
    expect((await stored(token.id)).reminder?.sending).toMatchObject({ threshold: 7, paused: true, sent: [{ to: token.ownerId }] });

    f.clock.set(la10 + 1000);
    const calls = slack.calls.length;
    expect(await deliverReminder(deps(), token.id, 'remind-b')).toBe('sent');
    expect(posts(calls).map((c) => c.args['channel'])).toEqual([mate]);
    expect(String(posts(calls)[0]!.args['text'])).toMatch(/you co-own/);
    expect(bare((await stored(token.id)).reminder)).toEqual({ last: 7 });
    expect(await reminded(token.id)).toHaveLength(1);
    expect(await dueScore(token.id)).toBe(D1_DUE);
  });

  it('digest: a delivery that died after posting the DM, before recording it: the next line finds the DM by its mark', async () => {
    const digests = new DigestStore(f.redis, f.keys);
    const first = await dueToken();
    const second = await dueToken({ ownerId: first.ownerId });
    const slot = '2026-06-15T10';
    // The dead delivery of the first token: its line listed, its DM posted with its mark, then it died.
    const dead = `remind-dead@${T0 - 1000}`;
    await digests.addLine(first.ownerId, slot, { t: first.id, th: 7 }, { poster: dead, at: T0 - 1000, tz: 'UTC' });
    await f.client.chat.postMessage({
      channel: first.ownerId,
      text: 'the first line',
      metadata: { event_type: 'btb_reminder', event_payload: { claim: dead } },
    });
    const calls = slack.calls.length;

    expect(await deliverReminder(deps({ digests }), second.id, 'remind-second')).toBe('sent');

    // No second DM: the second token's line was added to the one in Slack, which now lists both.
    expect(posts(calls)).toEqual([]);
    const digest = await digests.get(first.ownerId, slot);
    expect(digest?.lines.map((l) => l.t)).toEqual([first.id, second.id]);
    const update = slack.callsTo('chat.update').filter((c) => c.index >= calls);
    expect(update).toHaveLength(1);
    expect(update[0]!.args['ts']).toBe(digest?.ts);
    expect(JSON.stringify(update[0]!.args['blocks'])).toContain(second.id);
    expect((await stored(second.id)).reminder?.copies).toEqual([{ to: first.ownerId, ch: digest?.ch, ts: digest?.ts, d: slot }]);
    expect(f.logs.withMsg('reminder was already in Slack; recorded it without sending again')).toHaveLength(1);

    // The first token's own retry then records its line without posting or listing it twice.
    f.clock.set(T0 + STALE_CLAIM_MS);
    expect(await deliverReminder(deps({ digests }), first.id, 'remind-dead')).toBe('sent');
    expect(posts(calls)).toEqual([]);
    expect((await digests.get(first.ownerId, slot))?.lines).toHaveLength(2);
    expect(await reminded(first.id)).toHaveLength(1);
  });

  it('digest: a delivery that died in the hour before is finished in that hour’s digest, not listed again in the new one', async () => {
    const digests = new DigestStore(f.redis, f.keys);
    const token = await dueToken();
    // It died at 10:58 after listing the line and posting the digest DM, before recording either.
    const leftAt = Date.parse('2026-06-15T10:58:00Z');
    const dead = `remind-dead@${leftAt}`;
    await leaveClaim(token.id, { threshold: 7, at: leftAt, by: 'remind-dead' });
    await digests.addLine(token.ownerId, '2026-06-15T10', { t: token.id, th: 7 }, { poster: dead, at: leftAt, tz: 'UTC' });
    await f.client.chat.postMessage({ channel: token.ownerId, text: 'the digest', metadata: markOf('remind-dead', leftAt) });
    f.clock.set(Date.parse('2026-06-15T11:04:00Z'));
    const calls = slack.calls.length;

    expect(await deliverReminder(deps({ digests }), token.id, 'remind-next')).toBe('sent');

    expect(posts(calls)).toEqual([]);
    expect(await digests.get(token.ownerId, '2026-06-15T11')).toBeUndefined();
    const digest = await digests.get(token.ownerId, '2026-06-15T10');
    expect(digest?.ts).toBeDefined();
    expect((await stored(token.id)).reminder?.copies).toEqual([{ to: token.ownerId, ch: digest?.ch, ts: digest?.ts, d: '2026-06-15T10' }]);
    expect(await reminded(token.id)).toHaveLength(1);
  });

  it('digest full: a DM of its own that a dead delivery posted is found by its own mark, not sent again', async () => {
    const digests = new DigestStore(f.redis, f.keys);
    const token = await dueToken();
    const slot = '2026-06-15T10';
    // The owner's digest of this hour already lists DIGEST_MAX_LINES other tokens.
    for (let i = 0; i < DIGEST_MAX_LINES; i++) {
      await digests.addLine(token.ownerId, slot, { t: createTokenId(), th: 7 }, { poster: `remind-other@${T0}`, at: T0, tz: 'UTC' });
    }
    expect(await digests.addLine(token.ownerId, slot, { t: token.id, th: 7 }, { poster: 'probe', at: T0, tz: 'UTC' })).toBeUndefined();
    // A delivery posted this token's reminder as a DM of its own, then died before recording it.
    const leftAt = T0 - STALE_CLAIM_MS - 1000;
    await leaveClaim(token.id, { threshold: 7, at: leftAt, by: 'remind-dead' });
    const own = { event_type: 'btb_reminder', event_payload: { claim: `remind-dead@${leftAt}`, own: '1' } };
    await f.client.chat.postMessage({ channel: token.ownerId, text: 'earlier reminder', metadata: own });
    const calls = slack.calls.length;

    expect(await deliverReminder(deps({ digests }), token.id, 'remind-next')).toBe('already_sent');
    expect(posts(calls)).toEqual([]);
    expect(await reminded(token.id)).toHaveLength(1);
  });

  it('digest full: the reminder goes as a DM of its own, marked apart from the digest DM', async () => {
    const digests = new DigestStore(f.redis, f.keys);
    const token = await dueToken();
    for (let i = 0; i < DIGEST_MAX_LINES; i++) {
      await digests.addLine(
        token.ownerId,
        '2026-06-15T10',
        { t: createTokenId(), th: 7 },
        { poster: `remind-other@${T0}`, at: T0, tz: 'UTC' },
      );
    }
    const calls = slack.calls.length;
    expect(await deliverReminder(deps({ digests }), token.id, 'remind-own')).toBe('sent');
    const [dm, ...more] = posts(calls);
    expect(more).toEqual([]);
    expect(dm!.args['metadata']).toEqual({ event_type: 'btb_reminder', event_payload: { claim: `remind-own@${T0}`, own: '1' } });
  });

  it('createReminderProcessors passes the job id as the claim owner', async () => {
    const token = await dueToken();
    const job = await f.jobs.enqueue(JOB.reminderDeliver, { tokenId: token.id }, { jobId: reminderJobId(token.id, RECORDED_AT) });
    const fetched = (await f.jobs.queue.getJob(job.id!))!;
    expect(await createReminderProcessors(deps())[JOB.reminderDeliver]!(fetched)).toBe('sent');
    expect(okPosts()[0]!.args['metadata']).toEqual(markOf(`remind-${token.id}-${RECORDED_AT}`, T0));
  });
});

describe('sweepDueReminders', () => {
  const pendingDeliveries = async () =>
    (await f.jobs.queue.getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => ({
      id: j.id,
      name: j.name,
      data: j.data,
      attempts: j.opts.attempts,
    }));

  it('claims only the due entries, adds one delivery each (id remind-<token>-<score>), and never twice', async () => {
    const early = await dueToken({ createdAt: T0 - 86_400_000 });
    const exact = await dueToken({ createdAt: T0 });
    const later = await dueToken({ createdAt: T0 + 1 });

    expect(await sweepDueReminders(deps(), T0)).toEqual({ claimed: 2 });

    const added = await pendingDeliveries();
    expect(added.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
      [
        { id: `remind-${early.id}-${T0 - 86_400_000}`, name: JOB.reminderDeliver, data: { tokenId: early.id }, attempts: 5 },
        { id: `remind-${exact.id}-${T0}`, name: JOB.reminderDeliver, data: { tokenId: exact.id }, attempts: 5 },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    // Claimed entries are leased; the one not due is untouched.
    expect(await dueScore(early.id)).toBe(T0 + LEASE_MS);
    expect(await dueScore(exact.id)).toBe(T0 + LEASE_MS);
    expect(await dueScore(later.id)).toBe(T0 + 1);
    expect(slack.calls).toEqual([]);

    // The same sweep again: nothing is due any more.
    expect(await sweepDueReminders(deps(), T0)).toEqual({ claimed: 0 });
    expect(await pendingDeliveries()).toHaveLength(2);

    // A sweep retried after a crash that lost its claims claims the same entries again: same job ids, no new jobs.
    await f.redis.zadd(f.keys.remindersDue, T0 - 86_400_000, early.id, T0, exact.id);
    expect(await sweepDueReminders(deps(), T0)).toEqual({ claimed: 2 });
    expect(await pendingDeliveries()).toHaveLength(2);

    // When the lease runs out with the job never run, the entry is claimed again under a new id.
    expect(await sweepDueReminders(deps(), T0 + LEASE_MS)).toEqual({ claimed: 3 });
    const ids = (await pendingDeliveries()).map((j) => j.id);
    expect(ids).toHaveLength(5);
    expect(ids).toContain(reminderJobId(early.id, T0 + LEASE_MS));
    expect(ids).toContain(reminderJobId(later.id, T0 + 1));
  });

  it('leases nothing whose delivery job was not added (a failover keeps a prefix of its writes)', async () => {
    const token = await dueToken({ createdAt: T0 });
    // A queue whose connection is gone: adding the deliveries fails, as it does when the primary dies mid-sweep.
    const gone = createJobQueue({ redisUrl: inject('redisUrl'), keyPrefix: f.prefix, logger: f.logger });
    await gone.close();
    await expect(sweepDueReminders(deps({ jobs: gone }), T0)).rejects.toThrow();
    // Still due, not leased for LEASE_MS: the next sweep queues it at once.
    expect(await dueScore(token.id)).toBe(T0);
    expect(await sweepDueReminders(deps(), T0 + 1000)).toEqual({ claimed: 1 });
    expect((await pendingDeliveries()).map((j) => j.id)).toEqual([reminderJobId(token.id, T0)]);
    expect(await dueScore(token.id)).toBe(T0 + 1000 + LEASE_MS);
  });

  it('leaves an entry its delivery rescheduled between the read and the lease', async () => {
    const token = await dueToken({ createdAt: T0 });
    const entries = await f.tokens.dueReminders(T0, 10);
    expect(entries).toEqual([{ id: token.id, score: T0 }]);
    await f.redis.zadd(f.keys.remindersDue, T0 + 60 * MINUTE, token.id);
    expect(await f.tokens.leaseReminders(entries, T0 + LEASE_MS)).toBe(0);
    expect(await dueScore(token.id)).toBe(T0 + 60 * MINUTE);
  });

  it('the sweep processor uses the clock', async () => {
    const token = await dueToken({ createdAt: T0 });
    f.clock.set(T0 - 1);
    expect(await createReminderProcessors(deps())[JOB.reminderSweep]!({} as never)).toEqual({ claimed: 0 });
    f.clock.set(T0);
    expect(await createReminderProcessors(deps())[JOB.reminderSweep]!({} as never)).toEqual({ claimed: 1 });
    expect(await f.jobs.queue.getJob(reminderJobId(token.id, T0))).toBeDefined();
  });
});
