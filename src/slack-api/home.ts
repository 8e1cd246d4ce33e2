import type { WebClient } from '@slack/web-api';
import { buildHomeView, type OrgSyncSummary } from '../blocks/home.js';
import { todayIn } from '../domain/dates.js';
import {
  isLiveToken,
  listLiveOwners,
  rankTokens,
  selectOpenRequests,
  summariseOrganisation,
  type OrgSummary,
} from '../domain/inventory.js';
import type { TokenRequest } from '../domain/types.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RequestStore } from '../store/requests.js';
import type { TokenStore } from '../store/tokens.js';
import type { CalendarFeedStore } from '../store/calendar-feeds.js';
import type { HomeVisits } from '../store/home-visits.js';
import { calendarFeedUrl, listTeamChannels } from '../domain/calendar.js';
import type { HomeCalendar } from '../blocks/home.js';
import type { ApproverDirectory } from './approvers.js';
import type { UserDirectory } from './users.js';

/** Team channel calendar feeds shown on one Home (the channels of the viewer's newest tokens first). */
export const HOME_CHANNEL_FEEDS_MAX = 3;
/** A user's own inventory is read up to this many tokens (Home and list show the most urgent). */
export const USER_TOKENS_MAX = 1000;
/** The admin view reads at most this many of the newest tokens: bounded work per publish. */
export const ORG_SCAN_MAX = 5000;
/** Owners looked up per publish for "owner gone" (users.info is cached for an hour). */
export const OWNER_CHECK_MAX = 50;
/** users.info look-ups in flight at once for "owner gone". */
const OWNER_CHECK_PARALLEL = 5;

export interface HomeDeps {
  /** Publishes with views.publish (after an ack, or from a background refresh). */
  client: WebClient;
  requests: Pick<RequestStore, 'listByUser' | 'listPendingApprovals'>;
  tokens: Pick<TokenStore, 'listByUser' | 'listRecent'>;
  users: Pick<UserDirectory, 'lookup' | 'timeZoneOf'>;
  approvers: Pick<ApproverDirectory, 'isApprover'>;
  /** ADMIN_USER_IDS: who sees the organisation view. */
  adminUserIds: readonly string[];
  logger: Logger;
  clock: Clock;
  /** The organization sync's last run, shown to admins (only when the sync is on). */
  orgSync?: { status(): Promise<OrgSyncSummary | undefined>; unusedDays: number };
  /** Calendar feeds: the viewer's feed id is created on their first Home. */
  calendar?: { feeds: Pick<CalendarFeedStore, 'ensure' | 'find'>; publicUrl: string };
  /** Who opened their Home lately ({@link HomePublisher.refreshIfSeen}); without it every refresh publishes. */
  visits?: Pick<HomeVisits, 'opened' | 'seenLately'>;
}

/**
 * The App Home: built from what is stored now and published per user. One per bot; it also
 * coalesces refreshes so a burst of changes for one user costs two publishes, not one each.
 */
export class HomePublisher {
  /** Users whose Home is being published, and whether it changed since the publish began. */
  private readonly refreshing = new Map<string, { again: boolean }>();

  constructor(private readonly deps: HomeDeps) {}

  /** Builds and publishes the user's App Home from what is stored now. */
  async publish(userId: string): Promise<void> {
    const { deps } = this;
    const now = new Date(deps.clock.now());
    const today = todayIn(await deps.users.timeZoneOf(userId), now);
    const isAdmin = deps.adminUserIds.includes(userId);
    const [tokens, requests, approvalQueue, org, orgSync] = await Promise.all([
      deps.tokens.listByUser(userId, USER_TOKENS_MAX),
      deps.requests.listByUser(userId),
      this.loadApprovalQueue(userId),
      isAdmin ? this.loadOrgSummary(today) : undefined,
      isAdmin && deps.orgSync ? this.loadOrgSync(deps.orgSync) : undefined,
    ]);
    const calendar = await this.loadCalendar(userId, tokens.some(isLiveToken), listTeamChannels(tokens));
    const view = buildHomeView({
      viewer: userId,
      tokens: rankTokens(tokens, today),
      openRequests: selectOpenRequests(requests, today),
      approvalQueue,
      ...(org ? { org } : {}),
      ...(calendar ? { calendar } : {}),
      ...(orgSync ? { orgSync } : {}),
    });
    // The view as JSON text: handed an object, @slack/web-api walks it twice more (see viewJson in modals.ts).
    await deps.client.apiCall('views.publish', { user_id: userId, view: JSON.stringify(view) });
  }

