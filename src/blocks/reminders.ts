import { ACTION, BLOCK, CALLBACK, ROTATED_ACTION, ROTATED_BLOCK, SCOPES_ACTION, SCOPES_BLOCK } from './ids.js';
import { buildScopeOptionGroups } from './request-modal.js';
import { formatLongDate } from '../domain/dates.js';
import { EXPIRED, daysLeft } from '../domain/reminders.js';
import { UNKNOWN_OWNER_ID } from '../domain/org-sync.js';
import type { TokenRecord } from '../domain/types.js';
import type { Message } from './messages.js';
import type { Button, ColorScheme, KnownBlock, ModalView } from '@slack/types';
import { context, escapeMrkdwn, ownerMention, plain, section, truncate } from './text.js';

/** Who a copy of a reminder is for: the owner's DM, a co-owner's DM, or the team channel. */
export type ReminderAudience = 'owner' | 'coOwner' | 'channel';

/** What a reminder is about: the token, the threshold reminded, and the recipient's clock. */
export interface ReminderModel {
  token: TokenRecord;
  threshold: number;
  /** The recipient's timezone: "today" and days left are counted there. */
  tz: string;
  now: number;
  /** Default 'owner'. */
  audience?: ReminderAudience;
}

/** The audience of a copy sent to `to` (a user or channel id). */
export function audienceOf(token: TokenRecord, to: string): ReminderAudience {
  if (/^[CG]/.test(to)) return 'channel';
  return to === token.ownerId ? 'owner' : 'coOwner';
}

function describeExpiry({ token, tz, now }: ReminderModel): string {
  const left = daysLeft(token.expiresOn, tz, now);
  const date = formatLongDate(token.expiresOn);
  if (left < 0) return `expired on ${date}`;
  if (left === 0) return `expires *today* (${date})`;
  return `expires in *${left} day${left === 1 ? '' : 's'}* (${date})`;
}

function describeToken(token: TokenRecord): string[] {
  return [
    token.scopes.length > 0
      ? `*Scopes:* ${truncate(token.scopes.map((s) => `\`${s}\``).join(', '), 1500)}`
      : // Found by the organization sync: Atlassian's listing has no scopes.
        '*Scopes:* unknown (found in Atlassian’s token list, which does not show scopes)',
    `*Workspace:* ${token.workspace ? escapeMrkdwn(token.workspace) : 'any'}`,
    ...(token.places?.length ? [`*Stored in:* ${token.places.map(escapeMrkdwn).join('; ')}`] : []),
    ...(token.coOwners?.length ? [`*Owners:* ${ownerMention(token)} (owner), ${token.coOwners.map((id) => `<@${id}>`).join(', ')}`] : []),
  ];
}

const button = (text: string, actionId: string, value: string, style?: ColorScheme): Button => ({
  type: 'button',
  text: plain(text),
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
});

/** A reminder: the lead line, the token's scopes and workspace, and its buttons. */
function reminderBlocks(text: string, token: TokenRecord, buttons: Button[]): KnownBlock[] {
  return [section(text), section(describeToken(token).join('\n')), { type: 'actions', block_id: BLOCK.reminderActions, elements: buttons }];
}

/** The DM to a token's owner before (or just after) its expiry, with the four answers. */
export function buildReminderMessage(model: ReminderModel): Message {
  const { token } = model;
  const name = escapeMrkdwn(token.name);
  const lead = model.threshold === EXPIRED ? ':red_circle:' : model.threshold <= 1 ? ':warning:' : ':alarm_clock:';
  const owner = ownerMention(token);
  const text =
    model.audience === 'channel'
      ? `${lead} The team's Bitbucket API token *${name}* (owner ${owner}) ${describeExpiry(model)}. Its owner or a co-owner can answer here.`
      : model.audience === 'coOwner'
        ? `${lead} The Bitbucket API token *${name}* you co-own with ${owner} ${describeExpiry(model)}.`
        : `${lead} Your Bitbucket API token *${name}* ${describeExpiry(model)}.`;
  return {
    text,
    blocks: [
      ...reminderBlocks(text, token, [
        button('Renew', ACTION.reminderRenew, token.id, 'primary'),
        button('Already rotated', ACTION.reminderRotated, token.id),
        button('No longer needed', ACTION.reminderRevoke, token.id, 'danger'),
        ...(model.threshold === EXPIRED ? [] : [button('Snooze 1 day', ACTION.reminderSnooze, token.id)]),
        // Found in Atlassian's list, which has no scopes: the owner may say them (optional).
        ...(token.scopes.length === 0 ? [button('Say its scopes', ACTION.reminderScopes, token.id)] : []),
      ]),
      context('Renew opens a pre-filled request. I never need the token value.'),
    ],
  };
}

/** One line of a digest: a token, the threshold reminded, and the answer once someone pressed. */
export interface DigestLineModel {
  token: TokenRecord;
  threshold: number;
  answer?: string;
}

/** Block id of a digest line's buttons: one actions block per token, so a press names its line. */
export const digestActionsBlockId = (tokenId: string) => `${BLOCK.reminderActions}_${tokenId}`;

/**
 * The digest DM (REMINDER_DIGEST): every token due for one person in one local hour, each with
 * its expiry, days left and its own buttons; an answered line shows the answer instead.
 */
