import { COMMAND } from './ids.js';
import { formatLongDate } from '../domain/dates.js';
import type { PlannedReminder } from '../domain/reminders.js';
import type { CredentialKind } from '../domain/secrets.js';
import type { TokenRecord } from '../domain/types.js';
import type { KnownBlock } from '@slack/types';
import { context, escapeMrkdwn, section } from './text.js';

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
    `• My *Home* tab shows your tokens, your open requests and buttons to start a new one.\n` +
    `• When you have created the token, press *I've created the token* in the checklist and I will ` +
    `remind you before it expires.\n` +
    `I never need the token value: keep it in your secret store, never in Slack.`;
  return { text, blocks: [section(text)] };
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

export function buildRequestConfirmation(name: string): Message {
  return { text: `:white_check_mark: I sent you a DM with the checklist for *${escapeMrkdwn(name)}*.` };
}

export function describeReminderPlan(plan: readonly PlannedReminder[]): string {
  if (plan.length === 0) return 'It expires too soon for any reminder; replace it right away.';
  const when = plan.map((r) => `${formatLongDate(r.date)} (${r.daysBefore === 0 ? 'expiry day' : `${r.daysBefore} d before`})`);
  return `I will remind you on ${when.join(', ')}.`;
}

export function buildTokenRecordedMessage(token: TokenRecord, plan: readonly PlannedReminder[], alreadyRecorded: boolean): Message {
  const lead = alreadyRecorded
    ? `*${escapeMrkdwn(token.name)}* was already recorded.`
    : `:white_check_mark: Recorded *${escapeMrkdwn(token.name)}*, expiring ${formatLongDate(token.expiresOn)}.`;
  const text = `${lead} ${describeReminderPlan(plan)}`;
  return { text, blocks: [section(text), context('Only metadata is stored: name, scopes, workspace and expiry. Never the token.')] };
}

export const buildNotYoursMessage = (ownerId: string, what: string): Message => ({
  text: `Only <@${ownerId}> can ${what}.`,
});

export const buildPlainMessage = (text: string): Message => ({ text });
