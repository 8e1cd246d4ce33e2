import type { Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import { AtlassianApiError, listApiTokens, type ListOptions } from '../../atlassian/api-tokens.js';
import {
  buildDiscoveredToken,
  emptySyncCounts,
  findRecordedMatch,
  isUnused,
  planSeenToken,
  planOwnerFound,
  planVanishedToken,
  type ListedToken,
  type SyncCounts,
  type TokenSyncChange,
  UNKNOWN_OWNER_ID,
} from '../../domain/org-sync.js';
import { tokenIdForImport } from '../../domain/record-ids.js';
import type { OwedNotice, TokenRecord } from '../../domain/types.js';
import { buildSyncNotice } from '../../blocks/org-sync.js';
import { hasMarkedMessage, type MessageMark } from '../../slack-api/message-marks.js';
import type { TokenStore } from '../../store/tokens.js';
import type { OrgSyncStatus, OrgSyncStore, OrgSyncWarning } from '../../store/org-sync.js';
import type { EmailDirectory } from '../../slack-api/users.js';
import type { IndexOp } from '../../store/commit.js';
import type { OrgSyncConfig } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { JOB, enqueueOrgNotices, type JobQueue } from '../queue.js';
import type { JobProcessor } from '../worker.js';
import { classifySlackError } from './reminders.js';

/**
 * The Atlassian organization sync (issue 13). One run pages through the organization's API
 * tokens (src/atlassian/api-tokens.ts) and, token by token, in compare-and-set commits:
 * records the ones nobody recorded (source "atlassian", scopes unknown), links the ones
 * recorded by hand (owner by email, same name), corrects expiries Atlassian knows better, and,
 * only after a complete listing, marks revoked the linked tokens Atlassian no longer lists.
 * Every step is idempotent, so a run killed anywhere is simply run again; a second run over
 * the same listing changes nothing. One run at a time across replicas: a lock in Redis holding
 * the job id, renewed every page (a stalled job retried under its id takes it over).
 */

/** The lock outlives the longest wait between two pages (a 120 s rate-limit wait plus a 30 s timeout). */
const LOCK_TTL_MS = 5 * 60_000;
/** users.lookupByEmail 429s waited out per owner before the token is counted as an error. */
const MAX_SLACK_WAITS = 5;

export interface OrgSyncDeps {
  tokens: TokenStore;
  store: OrgSyncStore;
  emails: Pick<EmailDirectory, 'userIdOf'>;
  settings: OrgSyncConfig;
  /** The jobs' Web API client (no retries of its own: BullMQ retries the notice jobs). */
  client: WebClient;
  /** Where notice jobs are added. */
  jobs: JobQueue;
  /** REMINDER_FALLBACK_CHANNEL_ID, else the approvals channel: tokens with no Slack owner. */
  fallbackChannelId?: string;
  clock: Clock;
  logger: Logger;
  /** Listing overrides (tests and the bench: shorter waits). */
  listing?: Partial<Pick<ListOptions, 'sleep' | 'timeoutMs' | 'maxWaitMs'>>;
  /** Called after each finished run (the admins' App Homes are republished). */
  onFinished?: () => void;
  /** Waits between users.lookupByEmail retries (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

export type OrgSyncOutcome = 'busy' | 'complete' | 'incomplete';

/** The organization sync's processor, by job name. */
export function createOrgSyncProcessors(deps: OrgSyncDeps): Record<string, JobProcessor> {
  return {
    [JOB.orgSync]: async (job: Job, signal?: AbortSignal) => {
      const result = await runOrgSync(deps, String(job.id), signal);
      // An unreachable Atlassian is worth a retry with backoff; a bad key is not (the next run tries again).
      if (result.warning?.kind === 'unavailable' && result.outcome === 'incomplete') {
        throw new Error(`organization sync incomplete: ${result.warning.message}`);
      }
      return result.outcome;
    },
    [JOB.orgNotice]: (job: Job) => deliverOrgNotice(deps, String(job.data['tokenId']), String(job.data['noticeId'])),
  };
}

/**
 * One sync run under `runId` (the job id). Returns what it did; `busy` when another run holds
 * the lock. Never marks anything revoked unless the listing was read to its end and understood.
 */
export async function runOrgSync(
  deps: OrgSyncDeps,
  runId: string,
  signal?: AbortSignal,
): Promise<{ outcome: OrgSyncOutcome; counts: SyncCounts; warning?: OrgSyncWarning }> {
  const { store, logger, settings } = deps;
  const counts = emptySyncCounts();
  if (!(await store.acquireLock(runId, LOCK_TTL_MS))) {
    logger.info({ runId }, 'organization sync already running elsewhere; not starting another');
    return { outcome: 'busy', counts };
  }
  const startedAt = deps.clock.now();
  const previous = await store.status().catch(() => undefined);
  const seen = new Set<string>();
  let complete = true;
  let failure: AtlassianApiError | undefined;
  try {
    try {
      const pages = listApiTokens({ apiUrl: settings.apiUrl, orgId: settings.orgId, apiKey: settings.apiKey, signal, ...deps.listing });
      for await (const page of pages) {
        if (!(await store.renewLock(runId, LOCK_TTL_MS))) throw new Error('organization sync lock lost: another run took over');
        if (page.invalid > 0) {
          complete = false;
          counts.errors += page.invalid;
          logger.warn({ invalid: page.invalid }, 'organization sync: entries not in the documented shape were skipped');
        }
        for (const listed of page.tokens) {
          seen.add(listed.id);
          counts.seen += 1;
          try {
            await syncListedToken(deps, listed, counts);
          } catch (err) {
            counts.errors += 1;
            logger.warn({ err, atlassianTokenId: listed.id }, 'organization sync: could not sync a token; the next run tries again');
          }
        }
      }
    } catch (err) {
      if (!(err instanceof AtlassianApiError)) throw err;
      complete = false;
      failure = err;
    }
    if (complete) await markVanished(deps, seen, counts);
    // Notices committed by this run or an earlier one that died before adding their jobs.
    await enqueueAllOwedNotices(deps);
    const warning = failure && {
      kind: failure.kind,
      message: failure.message,
      since: previous?.warning?.kind === failure.kind ? previous.warning.since : startedAt,
    };
    reportOutcome(logger, previous, warning, counts);
    const status: OrgSyncStatus = {
      startedAt,
      finishedAt: deps.clock.now(),
      complete,
      counts,
      ...(warning ? { warning } : {}),
      runs: (previous?.runs ?? 0) + 1,
    };
    await store.saveStatus(status);
    deps.onFinished?.();
    return { outcome: complete ? 'complete' : 'incomplete', counts, ...(warning ? { warning } : {}) };
  } finally {
    await store.releaseLock(runId).catch(() => undefined);
  }
}

/** Logs a new or changed warning once (not on every run that meets it again), and the recovery. */
function reportOutcome(logger: Logger, previous: OrgSyncStatus | undefined, warning: OrgSyncWarning | undefined, counts: SyncCounts): void {
  if (warning && previous?.warning?.kind !== warning.kind) {
    logger.warn(
      { kind: warning.kind, reason: warning.message },
      'organization sync could not read the whole listing; nothing marked revoked',
    );
  } else if (warning) {
    logger.debug({ kind: warning.kind }, 'organization sync still failing (already reported)');
  } else if (previous?.warning) {
    logger.info('organization sync reads the listing again');
  }
  logger.info({ ...counts, complete: !warning && counts.errors === 0 }, 'organization sync finished');
}

/** One listed token: follow its link, else match it to a recorded token, else record it. */
async function syncListedToken(deps: OrgSyncDeps, listed: ListedToken, counts: SyncCounts): Promise<void> {
  const { tokens, store, settings, clock } = deps;
  const now = clock.now();
  if (isUnused(listed, settings.unusedDays, now)) counts.unused += 1;
  const plan = (t: TokenRecord) => planSeenToken(t, listed, settings.orgId, now, settings.unusedDays);

  const linkedId = await store.linkedTokenId(listed.id);
  if (linkedId) {
    const result = await applyChange(deps, linkedId, plan);
    if (result) {
      if (result.expiryCorrected) counts.corrected += 1;
      if (result.token.ownerId === UNKNOWN_OWNER_ID) await resolveUnknownOwner(deps, linkedId, listed, counts);
      return;
    }
    // The record is gone (deleted by an operator): forget the link and treat the token as new.
    await store.unlink(listed.id);
  }

  const ownerId = listed.user.email ? await lookupOwner(deps, listed.user.email) : null;
  if (!ownerId) counts.ownersNotFound += 1;

  if (ownerId) {
    const match = findRecordedMatch(
      listed,
      (await tokens.listByUser(ownerId)).filter((t) => t.ownerId === ownerId),
    );
    if (match) {
      const result = await applyChange(deps, match.id, (t) => (t.atlassian ? undefined : plan(t)), [store.linkOp(listed.id, match.id)]);
      if (result?.changed) {
        counts.linked += 1;
        if (result.expiryCorrected) counts.corrected += 1;
        return;
      }
      // Linked meanwhile to another Atlassian token (two listed tokens of one name): record this one apart.
    }
  }

  // Nobody recorded it (or no Slack member has its email: recorded orphaned, for the fallback channel).
  const id = tokenIdForImport(['atlassian', settings.orgId, listed.id]);
  const token = buildDiscoveredToken({
    id,
    orgId: settings.orgId,
    ownerId: ownerId ?? undefined,
    listed,
    now,
    unusedDays: settings.unusedDays,
  });
  const created = await tokens.create(token, { at: now, type: 'discovered', detail: `Atlassian token ${listed.id}` }, [
    store.linkOp(listed.id, id),
    ...(token.notices?.length ? [store.owesNoticeOp(id)] : []),
  ]);
  if (created) {
    counts.discovered += 1;
    await enqueueOrgNotices(
      deps.jobs,
      (token.notices ?? []).map((n) => ({ tokenId: id, noticeId: n.id })),
    );
    return;
  }
  // Recorded by an earlier run whose link write was lost: link it again (same commit as any change).
  const result = await applyChange(deps, id, plan, [store.linkOp(listed.id, id)], true);
  if (result?.expiryCorrected) counts.corrected += 1;
}

/** A token recorded with no Slack owner: look the email up again; a member with it becomes its owner. */
async function resolveUnknownOwner(deps: OrgSyncDeps, tokenId: string, listed: ListedToken, counts: SyncCounts): Promise<void> {
  const ownerId = listed.user.email ? await lookupOwner(deps, listed.user.email) : null;
  if (!ownerId) {
    counts.ownersNotFound += 1;
    return;
  }
  const now = deps.clock.now();
  // Its reminders now go to the owner: the next sweep looks at it in their timezone (lookAgain).
  await applyChange(deps, tokenId, (t) => planOwnerFound(t, ownerId, now));
}

/**
 * Commits `plan`'s change to token `id` with its history, schedule and notice writes, then adds
 * the jobs of the notices it owes. Returns the token and whether it changed, or undefined when
 * the record does not exist.
 */
async function applyChange(
  deps: OrgSyncDeps,
  id: string,
  plan: (t: TokenRecord) => TokenSyncChange | undefined,
  extraOps: IndexOp[] = [],
  alwaysWriteOps = false,
): Promise<{ token: TokenRecord; changed: boolean; expiryCorrected: boolean } | undefined> {
  const { tokens, store } = deps;
  let decided: TokenSyncChange | undefined;
  const result = await tokens.update(id, (current) => {
    decided = plan(current);
    if (!decided) return alwaysWriteOps ? { next: current, ops: extraOps } : undefined;
    const ops: IndexOp[] = [...extraOps];
    // New expiry: the next sweep looks at the token again; revoked: its reminders stop.
    if ((decided.expiryCorrected || decided.lookAgain) && decided.next.status === 'active')
      ops.push(tokens.scheduleOp(id, deps.clock.now()));
    if (decided.next.status === 'revoked') ops.push(tokens.scheduleOp(id, undefined));
    if (decided.owed.length > 0) ops.push(store.owesNoticeOp(id));
    return { next: decided.next, ops, event: decided.events };
  });
  if (!result) return undefined;
  const change = result.changed ? (decided as TokenSyncChange | undefined) : undefined;
  if (change && change.owed.length > 0)
    await enqueueOrgNotices(
      deps.jobs,
      change.owed.map((n) => ({ tokenId: id, noticeId: n.id })),
    );
  return { token: result.token, changed: result.changed, expiryCorrected: change?.expiryCorrected ?? false };
}

/** Adds the delivery job of every notice still owed (idempotent job ids). */
async function enqueueAllOwedNotices(deps: OrgSyncDeps): Promise<void> {
  for await (const ids of deps.store.tokensOwingNotices()) {
    const owed: Array<{ tokenId: string; noticeId: string }> = [];
    for (const tokenId of ids) {
      const token = await deps.tokens.get(tokenId);
      for (const n of token?.notices ?? []) owed.push({ tokenId, noticeId: n.id });
    }
    await enqueueOrgNotices(deps.jobs, owed);
  }
}

/** The mark a notice's message carries (one per notice: any attempt's message is found). */
const noticeMark = (tokenId: string, noticeId: string): MessageMark => ({
  event_type: 'btb_org_notice',
  event_payload: { notice: `${tokenId}-${noticeId}` },
});

/**
 * Sends one owed notice, exactly once: the notice is claimed (claimedAt) in the token record
 * before the first send; an attempt that finds it already claimed (a crash or timeout after
 * Slack may have taken the message) looks for the message's mark in Slack before sending.
 * Confirming removes the notice. Slack errors throw: BullMQ retries with backoff.
 */
export async function deliverOrgNotice(deps: OrgSyncDeps, tokenId: string, noticeId: string): Promise<string> {
  const { tokens, logger } = deps;
  const token = await tokens.get(tokenId);
  const notice = token?.notices?.find((n) => n.id === noticeId);
  if (!token || !notice) return 'done';
  let firstAttempt = false;
  let claimedAt = notice.claimedAt;
  if (claimedAt === undefined) {
    const at = deps.clock.now();
    const claim = await tokens.update(tokenId, (t) => {
      const n = t.notices?.find((x) => x.id === noticeId);
      if (!n || n.claimedAt !== undefined) return undefined;
      return { next: { ...t, notices: t.notices!.map((x) => (x.id === noticeId ? { ...x, claimedAt: at } : x)) } };
    });
    const claimed = claim?.token.notices?.find((x) => x.id === noticeId);
    if (!claimed?.claimedAt) return 'done';
    firstAttempt = claim?.changed ?? false;
    claimedAt = claimed.claimedAt;
  }
  const mark = noticeMark(tokenId, noticeId);
  const toOwner = notice.kind !== 'owner-unknown' && token.ownerId !== UNKNOWN_OWNER_ID;
  if (!firstAttempt) {
    for (const where of [...(toOwner ? [token.ownerId] : []), ...(deps.fallbackChannelId ? [deps.fallbackChannelId] : [])]) {
      if (await hasMarkedMessage(deps.client, where, mark, claimedAt)) {
        await confirmNotice(deps, tokenId, notice);
        logger.info({ tokenId, notice: notice.kind }, 'organization sync notice was already in Slack; recorded it without sending again');
        return 'already_sent';
      }
    }
  }
  const message = buildSyncNotice(token, notice, { unusedDays: deps.settings.unusedDays });
  const post = (channel: string) =>
    deps.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, metadata: mark });
  let sentTo: string | undefined;
  if (toOwner) {
    try {
      await post(token.ownerId);
      sentTo = 'owner';
    } catch (err) {
      if (classifySlackError(err).kind !== 'gone') throw err;
    }
  }
  if (!sentTo) {
    if (!deps.fallbackChannelId) {
      logger.warn(
        { tokenId, notice: notice.kind },
        'organization sync notice has nobody to go to (no REMINDER_FALLBACK_CHANNEL_ID or APPROVAL_CHANNEL_ID); dropped',
      );
      await confirmNotice(deps, tokenId, notice);
      return 'no_recipient';
    }
    await post(deps.fallbackChannelId);
    sentTo = 'fallback';
  }
  await confirmNotice(deps, tokenId, notice);
  logger.info({ tokenId, notice: notice.kind, to: sentTo }, 'organization sync notice sent');
  return 'sent';
}

