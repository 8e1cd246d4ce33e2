import { COMMAND } from './ids.js';
import { formatLongDate } from '../domain/dates.js';
import type { PlannedReminder } from '../domain/reminders.js';
import { type OperationAdvice, operationKey } from '../domain/scope-advisor.js';
import type { ScopeNotice } from '../domain/scope-checks.js';
import type { CredentialKind } from '../domain/secrets.js';
import type { TokenRecord } from '../domain/types.js';
import type { KnownBlock } from '@slack/types';
import { context, escapeMrkdwn, section, truncate } from './text.js';

/** A message (chat.postMessage / chat.update body): fallback text plus blocks. */
export interface Message {
  text: string;
  blocks?: KnownBlock[];
}

export function buildHelpMessage(): Message {
  const text =
    `*Bitbucket Token Bot* helps you create least-privilege Bitbucket Cloud API tokens.\n` +
    `• \`${COMMAND}\` opens a form: pick the integration, name, expiry and scopes, and I DM you a ` +
    `step-by-step checklist with your values filled in.\n` +
    `• \`${COMMAND} DeepTraQ\` pre-fills the form for that integration.\n` +
    `• \`${COMMAND} list\` lists your tokens and when they expire; \`${COMMAND} record\` records a token you created without me.\n` +
    `• \`${COMMAND} scopes GET /repositories/acme/web/pullrequests POST …\` tells you the minimal scopes for the API calls ` +
    `an integration makes (paths or pasted URLs), and which call needs each scope. In the form, *Help me choose scopes* ` +
    `does the same from plain-words capabilities.\n` +
    `• My *Home* tab shows your tokens, your open requests and buttons to start a new one.\n` +
    `• When you have created the token, press *I've created the token* in the checklist and I will ` +
    `remind you before it expires.\n` +
    `I never need the token value: keep it in your secret store, never in Slack.`;
  return { text, blocks: [section(text)] };
}

/**
 * Overload: a modal could not be opened in time (Slack's trigger_id lives 3 s). `retry` is what
 * to run again, e.g. the command with its text; without it, the answer is to a button.
 */
export function buildBusyMessage(retry?: string): Message {
  const again = retry ? `Run \`${truncate(retry.replace(/[`\n\r]/g, ' '), 200)}\` again` : 'Press the button again';
  const text = `:hourglass_flowing_sand: I'm busy right now and could not open the form in time. ${again} in a moment.`;
  return { text };
}

/** The busy message for `/bitbucket-token <text>` (`text` trimmed): run the same command again. */
export function buildCommandBusyMessage(text: string): Message {
  return buildBusyMessage(text ? `${COMMAND} ${text}` : COMMAND);
}

export function buildSecretWarning(): Message {
  const text =
    ':warning: That looks like a Bitbucket/Atlassian API token. Anything posted in Slack should be treated as leaked: ' +
    'revoke it at id.atlassian.com (Security → API tokens) and create a new one. I did not store it.';
  return { text };
}

/** What to call each kind of credential, and where its owner revokes it. */
const CREDENTIALS: Record<CredentialKind, { one: string; many: string; revoke: string }> = {
  'atlassian-api-token': {
    one: 'an Atlassian API token',
    many: 'Atlassian API tokens',
    revoke: 'id.atlassian.com (Security → API tokens)',
  },
  'bitbucket-access-token': {
    one: 'a Bitbucket access token',
    many: 'Bitbucket access tokens',
    revoke: 'the repository, project or workspace settings in Bitbucket (Access tokens)',
  },
  'bitbucket-app-password': {
    one: 'a Bitbucket app password',
    many: 'Bitbucket app passwords',
    revoke: 'Bitbucket personal settings (App passwords)',
  },
  'slack-token': { one: 'a Slack token', many: 'Slack tokens', revoke: 'the Slack app settings' },
};

/**
 * Sent privately to someone who posted a token-shaped value. Never contains the value.
 * `kinds` (from findBitbucketCredentials) names what was posted; without it the message speaks
 * of Atlassian API tokens, as it always did.
 */
export function buildLeakWarning(count: number, kinds: readonly CredentialKind[] = []): Message {
  const distinct = [...new Set(kinds)];
  const kind = distinct.length === 1 ? distinct[0]! : 'atlassian-api-token';
  const names = CREDENTIALS[kind];
  const mixed = distinct.length > 1;
  const what = count === 1 ? names.one : mixed ? `${count} Atlassian or Bitbucket credentials` : `${count} ${names.many}`;
  const it = count === 1 ? 'it' : 'each of them';
  const where = mixed ? distinct.map((k) => CREDENTIALS[k].revoke).join(' or ') : names.revoke;
  return {
    text:
      `:rotating_light: Your message contains what looks like ${what}. Treat ${it} as leaked: revoke ${it} now at ` +
      `${where}, create a new one, store it in your secret store, and delete the message. ` +
      'I did not store or log the value.',
  };
}

/** Notices about the chosen scopes (a write scope without its read scope), one line each. */
export function describeScopeNotices(notices: readonly Pick<ScopeNotice, 'message'>[]): string {
  return notices.map((n) => `:information_source: ${escapeMrkdwn(n.message)}`).join('\n');
}

/** `lead`, followed by the scope notices when there are any. */
const withNotices = (lead: string, notices: readonly Pick<ScopeNotice, 'message'>[]): Message =>
  notices.length === 0 ? { text: lead } : { text: truncate(`${lead}\n${describeScopeNotices(notices)}`, 4000) };

