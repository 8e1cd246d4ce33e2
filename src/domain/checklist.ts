/**
 * The personalised setup checklist: the seed guide's 14 steps
 * (../shared/reference/seed/bitbucket-scoped-api-token-guide.txt), in its order and
 * wording, with the requester's own values filled in where a step is about them, plus the
 * guide's Field Reference table with this token's values. Plain text: Block Kit builders
 * escape and format it.
 */
import { daysBetween, formatLongDate, todayIn } from './dates.js';
import { sortScopes } from './scopes.js';

/** One numbered step of the checklist. */
export interface ChecklistStep {
  /** 1-based step number, as in the guide. */
  n: number;
  text: string;
}

/** One row of the guide's Field Reference table, with this token's value. */
export interface ChecklistField {
  field: string;
  description: string;
  value: string;
}

/** Everything needed to render the checklist message. */
export interface Checklist {
  /** Exactly the guide's 14 steps, in order. */
  steps: ChecklistStep[];
  /** Token Name, Expiration Date, Token Type, Scopes, Repository Access (+ Workspace when limited). */
  fields: ChecklistField[];
  /** How the token can act on repositories, e.g. "Read and Write". */
  repositoryAccess: string;
  /** The token is shown once: where to put it, and where never to. */
  warning: string;
  /**
   * A renewal only: after the guide's 14 steps, how to swap the new token in (numbered on from
   * 15): update each place it is stored, verify the integration, then revoke the old token.
   */
  rotation?: ChecklistStep[];
}

/** What the checklist is built from (a validated request). */
export interface ChecklistInput {
  name: string;
  /** YYYY-MM-DD */
  expiresOn: string;
  scopes: string[];
  workspace?: string;
  /** Set when the token replaces an existing one: the checklist ends with rotation steps. */
  renewal?: {
    /** Where the old token is stored ("Stored in"); empty when nobody said. */
    places: readonly string[];
  };
}

/** Optional clock and zone: when given, the expiry also says how many days away it is. */
export interface ChecklistContext {
  now?: Date;
  timeZone?: string;
}

/** The token type to choose in Atlassian's screen (the guide's wording). */
export const TOKEN_TYPE = 'Bitbucket API token';

/** The once-only warning shown with every checklist. */
export const TOKEN_WARNING =
  "Bitbucket shows the token only once. Copy it straight into your secret store (a vault or your CI system's secret variables) and nowhere else: never paste it into Slack, a ticket or chat. If it leaks, revoke it at id.atlassian.com and create a new one.";

const REPOSITORY_PARTS: ReadonlyArray<{ scope: string; label: string }> = [
  { scope: 'read:repository:bitbucket', label: 'Read' },
  { scope: 'write:repository:bitbucket', label: 'Write' },
  { scope: 'admin:repository:bitbucket', label: 'Admin' },
  { scope: 'delete:repository:bitbucket', label: 'Delete' },
];

/**
 * Repository access implied by the repository scopes, in the guide's style: "Read and
 * Write", "Read", "Write", "Admin", "Read, Write and Admin", ..., or
 * "None (no repository scopes)".
 */
export function describeRepositoryAccess(scopes: readonly string[]): string {
  const present = new Set(scopes);
  const labels = REPOSITORY_PARTS.filter((p) => present.has(p.scope)).map((p) => p.label);
  if (labels.length === 0) return 'None (no repository scopes)';
  if (labels.length === 1) return labels[0] ?? '';
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

function describeExpiry(expiresOn: string, ctx: ChecklistContext | undefined): string {
  const base = `${formatLongDate(expiresOn)} (${expiresOn})`;
  if (!ctx?.now) return base;
  const days = daysBetween(todayIn(ctx.timeZone ?? 'UTC', ctx.now), expiresOn);
  if (days < 1) return base;
  return `${base}, ${days} day${days === 1 ? '' : 's'} from today`;
}

/** Builds the personalised 14-step checklist and field reference for one token. */
export function buildChecklist(input: ChecklistInput, ctx?: ChecklistContext): Checklist {
  const scopes = sortScopes(input.scopes);
  const scopeList = scopes.length > 0 ? scopes.join(', ') : '(none)';
  const count = `${scopes.length} scope${scopes.length === 1 ? '' : 's'}`;
  const expiry = describeExpiry(input.expiresOn, ctx);
  const repositoryAccess = describeRepositoryAccess(scopes);
  const workspace = input.workspace;

  const texts: string[] = [
    workspace ? `Sign in to your Bitbucket account (one with access to the ${workspace} workspace).` : 'Sign in to your Bitbucket account.',
    'Open your profile menu and navigate to Account Settings.',
    'In the settings menu, go to Security.',
    'Select API Tokens to manage tokens for programmatic access.',
    'Click Create API Token (shown as "Create API token with scopes") to begin generating a new token.',
    `Provide a token name that clearly identifies the purpose of the integration: ${input.name}`,
    `Set an expiration date to automatically revoke the token after a defined period: ${expiry}.`,
    workspace
      ? `Proceed to the token configuration section. If it offers to limit the token to one workspace, choose ${workspace}.`
      : 'Proceed to the token configuration section.',
    `Choose ${TOKEN_TYPE} as the token type (the app is Bitbucket).`,
    `Select the required scopes and permissions depending on your integration needs: this token needs exactly ${count}, no more.`,
    `Search and add each of these scopes: ${scopeList}. Add read scopes as well as write ones: Bitbucket scopes do not imply each other.`,
    `Review the selected scopes and permissions before generating the token: the list should be exactly ${scopeList} (repository access: ${repositoryAccess}).`,
    'Click Generate token.',
    `Copy the generated token immediately and store it securely. Bitbucket displays the token only once for security reasons: put it straight into your secret store (vault or CI secret) and never paste it into Slack.`,
  ];

  const fields: ChecklistField[] = [
    { field: 'Token Name', description: 'A descriptive name used to identify the token later', value: input.name },
    { field: 'Expiration Date', description: 'Defines when the token will automatically expire', value: expiry },
    { field: 'Token Type', description: 'Specifies the type of token being created', value: TOKEN_TYPE },
    { field: 'Scopes', description: 'Defines the permissions granted to the token', value: scopeList },
    {
      field: 'Repository Access',
      description: 'Determines which repository actions the token can perform',
      value: repositoryAccess,
    },
  ];
  if (workspace) {
    fields.push({ field: 'Workspace', description: 'The only workspace the token should reach', value: workspace });
  }

  const steps = texts.map((text, i) => ({ n: i + 1, text }));
  return {
    steps,
    fields,
    repositoryAccess,
    warning: TOKEN_WARNING,
    ...(input.renewal ? { rotation: buildRotationSteps(input.renewal.places, steps.length + 1) } : {}),
  };
}

/**
 * The rotation steps that end a renewal's checklist, numbered from `first`: one per place the
 * old token is stored (or one asking to find them all), then verify, then revoke the old one.
 * The order matters: revoking first would break the integration until every place is updated.
 */
export function buildRotationSteps(places: readonly string[], first: number): ChecklistStep[] {
  const texts =
    places.length > 0
      ? places.map((place) => `Replace the old token with the new one in ${place}.`)
      : ['Replace the old token with the new one everywhere it is stored (every CI variable, vault secret or server that uses it).'];
  texts.push(
    'Verify the integration works with the new token (run its pipeline or a test call) before going on.',
    'Revoke the old token at id.atlassian.com → Security → API tokens → Revoke (if both have the same name, it is the one with the earlier expiry).',
  );
  return texts.map((text, i) => ({ n: first + i, text }));
}
