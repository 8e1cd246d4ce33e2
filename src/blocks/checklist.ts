/**
 * Block Kit DM carrying a personalised token checklist, with the "I've created the token"
 * button that lets the owner record the token (metadata only) for expiry reminders.
 * Stays within Slack's message limits (reference/slack/limits.md): ≤ 50 blocks, section
 * text ≤ 3000, ≤ 10 fields of ≤ 2000, header ≤ 150, fallback text ≤ 4000.
 */
import type { KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { buildChecklist, type Checklist, type ChecklistStep } from '../domain/checklist.js';
import type { TokenRequest } from '../domain/types.js';
import { redactSecrets } from '../domain/secrets.js';
import { describeMissingReads } from '../domain/scope-checks.js';
import { ACTION, BLOCK } from './ids.js';

/** Options for {@link buildChecklistMessage}. */
export interface ChecklistMessageOptions {
  /** Id of the approved request; carried by the record button. */
  requestId: string;
  tokenName: string;
  /**
   * Bot-authored mrkdwn shown under the intro, e.g. "Approved by <@U123>.". Not escaped, so
   * mentions work: escape any user-typed text (a reason) before putting it in here.
   */
  approvedNote?: string;
  /** Sentences about the scopes (a write scope without its read scope), shown after the steps. */
  scopeNotices?: readonly string[];
}

/** A chat.postMessage body: fallback text plus blocks. */
export interface ChecklistMessage {
  text: string;
  blocks: KnownBlock[];
}

export const CHECKLIST_HEADER = 'Your Bitbucket API token checklist';
export const RECORD_BUTTON_TEXT = "I've created the token";
/** Title of a renewal's rotation steps (after the guide's steps). */
export const ROTATION_TITLE = 'Rotate: swap the new token in, then revoke the old one';

/** Slack limits this builder keeps to. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  header: 150,
  messageText: 4000,
  buttonValue: 2000,
} as const;

// Steps are shown in the guide's natural phases; a phase that outgrows a section is split.
const PHASES: ReadonlyArray<{ title: string; from: number; to: number }> = [
  { title: 'Open the token screen', from: 1, to: 5 },
  { title: 'Name, expiry and type', from: 6, to: 9 },
  { title: 'Scopes', from: 10, to: 12 },
  { title: 'Generate and store', from: 13, to: 14 },
];

/** Escapes user text for mrkdwn so names cannot ping channels or inject links. */
function esc(text: string): string {
  return redactSecrets(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function section(blockId: string, text: string): SectionBlock {
  return {
    type: 'section',
    block_id: blockId,
    text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) },
  };
}

// Scope names in code style are easy to spot and copy into Atlassian's scope search.
const SCOPE_NAME = /\b(?:read|write|admin|delete):[a-z-]+:bitbucket\b/g;

function stepLine(step: ChecklistStep): string {
  return `${step.n}. ${esc(step.text).replace(SCOPE_NAME, (name) => `\`${name}\``)}`;
}

/** Groups step lines into section texts of at most the section limit. */
function stepSections(steps: readonly ChecklistStep[]): string[] {
  const texts: string[] = [];
  const used = new Set<number>();
  const phases = [...PHASES];
  // Any step outside the known phases (should not happen) still gets shown.
  const extra = steps.filter((s) => !PHASES.some((p) => s.n >= p.from && s.n <= p.to));
  if (extra.length > 0) phases.push({ title: 'More', from: -Infinity, to: Infinity });

  for (const phase of phases) {
    const inPhase = steps.filter((s) => s.n >= phase.from && s.n <= phase.to && !used.has(s.n));
    if (inPhase.length === 0) continue;
    let current = `*${phase.title}*`;
    for (const step of inPhase) {
      used.add(step.n);
      const line = stepLine(step);
      if (current.length + 1 + line.length > LIMITS.sectionText && current !== '') {
        texts.push(current);
        current = line;
      } else {
        current = current === '' ? line : `${current}\n${line}`;
      }
    }
    if (current !== '') texts.push(current);
  }
  return texts;
}

/** Builds the checklist DM. */
export function buildChecklistMessage(checklist: Checklist, opts: ChecklistMessageOptions): ChecklistMessage {
  const blocks: KnownBlock[] = [];

  blocks.push({
    type: 'header',
    block_id: 'checklist_header',
    text: { type: 'plain_text', text: truncate(CHECKLIST_HEADER, LIMITS.header), emoji: true },
  });

  const intro = [
    `Here is how to create *${esc(opts.tokenName)}* with exactly the scopes you asked for.`,
    opts.approvedNote ? redactSecrets(opts.approvedNote) : '',
  ]
    .filter(Boolean)
    .join('\n');
  blocks.push(section('checklist_intro', intro));

  for (const [i, text] of stepSections(checklist.steps).entries()) blocks.push(section(`checklist_steps_${i + 1}`, text));

  if (checklist.rotation && checklist.rotation.length > 0) {
    blocks.push(section('checklist_rotation', [`*${ROTATION_TITLE}*`, ...checklist.rotation.map(stepLine)].join('\n')));
  }

  if (opts.scopeNotices && opts.scopeNotices.length > 0) {
    blocks.push(section('checklist_scope_notices', opts.scopeNotices.map((n) => `:information_source: ${esc(n)}`).join('\n')));
  }

  blocks.push({ type: 'divider', block_id: 'checklist_divider' });

  const fields = checklist.fields.slice(0, LIMITS.fields).map(
    (f): MrkdwnElement => ({
      type: 'mrkdwn',
      text: truncate(`*${esc(f.field)}*\n${esc(f.value)}`, LIMITS.fieldText),
    }),
  );
  if (fields.length > 0) {
    blocks.push({
      type: 'section',
      block_id: 'checklist_fields',
      text: { type: 'mrkdwn', text: '*Field reference*' },
      fields,
    });
  }

  blocks.push(section('checklist_warning', `:warning: ${esc(checklist.warning)}`));

  blocks.push({
    type: 'actions',
    block_id: BLOCK.checklistActions,
    elements: [
      {
        type: 'button',
        action_id: ACTION.recordToken,
        style: 'primary',
        text: { type: 'plain_text', text: RECORD_BUTTON_TEXT, emoji: true },
        value: opts.requestId.slice(0, LIMITS.buttonValue),
      },
    ],
  });

  const text = truncate(
    `${CHECKLIST_HEADER} for "${esc(opts.tokenName)}": ${checklist.steps.length + (checklist.rotation?.length ?? 0)} steps. ${esc(checklist.warning)}`,
    LIMITS.messageText,
  );

  // At most 2 + 4-ish step sections + 4 blocks: far below the 50-block limit by construction.
  return { text, blocks };
}

/** The checklist DM for a request, built from the stored record only (never from a payload). */
export function buildChecklistForRequest(request: TokenRequest, approvedNote?: string): ChecklistMessage {
  const checklist = buildChecklist({
    name: request.name,
    expiresOn: request.expiresOn,
    scopes: request.approvedScopes ?? request.scopes,
    workspace: request.workspace,
    ...(request.renewsTokenId ? { renewal: { places: request.places ?? [] } } : {}),
  });
  // Built from the stored scopes, so the first send, a retry and an approver's narrowing agree.
  const scopeNotices = describeMissingReads(request.approvedScopes ?? request.scopes).map((n) => n.message);
  return buildChecklistMessage(checklist, { requestId: request.id, tokenName: request.name, approvedNote, scopeNotices });
}