export function buildRequestConfirmation(name: string, notices: readonly Pick<ScopeNotice, 'message'>[] = []): Message {
  return withNotices(`:white_check_mark: I sent you a DM with the checklist for *${escapeMrkdwn(name)}*.`, notices);
}

/** The ephemeral answer to a request that waits for an approver. */
export function buildPendingReviewMessage(name: string, notices: readonly Pick<ScopeNotice, 'message'>[] = []): Message {
  return withNotices(`:hourglass_flowing_sand: *${escapeMrkdwn(name)}* needs an approver's review; I will DM you a link to it.`, notices);
}

/** Usage of the scopes sub-command. */
export function buildScopesUsage(): Message {
  const text =
    `Tell me the API calls the token will make and I answer with the minimal scopes: ` +
    `\`${COMMAND} scopes GET /repositories/{workspace}/{repo_slug}/pullrequests POST https://api.bitbucket.org/2.0/repositories/acme/web/pullrequests/1/comments\`. ` +
    'Separate calls with spaces, commas or new lines; paths may be the spec templates or real ones.';
  return { text, blocks: [section(text)] };
}

/** Most operations listed under one scope in the sub-command's answer. */
const ADVICE_OPERATIONS_SHOWN = 10;

/**
 * The answer to `/bitbucket-token scopes …`: the minimal scopes, each with the operations that
 * need it; or, when a call matches nothing (or has no scopes in the spec), what could not be
 * matched and no scopes at all. Within message limits: ≤ 36 blocks, sections ≤ 3000.
 */
export function buildScopeAdviceMessage(advice: OperationAdvice): Message {
  if (!advice.ok) {
    const lines = advice.problems.map((p) => `• ${escapeMrkdwn(p.message)}`);
    const text = truncate(
      `:warning: I could not match every call to an operation in Atlassian's API spec, so I advise no scopes (a partial answer would under-grant):\n${lines.join('\n')}\n` +
        'Fix or remove these calls and ask again; a path may be the spec template or a real one, with or without https://api.bitbucket.org/2.0.',
      3000,
    );
    return { text, blocks: [section(text)] };
  }
  const lead = `*Minimal scopes for ${advice.operations.length === 1 ? 'this call' : `these ${advice.operations.length} calls`}:* ${advice.scopes.map((s) => `\`${s}\``).join(', ')}`;
  const perScope = advice.reasons.map((reason) => {
    const shown = reason.operations
      .slice(0, ADVICE_OPERATIONS_SHOWN)
      .map((op) => `• \`${operationKey(op)}\` (${escapeMrkdwn(op.summary)})`);
    const more =
      reason.operations.length > ADVICE_OPERATIONS_SHOWN ? [`• and ${reason.operations.length - ADVICE_OPERATIONS_SHOWN} more`] : [];
    return section(`*\`${reason.scope}\`* is needed by:\n${[...shown, ...more].join('\n')}`);
  });
  const note = context("From Atlassian's OpenAPI spec: each operation needs all of its scopes, and scopes do not imply one another.");
  const text = truncate(
    `${lead.replace(/\*/g, '')}. ${advice.reasons.map((r) => `${r.scope}: ${r.operations.map(operationKey).join(', ')}`).join('; ')}`,
    3000,
  );
  return { text, blocks: [section(lead), ...perScope, note] };
}

export function describeReminderPlan(plan: readonly PlannedReminder[]): string {
  if (plan.length === 0) return 'It expires too soon for any reminder; replace it right away.';
  const when = plan.map((r) => `${formatLongDate(r.date)} (${r.daysBefore === 0 ? 'expiry day' : `${r.daysBefore} d before`})`);
  return `I will remind you on ${when.join(', ')}.`;
}

export function buildTokenRecordedMessage(
  token: TokenRecord,
  plan: readonly PlannedReminder[],
  alreadyRecorded: boolean,
  notices: readonly Pick<ScopeNotice, 'message'>[] = [],
): Message {
  const lead = alreadyRecorded
    ? `*${escapeMrkdwn(token.name)}* was already recorded.`
    : `:white_check_mark: Recorded *${escapeMrkdwn(token.name)}*, expiring ${formatLongDate(token.expiresOn)}.`;
  const text = `${lead} ${describeReminderPlan(plan)}`;
  return {
    text,
    blocks: [
      section(text),
      ...(notices.length > 0 ? [section(describeScopeNotices(notices))] : []),
      context('Only metadata is stored: name, scopes, workspace and expiry. Never the token.'),
    ],
  };
}

export const buildNotYoursMessage = (ownerId: string, what: string): Message => ({
  text: `Only <@${ownerId}> can ${what}.`,
});

export const buildPlainMessage = (text: string): Message => ({ text });

/**
 * The calendar feed address as a DM ("DM me the link" on the Home): on a phone a message can be
 * copied with a long press, Home tab text cannot. The address is the last line on its own.
 */
export function buildCalendarLinkMessage(url: string): Message & { unfurl_links: false; unfurl_media: false } {
  return {
    text: `Your calendar feed of token expiries (subscribe to it in your calendar app; keep it private):\n${url}`,
    blocks: [
      section(
        'Your calendar feed of token expiries. Subscribe to it in your calendar app, and keep it private: *Reset link* on my Home replaces it.',
      ),
      section(`\`\`\`${url}\`\`\``),
    ],
    unfurl_links: false,
    unfurl_media: false,
  };
}
