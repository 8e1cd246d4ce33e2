/**
 * Every Redis key the bot writes, in one place. All keys start with the configured
 * prefix (REDIS_KEY_PREFIX, default `btb`) so several bots or test runs can share a Redis.
 * Documented for operators in README.md ("Redis keys").
 */
export interface Keys {
  /** JSON TokenRequest. */
  request(id: string): string;
  /** JSON TokenRecord (metadata only, never the secret), compact (token-shape.ts), with its first history entry. */
  token(id: string): string;
  /** Sorted set of a user's request ids, scored by creation time. */
  userRequests(userId: string): string;
  /** Sorted set of the ids of the tokens a user owns or co-owns, scored by creation time (Home, list, calendar feed). */
  userTokens(userId: string): string;
  /** String with a TTL: the user opened their App Home lately (their Home is republished after their requests). */
  homeSeen(userId: string): string;
  /** Sorted set of the ids of tokens whose team channel this is, scored by creation time (channel calendar feed). */
  channelTokens(channelId: string): string;
  /** Sorted set of all token ids, scored by creation time (inventory, export). */
  allTokens: string;
  /** JSON lines of TokenEvent: what happened to a token after its first entry (kept in its record), oldest first. */
  tokenHistory(id: string): string;
  /** Sorted set of token ids whose reminders are pending, scored by when to look at them next (epoch ms). */
  remindersDue: string;
  /** String with a TTL: set once a Slack message has been handled (dedupes event redelivery). */
  seenMessage(channelId: string, ts: string): string;
  /**
   * JSON ReminderDigest with a TTL: the one DM a person gets for the reminders due in one local
   * hour (`slot`, YYYY-MM-DDTHH in their timezone): where it is and its lines.
   */
  reminderDigest(userId: string, slot: string): string;
  /** Sorted set of request ids waiting for an approver, scored by creation time. */
  pendingApprovals: string;
  /**
   * String: the owner (user or channel id) of the calendar feed whose id hashes (SHA-256, hex)
   * to `idHash`. The feed id itself is never stored.
   */
  calendarFeed(idHash: string): string;
  /** String: the random nonce the owner's current calendar feed id is derived from (HMAC). */
  calendarOwner(ownerId: string): string;
  /** Hash: Atlassian API token id → the token id it is recorded as (organization sync). */
  orgSyncLinks: string;
  /** String with a TTL: the job id of the organization sync running now (one run at a time). */
  orgSyncLock: string;
  /** JSON OrgSyncStatus: the last organization sync (counts, warning). */
  orgSyncStatus: string;
  /** JSON AdminSummaryClaim with a TTL: the weekly summary to `adminId` for ISO `week` (being) sent. */
  adminSummary(adminId: string, week: string): string;
  /** Set of token ids that owe an organization sync notice (token.notices), until each is sent. */
  orgSyncNotices: string;
}

export function createKeys(prefix: string): Keys {
  return {
    request: (id) => `${prefix}:request:${id}`,
    token: (id) => `${prefix}:token:${id}`,
    userRequests: (userId) => `${prefix}:user:${userId}:requests`,
    userTokens: (userId) => `${prefix}:user:${userId}:tokens`,
    homeSeen: (userId) => `${prefix}:user:${userId}:home-seen`,
    channelTokens: (channelId) => `${prefix}:channel:${channelId}:tokens`,
    allTokens: `${prefix}:tokens`,
    tokenHistory: (id) => `${prefix}:token:${id}:history`,
    remindersDue: `${prefix}:reminders:due`,
    seenMessage: (channelId, ts) => `${prefix}:seen:${channelId}:${ts}`,
    pendingApprovals: `${prefix}:requests:pending`,
    reminderDigest: (userId, slot) => `${prefix}:digest:${userId}:${slot}`,
    calendarFeed: (idHash) => `${prefix}:calendar:feed:${idHash}`,
    calendarOwner: (ownerId) => `${prefix}:calendar:owner:${ownerId}`,
    orgSyncLinks: `${prefix}:orgsync:links`,
    orgSyncLock: `${prefix}:orgsync:lock`,
    orgSyncStatus: `${prefix}:orgsync:status`,
    adminSummary: (adminId, week) => `${prefix}:admin-summary:${adminId}:${week}`,
    orgSyncNotices: `${prefix}:orgsync:notices`,
  };
}