/** Removes a sent notice (and the token from the index once none is left), with a history entry. */
async function confirmNotice(deps: OrgSyncDeps, tokenId: string, notice: OwedNotice): Promise<void> {
  const { tokens, store } = deps;
  const now = deps.clock.now();
  await tokens.update(tokenId, (t) => {
    if (!t.notices?.some((n) => n.id === notice.id)) return undefined;
    const notices = t.notices.filter((n) => n.id !== notice.id);
    const { notices: _n, ...rest } = t;
    return {
      next: notices.length > 0 ? { ...t, notices } : rest,
      ops: notices.length > 0 ? [] : [store.noticesDoneOp(tokenId)],
      event: { at: now, type: 'reminded', detail: `organization sync: ${notice.kind}` },
    };
  });
}

/** The owner's Slack id by email, waiting out Slack's rate limits. */
async function lookupOwner(deps: OrgSyncDeps, email: string): Promise<string | null> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.emails.userIdOf(email);
    } catch (err) {
      const failure = classifySlackError(err);
      if (failure.kind !== 'rate_limited' || attempt >= MAX_SLACK_WAITS) throw err;
      await sleep(Math.min(failure.retryAfterMs, 60_000));
    }
  }
}

/** After a complete listing: every live linked token Atlassian no longer lists is revoked. */
async function markVanished(deps: OrgSyncDeps, seen: ReadonlySet<string>, counts: SyncCounts): Promise<void> {
  const { store, settings, clock } = deps;
  for await (const batch of store.links()) {
    for (const { atlassianId, tokenId } of batch) {
      if (seen.has(atlassianId)) continue;
      const now = clock.now();
      const result = await applyChange(deps, tokenId, (t) => planVanishedToken(t, settings.orgId, now));
      if (result?.changed) counts.revoked += 1;
      if (!result) await store.unlink(atlassianId);
    }
  }
}
