/** Core records shared by domain, store, blocks and listeners. Pure types only. */
import type { ReminderState } from './reminders.js';

export type ScopeAction = 'read' | 'write' | 'admin' | 'delete';
export type RiskLevel = 'low' | 'medium' | 'high';

/** One Bitbucket Cloud API-token scope, e.g. `read:repository:bitbucket`. */
export interface ScopeDef {
  /** Exact scope name as shown in Atlassian's token screen. */
  name: string;
  action: ScopeAction;
  /** Resource part, e.g. `repository`, `ssh-key`. */
  resource: string;
  /** Option-group label, e.g. `Repositories`. */
  group: string;
  risk: RiskLevel;
  /** Short human description (<= 60 chars so it fits a 75-char option description with the risk). */
  summary: string;
  /** The read scope a write scope also needs, when one exists. */
  requiresRead?: string;
}

export interface Preset {
  id: string;
  /** Label in the select, e.g. "DeepTraQ (repository scanning)". */
  label: string;
  /** Used in the suggested token name "<integration> Bitbucket Integration". */
  integration: string;
  scopes: string[];
  /** Why these scopes, one sentence. */
  rationale: string;
}

/**
 * Request lifecycle. draft → pending_approval → approved / rejected / cancelled / expired;
 * approved → created (token recorded). Auto-approved requests go straight to approved.
 */
export type RequestStatus = 'pending_approval' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'created';

/** The validated contents of the request modal. */
export interface RequestInput {
  presetId: string;
  name: string;
  /** YYYY-MM-DD, the day the token expires. */
  expiresOn: string;
  scopes: string[];
  workspace?: string;
  purpose?: string;
  /** Where the token will be stored ("Stored in"), one short free-text place each; never the value. */
  places?: string[];
  /** Slack users who share the token with its owner: they get its reminders and may answer them. */
  coOwners?: string[];
  /** A channel that gets one post per reminder (the bot is a member). */
  teamChannelId?: string;
}

export interface TokenRequest extends RequestInput {
  id: string;
  requesterId: string;
  /** Channel the command was typed in (for the ephemeral confirmation). */
  channelId?: string;
  status: RequestStatus;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** Scopes an approver granted, when narrowed; else equal to `scopes`. */
  approvedScopes?: string[];
  decidedBy?: string;
  decidedAt?: number;
  reason?: string;
  tokenId?: string;
  /** Token this request renews, if any. */
  renewsTokenId?: string;
  /** Why policy sent it to review (empty or absent when auto-approved). */
  reviewReasons?: string[];
  /** Where the approval message was posted (set once it is). */
  approvalChannelId?: string;
  approvalTs?: string;
  /** When approvers were nudged in the thread (one nudge per request). */
  remindedAt?: number;
}

export type TokenStatus = 'active' | 'rotated' | 'revoked' | 'expired';

/** Metadata of a token someone created. Never the secret. */
export interface TokenRecord {
  id: string;
  ownerId: string;
  name: string;
  scopes: string[];
  workspace?: string;
  /** YYYY-MM-DD */
  expiresOn: string;
  createdAt: number;
  requestId?: string;
  status: TokenStatus;
  purpose?: string;
  /** Where the token is stored, e.g. "Vault secret/ci/deeptraq": the places to update when it is rotated. */
  places?: string[];
  /** Up to CO_OWNERS_MAX Slack users who share the token: reminded too, may answer; the first still in Slack takes over when the owner leaves. */
  coOwners?: string[];
  /** A channel that gets one post per reminder. */
  teamChannelId?: string;
  /** Where the token's reminders stand (absent until the first one). */
  reminder?: ReminderState;
  /** 'atlassian' when the organization sync found it and nobody recorded it (its scopes may then be unknown). */
  source?: 'atlassian';
  /** The Atlassian token this record is, once the organization sync has matched it. */
  atlassian?: AtlassianLink;
  /** Messages the organization sync owes about this token, until each is confirmed sent. */
  notices?: OwedNotice[];
}

/**
 * A message the organization sync owes: written in the same commit as the change it tells of,
 * sent by its own job (src/jobs/processors/org-sync.ts), removed once sent. `claimedAt` is set
 * before the first send, so a retry looks in Slack for a message already posted.
 */
export interface OwedNotice {
  /** `<kind>-<epoch ms>`: unique per token; names the delivery job and marks the message. */
  id: string;
  kind: 'corrected' | 'revoked' | 'unused' | 'owner-unknown';
  at: number;
  /** E.g. the old and new expiry. Never a secret. */
  detail?: string;
  claimedAt?: number;
}

/** A recorded token's Atlassian API token (organization sync, src/domain/org-sync.ts). */
export interface AtlassianLink {
  orgId: string;
  /** Atlassian's token id. */
  id: string;
  /** False when Atlassian listed no expiresAt (the recorded expiry is then a guess or the owner's). */
  expiryKnown: boolean;
  /** Epoch ms of the last use Atlassian reported. */
  lastActiveAt?: number;
  /** Epoch ms when a sync first saw it. */
  seenAt: number;
  /** Epoch ms when a complete listing no longer had it. */
  goneAt?: number;
  /** Epoch ms when the owner was offered to retire it as unused (once per token). */
  unusedOfferedAt?: number;
  /** The Atlassian account's email, kept only when no Slack member has it (for the fallback channel). */
  ownerEmail?: string;
}

/** One entry of a token's history (audit trail). */
export interface TokenEvent {
  /** Epoch milliseconds. */
  at: number;
  type:
    | 'recorded'
    | 'imported'
    | 'reminded'
    | 'renewed'
    | 'rotated'
    | 'revoked'
    | 'adopted'
    | 'expired'
    | 'snoozed'
    // Organization sync: found in Atlassian's listing, expiry corrected, matched to a recorded token, gone from the listing.
    | 'discovered'
    | 'corrected'
    | 'linked'
    | 'revoked-by-sync'
    // Co-owners: the first co-owner still in Slack took over; co-owners or the team channel edited.
    | 'promoted'
    | 'team_changed';
  /** Slack user who caused it, when a person did. */
  by?: string;
  /** Short free text, e.g. the threshold reminded or the new expiry. Never a secret. */
  detail?: string;
}
