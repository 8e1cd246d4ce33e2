import { ACTION, APPROVAL_INPUT, BLOCK, CALLBACK } from './ids.js';
import { removedScopes } from '../domain/approvals.js';
import { formatLongDate } from '../domain/dates.js';
import { describeRisk, findScope } from '../domain/scopes.js';
import type { TokenRequest } from '../domain/types.js';
import type { Message } from './messages.js';
import type { ActionsBlock, ColorScheme, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { context, escapeMrkdwn, header, mrkdwn, plain, section, truncate } from './text.js';

/** Who may decide, as Slack mentions ("<@U1>, <@U2> or members of <!subteam^S1>"). */
export interface ApproverNames {
  userIds: readonly string[];
  usergroupId?: string;
}

export function describeApprovers({ userIds, usergroupId }: ApproverNames): string {
  const parts = userIds.map((id) => `<@${id}>`);
  if (usergroupId) parts.push(`members of <!subteam^${usergroupId}>`);
  if (parts.length === 0) return 'nobody yet (no approvers are configured)';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** A timestamp Slack shows in each reader's own timezone. */
const slackTime = (epochMs: number): string =>
  `<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} at {time}|${new Date(epochMs).toISOString()}>`;

const scopeLine = (name: string): string => {
  const scope = findScope(name);
  return `• \`${name}\` ${scope ? `(${describeRisk(scope.risk)})` : ''}`.trimEnd();
};

/** One line of what happened to a request, for the parent message and its thread. */
export function describeOutcome(request: TokenRequest): string {
  const when = request.decidedAt ? ` on ${slackTime(request.decidedAt)}` : '';
  switch (request.status) {
    case 'pending_approval':
      return ':hourglass_flowing_sand: Waiting for an approver.';
    case 'approved':
    case 'created': {
      const removed = removedScopes(request);
      const narrowed =
        removed.length > 0
          ? ` with fewer scopes: removed ${removed.map((s) => `\`${s}\``).join(', ')}; granted ${(request.approvedScopes ?? request.scopes).map((s) => `\`${s}\``).join(', ')}`
          : '';
      return `:white_check_mark: Approved by <@${request.decidedBy}>${when}${narrowed}.`;
    }
    case 'rejected':
      return `:x: Rejected by <@${request.decidedBy}>${when}: ${escapeMrkdwn(truncate(request.reason ?? '', 2500))}`;
    case 'cancelled':
      return `:no_entry_sign: Cancelled by the requester <@${request.requesterId}>${when}.`;
    case 'expired':
      return `:alarm_clock: Expired without a decision${when}.`;
  }
}

/** The parent message in the approvals channel: buttons while pending, the decision after. */
export function buildApprovalMessage(request: TokenRequest): Message {
  const pending = request.status === 'pending_approval';
  const blocks: KnownBlock[] = [
    header(`Token request: ${request.name}`),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Requester*\n<@${request.requesterId}>`),
        mrkdwn(`*Token name*\n${escapeMrkdwn(truncate(request.name, 200))}`),
        mrkdwn(`*Expires*\n${formatLongDate(request.expiresOn)}`),
        mrkdwn(`*Workspace*\n${request.workspace ? escapeMrkdwn(request.workspace) : 'any'}`),
      ],
    },
    section(`*Scopes*\n${request.scopes.map(scopeLine).join('\n')}`),
    section(`*Justification*\n${escapeMrkdwn(truncate(request.purpose ?? '(none given)', 2800))}`),
    section(`*Why review is needed*\n${(request.reviewReasons ?? []).map((r) => `• ${escapeMrkdwn(r)}`).join('\n') || '• Policy'}`),
  ];
  if (pending) {
    blocks.push({
      type: 'actions',
      block_id: BLOCK.approvalActions,
      elements: [
        { type: 'button', action_id: ACTION.approve, text: plain('Approve'), style: 'primary', value: request.id },
        { type: 'button', action_id: ACTION.approveNarrowed, text: plain('Approve fewer scopes'), value: request.id },
        { type: 'button', action_id: ACTION.reject, text: plain('Reject'), style: 'danger', value: request.id },
      ],
    });
    blocks.push(context('Discuss in the thread. Every decision is also posted there.'));
  } else {
    blocks.push(section(describeOutcome(request)));
  }
  const text =
    `${pending ? 'Review needed' : 'Reviewed'}: ${request.name} for <@${request.requesterId}>. ${pending ? '' : describeOutcome(request)}`.trim();
  return { text: truncate(text, 3900), blocks };
}

