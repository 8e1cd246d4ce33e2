import { ACTION, COMMAND } from './ids.js';
import { formatLongDate } from '../domain/dates.js';
import { countByStatus, EXPIRING_SOON_DAYS, type TokenStanding } from '../domain/inventory.js';
import type { TokenRequest } from '../domain/types.js';
import type { Message } from './messages.js';
import type { ContextBlock, SectionBlock } from '@slack/types';
import { context, escapeMrkdwn, ownerMention, plain, section, truncate } from './text.js';

/** Pure pieces shared by the App Home and `/bitbucket-token list`. */

/** Messages may hold 50 blocks; the list keeps room for its heading and the "more" note. */
export const LIST_MAX_TOKENS = 45;

const STATUS_ICON = { ok: ':large_green_circle:', expiring: ':large_yellow_circle:', expired: ':red_circle:' } as const;

/** "OK · 120 days left", "Expiring · expires today", "Expired 3 days ago". */
export function describeStanding(s: Pick<TokenStanding, 'status' | 'daysLeft'>): string {
  const icon = STATUS_ICON[s.status];
  if (s.status === 'expired') {
    const ago = -s.daysLeft;
    return `${icon} Expired ${ago === 1 ? 'yesterday' : `${ago} days ago`}`;
  }
  const left = s.daysLeft === 0 ? 'expires today' : s.daysLeft === 1 ? '1 day left' : `${s.daysLeft} days left`;
  return `${icon} ${s.status === 'ok' ? 'OK' : 'Expiring'} · ${left}`;
}

const code = (scope: string) => `\`${scope}\``;

/** "Owner <@U1> · co-owners <@U2>, <@U3> · team channel <#C1>", when the token is shared. */
function describeTeam(token: TokenStanding['token'], viewer?: string): string | undefined {
  const parts = [
    ...(viewer && viewer !== token.ownerId ? [`owner ${ownerMention(token)}`] : []),
    ...(token.coOwners?.length ? [`co-owners ${token.coOwners.map((id) => `<@${id}>`).join(', ')}`] : []),
    ...(token.teamChannelId ? [`team channel <#${token.teamChannelId}>`] : []),
  ];
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/**
 * One token: name, status, expiry date, workspace, scopes and who shares it. On the Home
 * (`editTeam`), a button opens the co-owners and team channel modal.
 */
export function buildTokenSection(s: TokenStanding, opts: { editTeam?: boolean; viewer?: string } = {}): SectionBlock {
  const { token } = s;
  const where = token.workspace ? ` · workspace \`${escapeMrkdwn(token.workspace)}\`` : '';
  const team = describeTeam(token, opts.viewer);
  const text =
    `*${escapeMrkdwn(token.name)}*\n${describeStanding(s)} (${formatLongDate(token.expiresOn)})${where}\n` +
    (token.scopes.length > 0
      ? truncate(`Scopes: ${token.scopes.map(code).join(', ')}`, 2000)
      : 'Scopes unknown (found in Atlassian’s token list)') +
    (team ? `\n${team}` : '');
  const block = section(text);
  if (!opts.editTeam) return block;
  return { ...block, accessory: { type: 'button', action_id: ACTION.homeEditTeam, text: plain('Co-owners & channel'), value: token.id } };
}

/** "3 tokens: 1 expired, 1 expiring within 30 days, 1 OK." */
export function describeCounts(standings: readonly TokenStanding[]): string {
  const c = countByStatus(standings);
  const n = standings.length;
  return `${n} token${n === 1 ? '' : 's'}: ${c.expired} expired, ${c.expiring} expiring within ${EXPIRING_SOON_DAYS} days, ${c.ok} OK.`;
}

/** Up to `max` token sections, then a note saying how many were left out. */
export function buildTokenSections(
  standings: readonly TokenStanding[],
  max: number,
  moreHint: string,
  opts: { editTeam?: boolean; viewer?: string } = {},
): (SectionBlock | ContextBlock)[] {
  const blocks: (SectionBlock | ContextBlock)[] = standings.slice(0, max).map((s) => buildTokenSection(s, opts));
  const rest = standings.length - max;
  if (rest > 0) blocks.push(context(`…and ${rest} more (most urgent shown first). ${moreHint}`));
  return blocks;
}

/** One line per request: name, where it stands, expiry and scopes. */
export function describeRequestLine(r: TokenRequest, withRequester = false): string {
  const state = r.status === 'pending_approval' ? 'waiting for approval' : "approved: create it, then press *I've created the token*";
  const who = withRequester ? ` from <@${r.requesterId}>` : '';
  const scopes = (r.approvedScopes ?? r.scopes).map(code).join(', ');
  return truncate(`• *${escapeMrkdwn(r.name)}*${who}, ${state}. Expires ${formatLongDate(r.expiresOn)}. ${scopes}`, 280);
}

/**
 * Lines packed into sections of at most 3000 characters, at most `max` lines in all, then
 * a note with how many were left out. Several lines per block keeps big lists within
 * Slack's block limit.
 */
export function buildLineSections(lines: readonly string[], max: number, moreHint = ''): (SectionBlock | ContextBlock)[] {
  const blocks: (SectionBlock | ContextBlock)[] = [];
  let current = '';
  for (const line of lines.slice(0, max)) {
    if (current && current.length + 1 + line.length > 3000) {
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) blocks.push(section(current));
  const rest = lines.length - max;
  if (rest > 0) blocks.push(context(`…and ${rest} more.${moreHint ? ` ${moreHint}` : ''}`));
  return blocks;
}

/** `/bitbucket-token list`: the user's tokens, most urgent first, within a message's 50 blocks. */
export function buildTokenListMessage(standings: readonly TokenStanding[]): Message {
  if (standings.length === 0) {
    const text = `You have no recorded tokens. \`${COMMAND}\` starts a new one; \`${COMMAND} record\` records one you created without me.`;
    return { text, blocks: [section(text)] };
  }
  const summary = `*Your Bitbucket API tokens.* ${describeCounts(standings)}`;
  return {
    text: summary,
    blocks: [section(summary), ...buildTokenSections(standings, LIST_MAX_TOKENS, 'Rotate or revoke the expired ones first.')],
  };
}
