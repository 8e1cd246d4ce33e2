import { ACTION, BLOCK, COMMAND } from './ids.js';
import { formatLongDate } from '../domain/dates.js';
import { EXPIRING_SOON_DAYS, type OrgSummary, type TokenStanding } from '../domain/inventory.js';
import type { TokenRequest } from '../domain/types.js';
import type { SyncCounts } from '../domain/org-sync.js';
import { buildLineSections, buildTokenSections, describeCounts, describeRequestLine, describeStanding } from './inventory.js';
import type { Button, DividerBlock, HomeView, KnownBlock } from '@slack/types';
import { context, escapeMrkdwn, header, mrkdwn, ownerMention, plain, section } from './text.js';

/** Slack allows 100 blocks in a Home tab. */
export const HOME_MAX_BLOCKS = 100;

/**
 * How many items each section shows before summarising the rest. Their sum, plus headings,
 * stays well under {@link HOME_MAX_BLOCKS}; the final cap is a safety net, not the plan.
 */
export const HOME_LIMITS = { tokens: 15, requests: 10, queue: 15, orgExpiring: 25, orgOwnerGone: 15 } as const;

export interface HomeModel {
  /** Who is looking: tokens they co-own name their owner. */
  viewer?: string;
  /** The viewer's live tokens, most urgent first. */
  tokens: readonly TokenStanding[];
  /** The viewer's requests still waiting for approval or for the token to be created. */
  openRequests: readonly TokenRequest[];
  /** Requests waiting for this viewer's decision; omitted for non-approvers. */
  approvalQueue?: readonly TokenRequest[];
  /** Organisation view; only for admins. */
  org?: OrgSummary;
  /** The viewer's calendar feeds (absent when they could not be read). */
  calendar?: HomeCalendar;
  /** Admins, with the organization sync on: its last run (undefined before the first). */
  orgSync?: { last?: OrgSyncSummary; unusedDays: number };
}

/** The viewer's calendar feed, and those of the team channels of their tokens. */
export interface HomeCalendar {
  url: string;
  channels: ReadonlyArray<{ channelId: string; url: string }>;
}

/** What the Home shows of the last organization sync (src/store/org-sync.ts OrgSyncStatus). */
export interface OrgSyncSummary {
  finishedAt: number;
  complete: boolean;
  counts: SyncCounts;
  warning?: { kind: string; message: string; since: number };
}

const divider = (): DividerBlock => ({ type: 'divider' });

const button = (text: string, actionId: string, style?: 'primary'): Button => ({
  type: 'button',
  action_id: actionId,
  text: plain(text),
  ...(style ? { style } : {}),
});

function buildMyTokens(tokens: readonly TokenStanding[], viewer?: string): KnownBlock[] {
  if (tokens.length === 0) {
    return [
      section(
        'You have no recorded tokens yet. Request a new one, or record a token you already created so I can remind you before it expires.',
      ),
    ];
  }
  return [
    context(describeCounts(tokens)),
    ...buildTokenSections(tokens, HOME_LIMITS.tokens, `\`${COMMAND} list\` shows up to 45.`, {
      editTeam: true,
      ...(viewer ? { viewer } : {}),
    }),
  ];
}

function buildRequests(title: string, requests: readonly TokenRequest[], max: number, withRequester: boolean): KnownBlock[] {
  return [
    divider(),
    header(`${title} (${requests.length})`),
    ...(requests.length === 0
      ? [context('Nothing waiting.')]
      : buildLineSections(
          requests.map((r) => describeRequestLine(r, withRequester)),
          max,
        )),
  ];
}

const orgLine = (s: TokenStanding) =>
  `• *${escapeMrkdwn(s.token.name)}* of ${ownerMention(s.token)}: ${describeStanding(s)} (${formatLongDate(s.token.expiresOn)})`;

function buildOrg(org: OrgSummary): KnownBlock[] {
  const scope = org.partial ? `the newest ${org.total} live tokens` : `${org.total} live token${org.total === 1 ? '' : 's'}`;
  return [
    divider(),
    header('Organisation'),
    section(
      `*${scope}* by their riskiest scope (unexpired): ` +
        `:red_circle: ${org.riskCounts.high} high · :large_yellow_circle: ${org.riskCounts.medium} medium · :large_green_circle: ${org.riskCounts.low} low` +
        (org.unknownScopes > 0 ? ` · :grey_question: ${org.unknownScopes} scopes unknown` : ''),
    ),
    section(`*Expiring within ${EXPIRING_SOON_DAYS} days (${org.expiringSoon.length})*`),
    ...(org.expiringSoon.length === 0
      ? [context('None.')]
      : buildLineSections(org.expiringSoon.map(orgLine), HOME_LIMITS.orgExpiring, 'Soonest shown first.')),
    section(`*Owner no longer in Slack (${org.ownerGone.length})*`),
    ...(org.ownerGone.length === 0
      ? [context('None.')]
      : buildLineSections(org.ownerGone.map(orgLine), HOME_LIMITS.orgOwnerGone, 'Find a new owner or revoke them.')),
  ];
}

