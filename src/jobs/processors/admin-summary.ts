import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Job } from 'bullmq';
import { adminSummaryDueWeek, summariseForAdmin } from '../../domain/admin-summary.js';
import { todayIn } from '../../domain/dates.js';
import { listLiveOwners, rankTokens } from '../../domain/inventory.js';
import type { ReminderSettings } from '../../domain/reminders.js';
import { buildAdminSummaryMessage, type HomeLink } from '../../blocks/admin-summary.js';
import type { AdminSummaryStore } from '../../store/admin-summaries.js';
import type { TokenStore } from '../../store/tokens.js';
import type { UserDirectory } from '../../slack-api/users.js';
import { hasMarkedMessage, type MessageMark } from '../../slack-api/message-marks.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { JOB } from '../queue.js';
import type { JobProcessor } from '../worker.js';

/** The summary reads at most this many of the newest tokens (as the admin Home does). */
export const SUMMARY_SCAN_MAX = 5000;
/** Owners looked up for "owner gone" per summary (users.info, cached for an hour). */
const OWNER_CHECK_MAX = 200;
const OWNER_CHECK_PARALLEL = 5;
/** A claim older than this belongs to an attempt that died mid-send. */
const STALE_CLAIM_MS = 5 * 60_000;

export interface AdminSummaryDeps {
  summaries: AdminSummaryStore;
  tokens: Pick<TokenStore, 'listRecent'>;
  /** users.info through the jobs' client (rate limits surface; BullMQ retries). */
  users: Pick<UserDirectory, 'lookup'>;
  client: WebClient;
  /** ADMIN_USER_IDS: a job for someone no longer listed sends nothing. */
  adminUserIds: readonly string[];
  /** Working hours and days: the same as owners' reminders (REMINDER_HOUR, _LAST_HOUR, _WORKDAYS). */
  settings: ReminderSettings;
  /** The workspace and app ids for the Home deep link; undefined leaves the link out. */
  homeLink: () => Promise<HomeLink | undefined>;
  clock: Clock;
  logger: Logger;
}

/** The mark in the summary's message metadata: one per (admin, week), whichever attempt sent it. */
const markOf = (adminId: string, week: string): MessageMark => ({
  event_type: 'btb_admin_summary',
  event_payload: { summary: `${adminId}@${week}` },
});

export function createAdminSummaryProcessors(deps: AdminSummaryDeps): Record<string, JobProcessor> {
  return {
    // Every run claims under an id of its own: the job id is the same for all of an admin's checks.
    [JOB.adminSummary]: (job: Job) => deliverAdminSummary(deps, String(job.data['adminId']), `${job.id}-${randomUUID()}`),
  };
}

/**
 * Sends an admin's weekly summary if it is due and not yet sent, exactly once per (admin, ISO
 * week) across replicas, retries and restarts: the send is claimed by compare-and-set of the
 * (admin, week) key, the message carries a mark, and an unconfirmed claim (a crash or timeout
 * after Slack may have taken the message) is settled by looking for the mark in the admin's
 * DM before anything is sent again.
 */
export async function deliverAdminSummary(deps: AdminSummaryDeps, adminId: string, attemptId: string): Promise<string> {
  const { summaries, logger } = deps;
  if (!deps.adminUserIds.includes(adminId)) return 'not_admin';
  const now = deps.clock.now();
  const admin = await deps.users.lookup(adminId);
  if (!admin || admin.deleted) return 'admin_gone';
  const week = adminSummaryDueWeek(now, admin.tz, deps.settings);
  if (!week) return 'not_due';

  const current = await summaries.get(adminId, week);
  if (current?.claim.state === 'sent') return 'already_sent';
  if (current) {
    const { claim } = current;
    // A fresh claim may still be sending (another replica, or a run a crash left behind that
    // BullMQ has handed on): leave it; once stale, the next check settles it.
    if (now - claim.at < STALE_CLAIM_MS) return 'claimed_elsewhere';
    // An attempt that did not confirm: its message may be in Slack already.
    if (await hasMarkedMessage(deps.client, adminId, markOf(adminId, week), claim.at)) {
      await summaries.swap(adminId, week, current.raw, { state: 'sent', by: claim.by, at: now });
      logger.info({ adminId, week }, 'weekly admin summary was already in Slack; recorded it without sending again');
      return 'already_sent';
    }
  }
  const claimed = await summaries.swap(adminId, week, current?.raw ?? null, { state: 'sending', by: attemptId, at: now });
  if (claimed === undefined) return 'claimed_elsewhere';

  const today = todayIn(admin.tz, new Date(now));
  const { tokens, total } = await deps.tokens.listRecent(SUMMARY_SCAN_MAX);
  const gone = await findGoneOwners(deps, listLiveOwners(rankTokens(tokens, today).map((s) => s.token)));
  const summary = summariseForAdmin(tokens, today, gone, week, total > tokens.length);
  const home = await deps.homeLink().catch((err: unknown) => {
    logger.warn({ err }, 'could not learn the App Home link; the summary goes without it');
    return undefined;
  });
  const message = buildAdminSummaryMessage(summary, home);
  await deps.client.chat.postMessage({
    channel: adminId,
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    metadata: markOf(adminId, week),
  });
  await summaries.swap(adminId, week, claimed, { state: 'sent', by: attemptId, at: now });
  logger.info(
    { adminId, week, expiring: summary.org.expiringSoon.length, ownerGone: summary.org.ownerGone.length },
    'weekly admin summary sent',
  );
  return 'sent';
}

/** Owners Slack says are deleted or unknown; a failed look-up counts as present. */
async function findGoneOwners(deps: Pick<AdminSummaryDeps, 'users'>, ownerIds: readonly string[]): Promise<Set<string>> {
  const gone = new Set<string>();
  const queue = ownerIds.slice(0, OWNER_CHECK_MAX);
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const user = await deps.users.lookup(id).catch(() => ({ deleted: false }));
      if (!user || user.deleted) gone.add(id);
    }
  };
  await Promise.all(Array.from({ length: OWNER_CHECK_PARALLEL }, worker));
  return gone;
}
