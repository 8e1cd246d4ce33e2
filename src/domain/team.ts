/**
 * Co-owners and a team channel: who besides the owner hears about a token. Pure checks of the
 * shapes and of what can be told without Slack (how many, the owner themself); whether a
 * co-owner is a bot or has left, and whether the bot may post in the channel, is asked of
 * Slack by src/slack-api/team-checks.ts.
 */
import { z } from 'zod';
import { CO_OWNERS_MAX } from './limits.js';

/** A Slack user id (W for Enterprise Grid). */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
/** A channel a reminder can be posted in: public (C) or private (G, or C on newer workspaces). */
export const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{2,20}$/;

export const coOwnerListSchema = z.array(z.string().regex(SLACK_USER_ID)).min(1).max(CO_OWNERS_MAX);
export const teamChannelSchema = z.string().regex(SLACK_CHANNEL_ID);

/** The two team fields, raw from a form or a CSV row: anything may be missing or tampered with. */
export interface RawTeamFields {
  coOwners?: readonly unknown[] | null;
  teamChannelId?: unknown;
}

export interface TeamCheck {
  coOwners?: string[];
  teamChannelId?: string;
  errors: { coOwners?: string; teamChannel?: string };
}

/**
 * Checks the co-owners (user ids, at most CO_OWNERS_MAX, not `ownerId`; repeats kept once, in
 * order: the first is the first to take over) and the team channel (a channel id).
 */
export function checkTeam(raw: RawTeamFields, ownerId: string | undefined): TeamCheck {
  const errors: TeamCheck['errors'] = {};
  const list = Array.isArray(raw.coOwners) ? raw.coOwners : [];
  const ids = [...new Set(list.filter((v): v is string => typeof v === 'string' && v !== ''))];
  let coOwners: string[] | undefined;
  if (list.some((v) => typeof v !== 'string' || !SLACK_USER_ID.test(v))) {
    errors.coOwners = 'Pick co-owners from the list of people in this workspace.';
  } else if (ids.length > CO_OWNERS_MAX) {
    errors.coOwners = `Pick at most ${CO_OWNERS_MAX} co-owners (this has ${ids.length}).`;
  } else if (ownerId !== undefined && ids.includes(ownerId)) {
    errors.coOwners = 'You own this token already: pick the people who share it with you.';
  } else if (ids.length > 0) {
    coOwners = ids;
  }
  let teamChannelId: string | undefined;
  const channel = raw.teamChannelId;
  if (channel !== undefined && channel !== null && channel !== '') {
    if (typeof channel === 'string' && SLACK_CHANNEL_ID.test(channel)) teamChannelId = channel;
    else errors.teamChannel = 'Pick a channel from the list (a public or private channel, not a direct message).';
  }
  return { ...(coOwners ? { coOwners } : {}), ...(teamChannelId ? { teamChannelId } : {}), errors };
}

/** Everyone who answers for a token: the owner first, then the co-owners in order. */
export function tokenPeople(token: { ownerId: string; coOwners?: readonly string[] }): string[] {
  return [token.ownerId, ...(token.coOwners ?? []).filter((id) => id !== token.ownerId)];
}