/**
 * The viewer's calendar feed. Slack cannot put text on the clipboard, so the address is shown
 * whole in a code block (select it on a computer) and "DM me the link" sends it as a message,
 * which phones can copy with a long press (Home tab text cannot be selected there).
 */
export function buildCalendarSection({ url, channels }: HomeCalendar): KnownBlock[] {
  return [
    divider(),
    header('Calendar feed'),
    section(
      'Subscribe to this address in Google Calendar, Outlook or Apple Calendar to see each token’s expiry day, with how to renew it. ' +
        'Anyone with the address can read the names and dates, so keep it to yourself; *Reset link* replaces it and the old one stops working at once.',
    ),
    section(`\`\`\`${url}\`\`\``),
    {
      type: 'actions',
      block_id: BLOCK.calendarActions,
      elements: [
        button('DM me the link', ACTION.calendarSendLink),
        {
          ...button('Reset link', ACTION.calendarReset),
          style: 'danger',
          confirm: {
            title: plain('Reset the calendar link?'),
            text: plain('Calendars subscribed to the current address stop updating at once. You get a new address to subscribe to.'),
            confirm: plain('Reset link'),
            deny: plain('Keep it'),
            style: 'danger',
          },
        },
      ],
    },
    ...(channels.length > 0
      ? [
          context('Team channels of your tokens have a feed of their own: every token whose team channel it is. Share it with the team.'),
          ...channels.map(
            ({ channelId, url: channelUrl }): KnownBlock => ({
              type: 'section',
              text: mrkdwn(`*<#${channelId}>*\n\`\`\`${channelUrl}\`\`\``),
              accessory: {
                ...button('Reset link', ACTION.calendarResetChannel),
                value: channelId,
                confirm: {
                  title: plain('Reset the channel’s link?'),
                  text: plain('Calendars subscribed to this channel’s current address stop updating at once.'),
                  confirm: plain('Reset link'),
                  deny: plain('Keep it'),
                  style: 'danger',
                },
              },
            }),
          ),
        ]
      : []),
  ];
}

const utcTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The admins' organization sync section: the last run's counts, its warning, and "Sync now". */
export function buildOrgSyncSection(sync: NonNullable<HomeModel['orgSync']>): KnownBlock[] {
  const { last } = sync;
  const lines: string[] = [];
  if (!last) lines.push('No sync has finished yet.');
  else {
    const c = last.counts;
    lines.push(
      `*Last sync:* ${utcTime(last.finishedAt)}${last.complete ? '' : ' (incomplete: nothing was marked revoked)'}`,
      `${c.seen} tokens seen · ${c.discovered} discovered · ${c.linked} linked · ${c.corrected} expiries corrected · ${c.revoked} revoked · ` +
        `${c.unused} unused for ${sync.unusedDays}+ days · ${c.ownersNotFound} owners not found in Slack · ${c.errors} errors`,
    );
  }
  return [
    divider(),
    header('Atlassian organization sync'),
    ...(last?.warning ? [section(`:warning: *Since ${utcTime(last.warning.since)}:* ${escapeMrkdwn(last.warning.message)}`)] : []),
    section(lines.join('\n')),
    { type: 'actions', block_id: BLOCK.orgSyncActions, elements: [button('Sync now', ACTION.orgSyncNow)] },
    context('Managed accounts only; Atlassian’s list has no scopes, so tokens found there show “scopes unknown”.'),
  ];
}

/** Keeps a view within Slack's block limit whatever the model holds. */
function capBlocks(blocks: KnownBlock[], max: number): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  return [...blocks.slice(0, max - 1), context('Some sections were shortened to fit the Home tab.')];
}

/** The App Home tab. Pure: model in, view JSON out; at most 100 blocks for any inventory. */
export function buildHomeView(model: HomeModel): HomeView {
  const blocks: KnownBlock[] = [
    header('Your Bitbucket API tokens'),
    {
      type: 'actions',
      block_id: BLOCK.homeActions,
      elements: [
        button('Request a new token', ACTION.homeNewRequest, 'primary'),
        button('Record an existing token', ACTION.homeRecordExisting),
      ],
    },
    ...buildMyTokens(model.tokens, model.viewer),
    ...(model.calendar ? buildCalendarSection(model.calendar) : []),
    ...buildRequests('Your open requests', model.openRequests, HOME_LIMITS.requests, false),
    ...(model.approvalQueue ? buildRequests('Waiting for your approval', model.approvalQueue, HOME_LIMITS.queue, true) : []),
    ...(model.org ? buildOrg(model.org) : []),
    ...(model.orgSync ? buildOrgSyncSection(model.orgSync) : []),
    context('I store names, scopes and expiry dates only, never a token. Never paste a token into Slack.'),
  ];
  return { type: 'home', blocks: capBlocks(blocks, HOME_MAX_BLOCKS) };
}
