/**
 * The token inventory as CSV: which columns an import file may have, how one row becomes a
 * TokenRecord (or a list of problems, each with its line and column), and how records and
 * their history become export rows. Pure: the clock is an argument.
 *
 * A cell that looks like a token value is refused and never echoed: the problem names the
 * line and column only.
 */
import { z } from 'zod';
import { addDays, isIsoDate, todayIn } from './dates.js';
import { MAX_EXPIRY_DAYS } from './limits.js';
import { REQUEST_ID, TOKEN_ID, tokenIdForImport } from './record-ids.js';
import { assessScopes, type ScopeNotice } from './scope-checks.js';
import { containsSecret } from './secrets.js';
import type { TokenEvent, TokenRecord, TokenStatus } from './types.js';
import { checkName, checkPlaces, checkPurpose, checkWorkspace, echo } from './validation.js';
import { checkTeam } from './team.js';

/** Columns every import file must have. */
export const REQUIRED_COLUMNS = ['owner_id', 'name', 'scopes', 'expires_on'] as const;
/** Columns an import file may have. The export writes all of them, so an export imports as is. */
export const OPTIONAL_COLUMNS = [
  'id',
  'workspace',
  'purpose',
  'created_at',
  'status',
  'request_id',
  'stored_in',
  'co_owners',
  'team_channel',
] as const;
/**
 * Column order of a token export (and of a complete import file). `stored_in` holds the
 * "Stored in" places one per line inside the cell (the CSV writer quotes it); `co_owners` the
 * co-owners' Slack user ids separated by spaces; `team_channel` a channel id.
 */
export const TOKEN_COLUMNS = [
  'id',
  ...REQUIRED_COLUMNS,
  'workspace',
  'purpose',
  'status',
  'created_at',
  'request_id',
  'stored_in',
  'co_owners',
  'team_channel',
] as const;
/** Column order of a history export: one row per event, with enough of the token to read it alone. */
export const HISTORY_COLUMNS = ['token_id', 'owner_id', 'name', 'at', 'type', 'by', 'detail'] as const;

export type ImportColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const KNOWN_COLUMNS: ReadonlySet<string> = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
const STATUSES = ['active', 'rotated', 'revoked', 'expired'] as const satisfies readonly TokenStatus[];

/** One problem in an import file. `line` is the 1-based line in the file (the header is line 1). */
export interface RowIssue {
  line: number;
  column?: string;
  message: string;
}

/** Shown instead of a cell that looks like a token value. */
export const SECRET_CELL_MESSAGE =
  'looks like a token value: remove it from the file (and revoke the token if it is real); the value is not shown';

/**
 * Checks the header row. Returns the column names in file order, or the problems: a missing
 * required column, an unknown or repeated one, or a header cell holding a token value.
 */
export function checkImportHeader(cells: readonly string[]): { columns: string[] } | { issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const columns = cells.map((c) => c.trim().toLowerCase());
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    if (containsSecret(cells[i] ?? '')) issues.push({ line: 1, message: `header cell ${i + 1} ${SECRET_CELL_MESSAGE}` });
    else if (!KNOWN_COLUMNS.has(column)) {
      issues.push({
        line: 1,
        message: `unknown column "${echo(column)}": the columns are ${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(', ')}`,
      });
    } else if (seen.has(column)) issues.push({ line: 1, message: `column ${column} appears twice` });
    seen.add(column);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) issues.push({ line: 1, message: `missing required column ${required}` });
  }
  return issues.length > 0 ? { issues } : { columns };
}

// Spreadsheets run cells that start with these as formulas; the export prefixes them with '.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell made safe to open in a spreadsheet: a leading formula character gets a ' in front. */
export function guardCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Reverses {@link guardCell}, so an export imports unchanged. */
export function unguardCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