export function buildDigestMessage(lines: readonly DigestLineModel[], viewer: string, tz: string, now: number): Message {
  const n = lines.length;
  const text = `:alarm_clock: ${n} of your Bitbucket API tokens need${n === 1 ? 's' : ''} attention.`;
  const blocks: KnownBlock[] = [section(text)];
  for (const { token, threshold, answer } of lines) {
    const model = { token, threshold, tz, now };
    const lead = threshold === EXPIRED ? ':red_circle:' : threshold <= 1 ? ':warning:' : ':alarm_clock:';
    const role = token.ownerId === viewer ? '' : ` (you co-own it with <@${token.ownerId}>)`;
    blocks.push({ type: 'divider' }, section(`${lead} *${escapeMrkdwn(token.name)}*${role} ${describeExpiry(model)}.`));
    if (answer) {
      blocks.push(context(answer));
      continue;
    }
    blocks.push({
      type: 'actions',
      block_id: digestActionsBlockId(token.id),
      elements: [
        button('Renew', ACTION.reminderRenew, token.id, 'primary'),
        button('Already rotated', ACTION.reminderRotated, token.id),
        button('No longer needed', ACTION.reminderRevoke, token.id, 'danger'),
        ...(threshold === EXPIRED ? [] : [button('Snooze 1 day', ACTION.reminderSnooze, token.id)]),
      ],
    });
  }
  blocks.push(context('Each line has its own buttons. Renew opens a pre-filled request. I never need the token value.'));
  return { text, blocks };
}

/** Posted in the fallback channel when the owner has left: someone should adopt or revoke it. */
export function buildOrphanReminderMessage(model: ReminderModel): Message {
  const { token } = model;
  const name = escapeMrkdwn(token.name);
  const ask = 'Can someone adopt it (and then renew or rotate it), or revoke it?';
  const text =
    token.ownerId === UNKNOWN_OWNER_ID
      ? `:busts_in_silhouette: The Bitbucket API token *${name}* of ${ownerMention(token)}, found in the organization's ` +
        `Atlassian list, ${describeExpiry(model)}, and no member of this workspace has that email. ${ask}`
      : `:busts_in_silhouette: <@${token.ownerId}> owned the Bitbucket API token *${name}*, which ` +
        `${describeExpiry(model)}, but is no longer in this workspace. ${ask}`;
  return {
    text,
    blocks: reminderBlocks(text, token, [
      button('Adopt', ACTION.reminderAdopt, token.id, 'primary'),
      button('No longer needed', ACTION.reminderRevoke, token.id, 'danger'),
    ]),
  };
}

/** Told to a token's people and its team channel when the first co-owner took over from an owner who left Slack. */
export function buildPromotedMessage(token: TokenRecord, formerOwnerId: string): Message {
  const text =
    `:busts_in_silhouette: <@${formerOwnerId}> is no longer in this workspace, so <@${token.ownerId}> (the first co-owner) ` +
    `now owns the Bitbucket API token *${escapeMrkdwn(token.name)}* (expires ${formatLongDate(token.expiresOn)}) and gets its reminders.`;
  return {
    text,
    blocks: [section(text), context('Owners and co-owners can change the co-owners and the team channel from the App Home.')],
  };
}

/** The reminder as it reads once answered: its buttons replaced by what was decided. */
export function buildAnsweredBlocks(blocks: readonly KnownBlock[], answer: string): KnownBlock[] {
  return [...blocks.filter((b) => b.block_id !== BLOCK.reminderActions && b.type !== 'actions'), context(answer)];
}

/** Metadata of the "Already rotated" modal: which token, and which message to update. */
export interface RotatedModalMetadata {
  tokenId: string;
  channel?: string;
  ts?: string;
}

/** Asks for the new expiry date of a token rotated outside the bot. */
export function buildRotatedModal(token: TokenRecord, initialDate: string, metadata: RotatedModalMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.rotatedModal,
    title: plain('Token rotated'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      section(`When does the new *${escapeMrkdwn(token.name)}* expire? I will remind you before then.`),
      {
        type: 'input',
        block_id: ROTATED_BLOCK.expiry,
        label: plain('New expiration date'),
        element: { type: 'datepicker', action_id: ROTATED_ACTION.expiry, initial_date: initialDate },
      },
      ...(token.places?.length
        ? [
            {
              type: 'input' as const,
              block_id: ROTATED_BLOCK.places,
              optional: true,
              label: plain('Places already updated'),
              hint: plain('Tick each place that now has the new token. Revoke the old token only once all of them do.'),
              element: {
                type: 'checkboxes' as const,
                action_id: ROTATED_ACTION.places,
                // The value is the place's index: the submission maps it back to the stored place.
                options: token.places.map((place, i) => ({ text: plain(truncate(place, 75)), value: String(i) })),
              },
            },
          ]
        : []),
    ],
  };
}

/** Metadata of the "say its scopes" modal: which token, and which reminder to update. */
export interface ScopesModalMetadata {
  tokenId: string;
  channel?: string;
  ts?: string;
}

/** Asks the owner of a token found by the organization sync which scopes it has (optional). */
export function buildScopesModal(token: TokenRecord, metadata: ScopesModalMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.scopesModal,
    title: plain('Token scopes'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      section(
        `Atlassian's token list does not show scopes. Which scopes does *${escapeMrkdwn(token.name)}* have? ` +
          'You see them at id.atlassian.com → Security → API tokens, next to the token.',
      ),
      {
        type: 'input',
        block_id: SCOPES_BLOCK,
        label: plain('Scopes'),
        element: {
          type: 'multi_static_select',
          action_id: SCOPES_ACTION,
          placeholder: plain('Search scopes, e.g. repository'),
          option_groups: buildScopeOptionGroups(),
        },
      },
    ],
  };
}