  /**
   * The user opened their Home tab: notes the visit, then publishes the Home from what is stored
   * now. Noted first, so a change that found no recent visit ({@link refreshIfSeen}) happened
   * before this publish reads the store, and is in it. A visit that cannot be noted is logged.
   */
  async open(userId: string): Promise<void> {
    await this.deps.visits?.opened(userId).catch((err) => this.deps.logger.warn({ err, userId }, 'could not note an App Home visit'));
    await this.publish(userId);
  }

  /**
   * {@link refresh} for a user who opened their Home in the last 30 days (HOME_SEEN_DAYS);
   * anyone else's Home is published when they open it (app_home_opened), so it is not built and
   * sent for nobody to see: 0.7-1.5 ms of CPU less per request on the bench machine (BENCHMARKS.md,
   * issue 16). When the visit cannot be read, the Home is refreshed.
   */
  refreshIfSeen(userId: string): void {
    const { visits } = this.deps;
    if (!visits) {
      this.refresh(userId);
      return;
    }
    void visits
      .seenLately(userId)
      .catch(() => true)
      .then((seen) => {
        if (seen) this.refresh(userId);
        else this.deps.logger.debug({ userId }, 'App Home not republished: not opened lately');
      });
  }

  /**
   * Republishes the user's Home after their data changed. Fire and forget: errors are logged.
   * While one publish runs, further changes ask for one more publish afterwards.
   */
  refresh(userId: string): void {
    const current = this.refreshing.get(userId);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: false };
    this.refreshing.set(userId, state);
    void (async () => {
      do {
        state.again = false;
        await this.publish(userId).catch((err) => this.deps.logger.warn({ err, userId }, 'could not refresh App Home'));
      } while (state.again);
      this.refreshing.delete(userId);
    })();
  }

  /**
   * The user's calendar feed address and those of the team channels of their live tokens, each
   * created on the first Home that has a token to show in it; a user without live tokens sees
   * the section only if they have a feed already. A failure leaves the section out.
   */
  private async loadCalendar(userId: string, hasTokens: boolean, channelIds: readonly string[]): Promise<HomeCalendar | undefined> {
    const { calendar, logger } = this.deps;
    if (!calendar) return undefined;
    try {
      const feedId = hasTokens ? await calendar.feeds.ensure(userId) : await calendar.feeds.find(userId);
      if (feedId === undefined) return undefined;
      const url = calendarFeedUrl(calendar.publicUrl, feedId);
      const channels = await Promise.all(
        channelIds.slice(0, HOME_CHANNEL_FEEDS_MAX).map(async (channelId) => ({
          channelId,
          url: calendarFeedUrl(calendar.publicUrl, await calendar.feeds.ensure(channelId)),
        })),
      );
      return { url, channels };
    } catch (err) {
      logger.warn({ err, userId }, 'could not read the calendar feeds for the App Home');
      return undefined;
    }
  }

  /** The last organization sync; a failed read shows "no sync yet" rather than no Home. */
  private async loadOrgSync(orgSync: NonNullable<HomeDeps['orgSync']>): Promise<{ last?: OrgSyncSummary; unusedDays: number }> {
    const last = await orgSync.status().catch((err: unknown) => {
      this.deps.logger.warn({ err }, 'could not read the organization sync status for the App Home');
      return undefined;
    });
    return { ...(last ? { last } : {}), unusedDays: orgSync.unusedDays };
  }

  /** Requests waiting for this user's decision: approvers only, never their own requests. */
  private async loadApprovalQueue(userId: string): Promise<TokenRequest[]> {
    if (!(await this.deps.approvers.isApprover(userId).catch(() => false))) return [];
    return (await this.deps.requests.listPendingApprovals()).filter((r) => r.requesterId !== userId);
  }

  private async loadOrgSummary(today: string): Promise<OrgSummary> {
    const { tokens, total } = await this.deps.tokens.listRecent(ORG_SCAN_MAX);
    const owners = listLiveOwners(rankTokens(tokens, today).map((s) => s.token));
    return summariseOrganisation(tokens, today, await this.findGoneOwners(owners), total > tokens.length);
  }

  /** Owners Slack says are deleted or unknown; a failed lookup counts as present. */
  private async findGoneOwners(ownerIds: readonly string[]): Promise<Set<string>> {
    const gone = new Set<string>();
    const queue = ownerIds.slice(0, OWNER_CHECK_MAX);
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const user = await this.deps.users.lookup(id).catch(() => ({ deleted: false }));
        if (!user || user.deleted) gone.add(id);
      }
    };
    await Promise.all(Array.from({ length: OWNER_CHECK_PARALLEL }, worker));
    return gone;
  }
}
