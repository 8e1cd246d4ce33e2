import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { ApproverNames } from '../blocks/approval.js';
import type { Clock } from '../clock.js';

/** Members of the approver user group are re-read after this long (usergroups.users.list is Tier 2). */
const GROUP_TTL_MS = 5 * 60 * 1000;

/** The approver group could not be read; nobody may decide until it can. */
export class ApproverLookupError extends Error {
  readonly code = 'approver_lookup_failed';
}

/**
 * Who may decide on flagged requests: APPROVER_USER_IDS plus the members of
 * APPROVER_USERGROUP_ID, the latter cached briefly. A failed lookup is not cached.
 */
export class ApproverDirectory {
  private group: { members: Set<string>; at: number } | undefined;

  constructor(
    /** The quick client (clients.ts): a decision modal's submission asks before its ack. */
    private readonly client: WebClient,
    private readonly config: Config['approvals'],
    private readonly clock: Clock,
  ) {}

  get names(): ApproverNames {
    return { userIds: this.config.approverUserIds, usergroupId: this.config.approverUsergroupId };
  }

  /** True when someone could ever decide: a channel and at least one approver source. */
  get configured(): boolean {
    return Boolean(this.config.channelId) && (this.config.approverUserIds.length > 0 || Boolean(this.config.approverUsergroupId));
  }

  /** Throws ApproverLookupError when the group is needed and cannot be read. */
  async isApprover(userId: string): Promise<boolean> {
    if (this.config.approverUserIds.includes(userId)) return true;
    const groupId = this.config.approverUsergroupId;
    if (!groupId) return false;
    if (!this.group || this.clock.now() - this.group.at > GROUP_TTL_MS) {
      try {
        const res = await this.client.usergroups.users.list({ usergroup: groupId });
        this.group = { members: new Set(res.users ?? []), at: this.clock.now() };
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error ?? (err as Error).message;
        throw new ApproverLookupError(`could not read approver group ${groupId}: ${code}`);
      }
    }
    return this.group.members.has(userId);
  }
}