/** The thread reply recording a state change (the audit trail). */
export function buildThreadNote(request: TokenRequest): Message {
  return { text: describeOutcome(request) };
}

/** One nudge in the thread when nobody has decided. */
export function buildNudge(request: TokenRequest, approvers: ApproverNames): Message {
  return {
    text: `:wave: ${describeApprovers(approvers)}: this request from <@${request.requesterId}> is still waiting for a decision.`,
  };
}

const requesterButtons = (request: TokenRequest, button: { action_id: string; text: string; style?: ColorScheme }): ActionsBlock => ({
  type: 'actions',
  block_id: BLOCK.requesterActions,
  elements: [
    {
      type: 'button',
      action_id: button.action_id,
      text: plain(button.text),
      value: request.id,
      ...(button.style ? { style: button.style } : {}),
    },
  ],
});

/** DM to the requester: sent for review, where, who decides, and a way to cancel. */
export function buildPendingDm(request: TokenRequest, permalink: string | undefined, approvers: ApproverNames): Message {
  const where = permalink ? `<${permalink}|in the approvals channel>` : 'in the approvals channel';
  const text =
    `:hourglass_flowing_sand: Your request *${escapeMrkdwn(request.name)}* needs review and was posted ${where}. ` +
    `${describeApprovers(approvers)} can decide. I will DM you the checklist once it is approved.`;
  return {
    text,
    blocks: [
      section(text),
      context(`Why: ${(request.reviewReasons ?? []).map(escapeMrkdwn).join(' ')}`),
      requesterButtons(request, { action_id: ACTION.cancelRequest, text: 'Cancel request', style: 'danger' }),
    ],
  };
}

/** DM to the requester after a rejection or expiry, with a way to ask again. */
export function buildClosedDm(request: TokenRequest): Message {
  const text =
    request.status === 'rejected'
      ? `:x: Your request *${escapeMrkdwn(request.name)}* was rejected by <@${request.decidedBy}>: ${escapeMrkdwn(truncate(request.reason ?? '', 2500))}`
      : `:alarm_clock: Your request *${escapeMrkdwn(request.name)}* expired: nobody decided in time.`;
  return {
    text,
    blocks: [section(text), requesterButtons(request, { action_id: ACTION.requestAgain, text: 'New request (pre-filled)' })],
  };
}

/** Metadata of the approvers' modals. */
export interface DecisionModalMetadata {
  requestId: string;
}

/** Reject: a reason is required. */
export function buildRejectModal(request: TokenRequest): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.rejectModal,
    title: plain('Reject request'),
    submit: plain('Reject'),
    close: plain('Back'),
    private_metadata: JSON.stringify({ requestId: request.id } satisfies DecisionModalMetadata),
    blocks: [
      section(`Reject *${escapeMrkdwn(request.name)}* for <@${request.requesterId}>? They will see your reason.`),
      {
        type: 'input',
        block_id: APPROVAL_INPUT.reasonBlock,
        label: plain('Reason'),
        element: {
          type: 'plain_text_input',
          action_id: APPROVAL_INPUT.reasonAction,
          multiline: true,
          max_length: 2000,
          placeholder: plain('e.g. Use read scopes only; admin is not needed for scanning'),
        },
      },
    ],
  };
}

/** Approve fewer scopes: the requested ones pre-selected. */
export function buildNarrowModal(request: TokenRequest): ModalView {
  const option = (name: string): PlainTextOption => ({ text: plain(truncate(name, 75)), value: name });
  return {
    type: 'modal',
    callback_id: CALLBACK.narrowModal,
    title: plain('Approve fewer scopes'),
    submit: plain('Approve'),
    close: plain('Back'),
    private_metadata: JSON.stringify({ requestId: request.id } satisfies DecisionModalMetadata),
    blocks: [
      section(`Remove the scopes *${escapeMrkdwn(request.name)}* does not need; <@${request.requesterId}> gets a checklist with the rest.`),
      {
        type: 'input',
        block_id: APPROVAL_INPUT.scopesBlock,
        label: plain('Scopes to grant'),
        element: {
          type: 'multi_static_select',
          action_id: APPROVAL_INPUT.scopesAction,
          options: request.scopes.map(option),
          initial_options: request.scopes.map(option),
        },
      },
    ],
  };
}

/** Replaces a decision modal when the user may not, or can no longer, decide. */
export function buildRefusalModal(text: string): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.approvalRefused,
    title: plain('Token request'),
    close: plain('Close'),
    blocks: [section(text)],
  };
}
