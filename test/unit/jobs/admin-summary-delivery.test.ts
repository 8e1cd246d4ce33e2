import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverAdminSummary, type AdminSummaryDeps } from '../../../src/jobs/processors/admin-summary.js';
import { AdminSummaryStore } from '../../../src/store/admin-summaries.js';
import { UserDirectory } from '../../../src/slack-api/users.js';
import { isoWeek } from '../../../src/domain/admin-summary.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';
import { createProcessorFixture, newUserId, type ProcessorFixture } from '../../support/processor-fixtures.js';

/*
 * deliverAdminSummary called as a plain function at a fixed instant, against real Redis and the
 * fake Slack: the (admin, week) claim under concurrency, and after a crash on either side of
 * Slack taking the message. The instant, Monday 15 June 2026 10:30 UTC, lies before the real
 * time on purpose: the fake stamps messages with the real time, and the look-up of an
 * unfinished claim asks for messages since the claim's (clock) time.
 */
const T0 = Date.parse('2026-06-15T10:30:00Z');
const WEEK = isoWeek('2026-06-15');
const SETTINGS = { days: [30, 14, 7, 1, 0], hour: 10, lastHour: 18, workdays: [1, 2, 3, 4, 5] };
const MINUTE = 60_000;

let slack: FakeSlack;
let f: ProcessorFixture;
let admin: string;
let summaries: AdminSummaryStore;

beforeEach(async () => {
  slack = await startFakeSlack({ strictUsers: true });
  f = await createProcessorFixture('admin-summary-delivery', slack, T0);
  admin = newUserId('adm');
  slack.setUser(admin, { tz: 'UTC' });
  summaries = new AdminSummaryStore(f.redis, f.keys);
});
afterEach(async () => {
  await f.close();
  await slack.stop();
});

function deps(): AdminSummaryDeps {
  return {
    summaries,
    tokens: f.tokens,
    users: new UserDirectory(f.client, f.logger, f.clock),
    client: f.client,
    adminUserIds: [admin],
    settings: SETTINGS,
    homeLink: async () => undefined,
    clock: f.clock,
    logger: f.logger,
  };
}

const summaryPosts = () =>
  slack
    .callsTo('chat.postMessage')
    .filter(
      (c) => c.args['channel'] === admin && (c.args['metadata'] as { event_type?: string } | undefined)?.event_type === 'btb_admin_summary',
    );

describe('deliverAdminSummary', () => {
  it('sends once when two attempts race for the same admin and week', async () => {
    const results = await Promise.all([deliverAdminSummary(deps(), admin, 'attempt-a'), deliverAdminSummary(deps(), admin, 'attempt-b')]);
    expect(results.filter((r) => r === 'sent')).toHaveLength(1);
    expect(summaryPosts()).toHaveLength(1);
    expect((await summaries.get(admin, WEEK))?.claim.state).toBe('sent');
    expect(await deliverAdminSummary(deps(), admin, 'attempt-c')).toBe('already_sent');
    expect(summaryPosts()).toHaveLength(1);
  });

  it('leaves a fresh unconfirmed claim alone (another attempt may be sending)', async () => {
    await summaries.swap(admin, WEEK, null, { state: 'sending', by: 'elsewhere', at: T0 - MINUTE });
    expect(await deliverAdminSummary(deps(), admin, 'attempt-a')).toBe('claimed_elsewhere');
    expect(summaryPosts()).toHaveLength(0);
  });

  it('after a crash once Slack had the message: finds it by its mark and sends nothing', async () => {
    await summaries.swap(admin, WEEK, null, { state: 'sending', by: 'crashed', at: T0 - 10 * MINUTE });
    await f.client.chat.postMessage({
      channel: admin,
      text: 'summary sent by the attempt that crashed',
      metadata: { event_type: 'btb_admin_summary', event_payload: { summary: `${admin}@${WEEK}` } },
    });
    expect(await deliverAdminSummary(deps(), admin, 'attempt-a')).toBe('already_sent');
    expect(summaryPosts()).toHaveLength(1);
    expect((await summaries.get(admin, WEEK))?.claim.state).toBe('sent');
  });

  it('after a crash before Slack had it: sends it once', async () => {
    await summaries.swap(admin, WEEK, null, { state: 'sending', by: 'crashed', at: T0 - 10 * MINUTE });
    expect(await deliverAdminSummary(deps(), admin, 'attempt-a')).toBe('sent');
    expect(summaryPosts()).toHaveLength(1);
  });

  it('sends nothing to someone no longer in ADMIN_USER_IDS, nor before Monday 10:00', async () => {
    expect(await deliverAdminSummary({ ...deps(), adminUserIds: [] }, admin, 'attempt-a')).toBe('not_admin');
    f.clock.set(Date.parse('2026-06-15T09:59:00Z'));
    expect(await deliverAdminSummary(deps(), admin, 'attempt-b')).toBe('not_due');
    expect(summaryPosts()).toHaveLength(0);
  });
});
