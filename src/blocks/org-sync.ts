import type { Button, KnownBlock } from '@slack/types';
import { ACTION, BLOCK } from './ids.js';
import { formatLongDate } from '../domain/dates.js';
import type { OwedNotice, TokenRecord } from '../domain/types.js';
import type { Message } from './messages.js';
import { context, escapeMrkdwn, plain, section } from './text.js';

/** Where an owner revokes their own API tokens (Atlassian account settings). */
export const ATLASSIAN_TOKENS_URL = 'https://id.atlassian.com/manage-profile/security/api-tokens';

const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button => ({
  type: 'button',
  text: plain(text),
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
});

const actions = (elements: Button[]): KnownBlock => ({ type: 'actions', block_id: BLOCK.reminderActions, elements });

/**
 * What the organization sync tells about a token: to its owner (expiry corrected, revoked,
 * unused), or to the fallback channel when no Slack member has the Atlassian account's email.
 */
export function buildSyncNotice(token: TokenRecord, notice: OwedNotice, opts: { unusedDays: number }): Message {
  const name = `*${escapeMrkdwn(token.name)}*`;
  switch (notice.kind) {
    case 'corrected': {
      const [from] = (notice.detail ?? '').split(' → ');
      const text =
        `:calendar: Atlassian says your API token ${name} expires on *${formatLongDate(token.expiresOn)}*` +
        (from ? `, not ${formatLongDate(from)} as recorded` : '') +
        '. I corrected the date; reminders follow it now.';
      return { text, blocks: [section(text)] };
    }
    case 'revoked': {
      const text =
        `:wastebasket: Your API token ${name} is no longer in your Atlassian organization's token list: ` +
        'it was revoked or has been removed. I stopped its reminders. If an integration still used it, it needs a new token.';
      return { text, blocks: [section(text)] };
    }
    case 'unused': {
      const text =
        `:zzz: Your API token ${name} has not been used for ${opts.unusedDays} days or more (${escapeMrkdwn(notice.detail ?? 'never used')}). ` +
        `If nothing needs it any more, revoke it at <${ATLASSIAN_TOKENS_URL}|id.atlassian.com → Security → API tokens> and tell me it is no longer needed.`;
      return {
        text,
        blocks: [
          section(text),
          actions([button('No longer needed', ACTION.reminderRevoke, token.id, 'danger')]),
          context('Revoking happens at Atlassian: I cannot revoke tokens, only stop reminding you.'),
        ],
      };
    }
    case 'owner-unknown': {
      const who = token.atlassian?.ownerEmail ? escapeMrkdwn(token.atlassian.ownerEmail) : 'an Atlassian account';
      const text =
        `:busts_in_silhouette: Atlassian lists the API token ${name} of ${who}, but nobody in this workspace has that email, ` +
        `so I cannot remind its owner (it expires ${formatLongDate(token.expiresOn)}). Can someone adopt it, or is it no longer needed?`;
      return {
        text,
        blocks: [
          section(text),
          actions([
            button('Adopt', ACTION.reminderAdopt, token.id, 'primary'),
            button('No longer needed', ACTION.reminderRevoke, token.id, 'danger'),
          ]),
        ],
      };
    }
  }
}
