import type { WebClient } from '@slack/web-api';
import { buildHomeView } from '../blocks/home.js';
import { todayIn } from '../domain/dates.js';
import { listLiveOwners, rankTokens, selectOpenRequests, summariseOrganisation, type OrgSummary } from '../domain/inventory.js';
import type { Deps } from '../slack/kit/services.js';

/** A user's own inventory is read up to this many tokens (Home and list show the most urgent). */
export const USER_TOKENS_MAX = 1000;
/** The admin view reads at most this many of the newest tokens: bounded work per publish. */
export const ORG_SCAN_MAX = 5000;
/** Owners looked up per publish for "owner gone" (users.info is cached for an hour). */
export const OWNER_CHECK_MAX = 50;

/** Owners Slack says are deleted or unknown; a failed lookup counts as present. */
async function findGoneOwners(deps: Deps, ownerIds: readonly string[]): Promise<Set<string>> {
  const gone = new Set<string>();
  const queue = ownerIds.slice(0, OWNER_CHECK_MAX);
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const user = await deps.users.lookup(id).catch(() => ({ deleted: false }));
      if (!user || user.deleted) gone.add(id);
    }
  };
  await Promise.all(Array.from({ length: 5 }, worker));
  return gone;
}

async function loadOrgSummary(deps: Deps, today: string): Promise<OrgSummary> {
  const { tokens, total } = await deps.tokens.listRecent(ORG_SCAN_MAX);
  const owners = listLiveOwners(rankTokens(tokens, today).map((s) => s.token));
  return summariseOrganisation(tokens, today, await findGoneOwners(deps, owners), total > tokens.length);
}

/** Builds and publishes the user's App Home from what is stored now. */
export async function publishHome(client: WebClient, deps: Deps, userId: string): Promise<void> {
  const now = new Date();
  const today = todayIn(await deps.users.timeZoneOf(userId), now);
  const isAdmin = deps.config.adminUserIds.includes(userId);
  const [tokens, requests, approvalQueue, org] = await Promise.all([
    deps.tokens.listByUser(userId, USER_TOKENS_MAX),
    deps.requests.listByUser(userId),
    deps.loadApprovalQueue?.(userId),
    isAdmin ? loadOrgSummary(deps, today) : undefined,
  ]);
  const view = buildHomeView({
    tokens: rankTokens(tokens, today),
    openRequests: selectOpenRequests(requests, today),
    ...(approvalQueue ? { approvalQueue } : {}),
    ...(org ? { org } : {}),
  });
  await client.views.publish({ user_id: userId, view: view as never });
}

/** Per bot (its Deps): users whose Home is being published, and whether it changed since. */
const refreshing = new WeakMap<Deps, Map<string, { again: boolean }>>();

/**
 * Republishes the user's Home after their data changed. Fire and forget: errors are logged.
 * Refreshes coalesce: while one is publishing, further changes ask for one more publish
 * afterwards, so a burst of changes costs two publishes, not one per change.
 */
export function refreshHome(client: WebClient, deps: Deps, userId: string): void {
  let running = refreshing.get(deps);
  if (!running) refreshing.set(deps, (running = new Map()));
  const current = running.get(userId);
  if (current) {
    current.again = true;
    return;
  }
  const state = { again: false };
  running.set(userId, state);
  void (async () => {
    do {
      state.again = false;
      await publishHome(client, deps, userId).catch((err) => deps.logger.warn({ err, userId }, 'could not refresh App Home'));
    } while (state.again);
    running.delete(userId);
  })();
}
