/** Small Block Kit helpers shared by the builders. Pure. */
import type { ContextBlock, HeaderBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import { UNKNOWN_OWNER_ID } from '../domain/org-sync.js';
import type { TokenRecord } from '../domain/types.js';

export const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: true });
export const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });

/** Cuts text to `max` characters, ending in an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export const section = (text: string, blockId?: string): SectionBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: mrkdwn(truncate(text, 3000)),
});

export const context = (text: string, blockId?: string): ContextBlock => ({
  type: 'context',
  ...(blockId ? { block_id: blockId } : {}),
  elements: [mrkdwn(truncate(text, 3000))],
});

export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(truncate(text, 150)) });

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Who owns a token, as message text: a mention, or (for a token the organization sync found whose
 * Atlassian email no Slack member has) that email, since a mention of the placeholder owner id would
 * show as an unknown user.
 */
export function ownerMention(token: Pick<TokenRecord, 'ownerId' | 'atlassian'>): string {
  if (token.ownerId !== UNKNOWN_OWNER_ID) return `<@${token.ownerId}>`;
  return token.atlassian?.ownerEmail ? `${escapeMrkdwn(token.atlassian.ownerEmail)} (not in Slack)` : 'an owner not in Slack';
}
