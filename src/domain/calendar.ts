/**
 * What a calendar feed of token expiries says: one all-day event per live token on the day it
 * expires, with how to renew it. Pure: the HTTP layer renders these as iCalendar. There are no
 * token values to leave out (none are stored); names, scopes and places are what the owner typed.
 */
import { isLiveToken } from './inventory.js';
import { sortScopes } from './scopes.js';
import type { TokenRecord } from './types.js';

/** Where a new Bitbucket API token is created (and the old one revoked). */
export const ATLASSIAN_API_TOKENS_URL = 'https://id.atlassian.com/manage-profile/security/api-tokens';

/** The feeds' path: `/calendar/<32 hex digits>.ics`. */
export const CALENDAR_PATH = '/calendar';

/** The absolute address of a feed, from PUBLIC_URL. */
export function calendarFeedUrl(publicUrl: string, feedId: string): string {
  return `${publicUrl}${CALENDAR_PATH}/${feedId}.ics`;
}

export interface CalendarEvent {
  /** Stable across regenerations, so calendar apps update the event instead of adding one. */
  uid: string;
  /** YYYY-MM-DD: the all-day event's day (the token's expiry day). */
  day: string;
  summary: string;
  description: string;
  url: string;
  /** When the token was recorded (epoch ms): the event's DTSTAMP, so a feed is byte-stable. */
  stampedAt: number;
}

export interface CalendarFeedModel {
  name: string;
  events: CalendarEvent[];
}

export interface CalendarOptions {
  /** Whose feed: "your" tokens or a channel's, for the calendar's name. */
  title: string;
  /** The bot's slash command, named in the renewal steps. */
  command: string;
}

/** The event of one live token. */
export function buildTokenEvent(token: TokenRecord, command: string): CalendarEvent {
  const places = token.places?.length ? 'update each place it is stored in' : 'update the integration that uses it';
  const lines = [
    `Bitbucket API token "${token.name}" expires on ${token.expiresOn}${token.status === 'expired' ? ' (expired)' : ''}.`,
    `Scopes: ${sortScopes(token.scopes).join(', ')}`,
    ...(token.workspace ? [`Workspace: ${token.workspace}`] : []),
    ...(token.places?.length ? [`Stored in: ${token.places.join('; ')}`] : []),
    `How to renew: press Renew on the reminder in Slack or run ${command} (the same scopes are filled in), ` +
      `create the new token at ${ATLASSIAN_API_TOKENS_URL}, ${places}, then revoke the old token there.`,
  ];
  return {
    uid: `${token.id}@bitbucket-token-bot`,
    day: token.expiresOn,
    summary: `Bitbucket token expires: ${token.name}`,
    description: lines.join('\n'),
    url: ATLASSIAN_API_TOKENS_URL,
    stampedAt: token.createdAt,
  };
}

/** The team channels of the live tokens among `tokens`, each once, in the tokens' order. */
export function listTeamChannels(tokens: readonly TokenRecord[]): string[] {
  return [...new Set(tokens.filter(isLiveToken).flatMap((t) => (t.teamChannelId ? [t.teamChannelId] : [])))];
}

/** A feed of the live tokens among `tokens` (rotated and revoked ones are left out), soonest first. */
export function buildCalendarFeed(tokens: readonly TokenRecord[], options: CalendarOptions): CalendarFeedModel {
  const events = tokens
    .filter(isLiveToken)
    .map((token) => buildTokenEvent(token, options.command))
    .sort((a, b) => a.day.localeCompare(b.day) || a.uid.localeCompare(b.uid));
  return { name: options.title, events };
}