const blankToUndefined = (v: string) => (v.trim() === '' ? undefined : v.trim());
const fromCheck = (check: (v: string) => string | undefined) => (v: string, ctx: z.RefinementCtx) => {
  const message = check(v);
  if (message) ctx.addIssue({ code: 'custom', message });
};

/** Builds the zod schema of one row; `today` (UTC) bounds the expiry date. */
function rowSchema(today: string, nowMs: number) {
  const optionalText = <T extends z.ZodType<unknown, string | undefined>>(schema: T) =>
    z.string().default('').transform(blankToUndefined).pipe(schema);
  return z.object({
    id: optionalText(
      z.string().regex(TOKEN_ID, 'must be a token id such as tabcdefghijklmnop (t and 16 of a-z, 2-7), or empty').optional(),
    ),
    owner_id: z
      .string()
      .trim()
      .regex(/^[UW][A-Z0-9]{1,20}$/, "must be the owner's Slack user id, such as U0123ABCD"),
    name: z.string().trim().min(1, 'is required').superRefine(fromCheck(checkName)),
    // Judged exactly as the record modal judges them (scope-checks.ts), so both accept the same sets.
    scopes: z
      .string()
      .transform((v) => assessScopes(v.split(/[\s,]+/).filter(Boolean)))
      .superRefine((assessment, ctx) => {
        const { unknown } = assessment;
        if (unknown.length > 0) {
          const hints = unknown.flatMap((u) => (u.hint ? [u.hint] : []));
          const advice = hints.length > 0 ? hints.join('; ') : 'use exact names such as read:repository:bitbucket';
          ctx.addIssue({ code: 'custom', message: `unknown scope ${unknown.map((u) => `"${echo(u.name)}"`).join(', ')}: ${advice}` });
        } else if (assessment.scopes.length === 0)
          ctx.addIssue({ code: 'custom', message: "is required: list the token's scopes separated by spaces or commas" });
        else if (assessment.permissionError) ctx.addIssue({ code: 'custom', message: assessment.permissionError });
      }),
    expires_on: z
      .string()
      .trim()
      .refine(isIsoDate, 'must be a real date in the form YYYY-MM-DD')
      .refine(
        (d) => d <= addDays(today, MAX_EXPIRY_DAYS),
        `must be at most ${MAX_EXPIRY_DAYS} days from today: Bitbucket API tokens cannot live longer`,
      ),
    workspace: optionalText(z.string().superRefine(fromCheck(checkWorkspace)).optional()),
    purpose: optionalText(z.string().superRefine(fromCheck(checkPurpose)).optional()),
    created_at: optionalText(
      z
        .string()
        .refine(
          (v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
          'must be a date (YYYY-MM-DD) or an ISO 8601 date-time',
        )
        .transform((v) => Date.parse(v))
        .refine((ms) => ms <= nowMs, 'cannot be in the future')
        .optional(),
    ),
    status: optionalText(z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}, or empty` }).optional()),
    request_id: optionalText(z.string().regex(REQUEST_ID, 'must be a request id (r and 16 of a-z, 2-7), or empty').optional()),
    stored_in: z
      .string()
      .default('')
      .transform((v, ctx) => {
        const check = checkPlaces(v);
        if ('places' in check) return check.places;
        ctx.addIssue({ code: 'custom', message: check.error });
        return z.NEVER;
      }),
    // Checked against the owner once the row is parsed (checkTeam).
    co_owners: z
      .string()
      .default('')
      .transform((v) => v.split(/[\s,]+/).filter(Boolean)),
    team_channel: z.string().trim().default(''),
  });
}

// Building a zod schema costs far more than using one: keep the last one (an import uses one `now`).
let cached: { nowMs: number; today: string; schema: ReturnType<typeof rowSchema> } | undefined;
function schemaFor(now: Date): { today: string; schema: ReturnType<typeof rowSchema> } {
  if (cached?.nowMs !== now.getTime()) {
    const today = todayIn('UTC', now);
    cached = { nowMs: now.getTime(), today, schema: rowSchema(today, now.getTime()) };
  }
  return cached;
}

export interface ParsedRow {
  token: TokenRecord;
  warnings: RowIssue[];
}

/**
 * Validates one data row (cells keyed by column) found at `line`. Every cell is checked for
 * token values first; such a cell is reported without its value and not validated further.
 * Scopes are accepted exactly when the record modal accepts them (scope-checks.ts); a write
 * scope without its read scope is a warning naming what the token lacks, not an error, since
 * Atlassian issues such tokens. Without a status column, a token whose expiry has passed is
 * imported as `expired`.
 */
export function parseImportRow(cells: Readonly<Record<string, string>>, line: number, now: Date): ParsedRow | { issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const clean: Record<string, string> = {};
  for (const [column, raw] of Object.entries(cells)) {
    if (containsSecret(raw)) issues.push({ line, column, message: SECRET_CELL_MESSAGE });
    else clean[column] = unguardCell(raw);
  }
  const { today, schema } = schemaFor(now);
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    const flagged = new Set(issues.map((i) => i.column));
    for (const issue of parsed.error.issues) {
      const column = String(issue.path[0] ?? '');
      if (flagged.has(column)) continue;
      flagged.add(column);
      issues.push({ line, column, message: clean[column] === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message });
    }
  }
  if (issues.length > 0 || !parsed.success) return { issues };
  const row = parsed.data;
  const team = checkTeam({ coOwners: row.co_owners, teamChannelId: row.team_channel }, row.owner_id);
  if (team.errors.coOwners) issues.push({ line, column: 'co_owners', message: team.errors.coOwners });
  if (team.errors.teamChannel) issues.push({ line, column: 'team_channel', message: team.errors.teamChannel });
  if (issues.length > 0) return { issues };
  const token: TokenRecord = {
    id: row.id ?? tokenIdForImport([row.owner_id, row.name, row.workspace ?? '', row.expires_on]),
    ownerId: row.owner_id,
    name: row.name,
    scopes: row.scopes.scopes,
    expiresOn: row.expires_on,
    createdAt: row.created_at ?? now.getTime(),
    status: row.status ?? (row.expires_on < today ? 'expired' : 'active'),
  };
  if (row.workspace) token.workspace = row.workspace;
  if (row.purpose) token.purpose = row.purpose;
  if (row.request_id) token.requestId = row.request_id;
  if (row.stored_in.length > 0) token.places = row.stored_in;
  if (team.coOwners) token.coOwners = team.coOwners;
  if (team.teamChannelId) token.teamChannelId = team.teamChannelId;
  const warnings = row.scopes.notices.map((notice: ScopeNotice) => ({ line, column: 'scopes', message: notice.message }));
  return { token, warnings };
}

/** One export row of a token: every column of {@link TOKEN_COLUMNS}, formula-guarded. */
export function toTokenRow(token: TokenRecord): Record<(typeof TOKEN_COLUMNS)[number], string> {
  return {
    id: token.id,
    owner_id: token.ownerId,
    name: guardCell(token.name),
    scopes: token.scopes.join(' '),
    expires_on: token.expiresOn,
    workspace: token.workspace ?? '',
    purpose: guardCell(token.purpose ?? ''),
    status: token.status,
    created_at: new Date(token.createdAt).toISOString(),
    request_id: token.requestId ?? '',
    stored_in: guardCell((token.places ?? []).join('\n')),
    co_owners: (token.coOwners ?? []).join(' '),
    team_channel: token.teamChannelId ?? '',
  };
}

/** One export row of a history event. */
export function toHistoryRow(token: TokenRecord, event: TokenEvent): Record<(typeof HISTORY_COLUMNS)[number], string> {
  return {
    token_id: token.id,
    owner_id: token.ownerId,
    name: guardCell(token.name),
    at: new Date(event.at).toISOString(),
    type: event.type,
    by: event.by ?? '',
    detail: guardCell(event.detail ?? ''),
  };
}
