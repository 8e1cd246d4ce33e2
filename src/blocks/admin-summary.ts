import type { KnownBlock } from '@slack/types';
import { formatLongDate } from '../domain/dates.js';
import type { AdminSummary } from '../domain/admin-summary.js';
import { EXPIRING_SOON_DAYS, type TokenStanding } from '../domain/inventory.js';
import { buildLineSections, describeStanding } from './inventory.js';
import type { Message } from './messages.js';
import { context, escapeMrkdwn, header, ownerMention, section } from './text.js';

/** Lines shown per list before "…and N more". Three lists stay far under Slack's 50 blocks. */
export const ADMIN_SUMMARY_LIMITS = { expiring: 20, ownerGone: 15, withoutCoOwner: 10 } as const;

/** Where the App Home is: Slack's deep link `slack://app?team=…&id=…&tab=home`, when the ids are known. */
export interface HomeLink {
  teamId: string;
  appId: string;
}

export const homeDeepLink = ({ teamId, appId }: HomeLink): string =>
  `slack://app?team=${encodeURIComponent(teamId)}&id=${encodeURIComponent(appId)}&tab=home`;

const line = (s: TokenStanding) =>
  `• *${escapeMrkdwn(s.token.name)}* of ${ownerMention(s.token)}: ${describeStanding(s)} (${formatLongDate(s.token.expiresOn)})`;

function list(title: string, items: readonly TokenStanding[], max: number, hint: string): KnownBlock[] {
  return [
    section(`*${title} (${items.length})*`),
    ...(items.length === 0 ? [context('None.')] : buildLineSections(items.map(line), max, hint)),
  ];
}

/** The weekly summary DM to one admin. Pure: summary in, message out. */
export function buildAdminSummaryMessage(summary: AdminSummary, home?: HomeLink): Message {
  const { org, withoutCoOwner } = summary;
  const scope = org.partial ? `the newest ${org.total} live tokens` : `${org.total} live token${org.total === 1 ? '' : 's'}`;
  const homeText = home ? `<${homeDeepLink(home)}|Open my Home tab>` : 'Open my Home tab';
  const blocks: KnownBlock[] = [
    header(`Weekly token summary · ${summary.week}`),
    section(
      `*${scope}* by their riskiest scope (unexpired): ` +
        `:red_circle: ${org.riskCounts.high} high · :large_yellow_circle: ${org.riskCounts.medium} medium · :large_green_circle: ${org.riskCounts.low} low` +
        (org.unknownScopes > 0 ? ` · :grey_question: ${org.unknownScopes} scopes unknown` : ''),
    ),
    ...list(`Expiring in the next ${EXPIRING_SOON_DAYS} days`, org.expiringSoon, ADMIN_SUMMARY_LIMITS.expiring, 'Soonest shown first.'),
    ...list('Owner no longer in Slack', org.ownerGone, ADMIN_SUMMARY_LIMITS.ownerGone, 'Find a new owner or revoke them.'),
    ...list('Without a co-owner', withoutCoOwner, ADMIN_SUMMARY_LIMITS.withoutCoOwner, 'Soonest expiry shown first.'),
    context(`${homeText} for the organisation view. You get this summary because you are listed in ADMIN_USER_IDS.`),
  ];
  const text =
    `Weekly token summary ${summary.week}: ${org.expiringSoon.length} expiring in the next ${EXPIRING_SOON_DAYS} days, ` +
    `${org.ownerGone.length} with an owner no longer in Slack, ${withoutCoOwner.length} without a co-owner; ` +
    `${org.riskCounts.high} high-risk, ${org.riskCounts.medium} medium, ${org.riskCounts.low} low.`;
  return { text, blocks };
}
