/**
 * The scope advisor: from what a token will call ("GET /repositories/acme/web/pullrequests",
 * a pasted https://api.bitbucket.org/2.0/... URL, or a spec template) to the minimal set of
 * Bitbucket API-token scopes, with the operations that need each one.
 *
 * Facts come only from the operations table derived from Atlassian's OpenAPI spec
 * (operations.generated.ts): each operation lists the scopes it needs, all of them required,
 * so the minimal set for several operations is the union of their lists. Nothing is guessed:
 * a call that matches no spec operation, or one the spec gives no scopes, is reported as such.
 */
import { OPERATION_ROWS } from './operations.generated.js';
import type { HttpMethod } from './operation-row.js';

/** One operation of the spec. */
export interface SpecOperation {
  method: HttpMethod;
  /** Path template as in the spec, e.g. `/repositories/{workspace}/{repo_slug}/pullrequests`. */
  path: string;
  summary: string;
  tag: string;
  /** API-token scopes, all required; empty when the spec lists none. */
  scopes: readonly string[];
  deprecated: boolean;
}

/** Every operation of the spec, sorted by path then method. */
export const OPERATIONS: readonly SpecOperation[] = Object.freeze(
  OPERATION_ROWS.map(([method, path, summary, tag, scopes, deprecated]) =>
    Object.freeze({ method: method as HttpMethod, path, summary, tag, scopes: Object.freeze([...scopes]), deprecated: deprecated === 1 }),
  ),
);

const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** The API's base URL; pasted URLs must start with it. */
export const API_BASE_URL = 'https://api.bitbucket.org/2.0';

/**
 * Path parameters whose values may contain slashes: branch and tag names (`feature/x`), file
 * paths, and revisions or commit ranges that name such branches. Any other parameter matches
 * exactly one path segment, so an unknown sub-path is never mistaken for a parameter value.
 */
const MULTI_SEGMENT_PARAMS = new Set(['name', 'path', 'revision', 'spec', 'revspec']);

/** `METHOD /template`, the key used to name an operation. */
export function operationKey(op: Pick<SpecOperation, 'method' | 'path'>): string {
  return `${op.method} ${op.path}`;
}

const BY_KEY = new Map(OPERATIONS.map((op) => [operationKey(op), op] as const));

/** The spec operation with exactly this method and path template, or undefined. */
export function findOperation(method: string, template: string): SpecOperation | undefined {
  return BY_KEY.get(`${method.toUpperCase()} ${template}`);
}

/** Operations that need `scope` (in table order). */
export function operationsNeeding(scope: string): SpecOperation[] {
  return OPERATIONS.filter((op) => op.scopes.includes(scope));
}

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; multi: boolean; optional: boolean }
  | { kind: 'mixed'; pattern: RegExp };

interface CompiledTemplate {
  path: string;
  segments: Segment[];
}

function compileSegment(text: string, isLast: boolean): Segment {
  const whole = /^\{([^{}]+)\}$/.exec(text);
  if (whole) {
    const name = whole[1]!;
    // A directory listing is /src/{commit}/ with an empty {path}.
    return { kind: 'param', multi: MULTI_SEGMENT_PARAMS.has(name), optional: isLast && name === 'path' };
  }
  if (!text.includes('{')) return { kind: 'literal', text };
  // e.g. {repo_name}-issues-{task_id}.zip
  const source = text
    .split(/(\{[^{}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return { kind: 'mixed', pattern: new RegExp(`^${source}$`) };
}

const TEMPLATES: readonly CompiledTemplate[] = [...new Set(OPERATIONS.map((op) => op.path))].map((path) => {
  const parts = path.split('/').filter(Boolean);
  return { path, segments: parts.map((p, i) => compileSegment(p, i === parts.length - 1)) };
});

/** How specific a match is: more literal segments first, then fewer segments spanned oddly. */
interface Rank {
  literals: number;
  mixed: number;
  /** Segments a multi-segment parameter spanned beyond one, or 1 for an empty one. */
  stretch: number;
}

const better = (a: Rank, b: Rank): boolean =>
  a.literals !== b.literals ? a.literals > b.literals : a.mixed !== b.mixed ? a.mixed > b.mixed : a.stretch < b.stretch;
const sameRank = (a: Rank, b: Rank): boolean => a.literals === b.literals && a.mixed === b.mixed && a.stretch === b.stretch;

/** The best rank with which `template` matches `parts`, or undefined when it does not match. */
function matchTemplate(template: CompiledTemplate, parts: readonly string[]): Rank | undefined {
  const { segments } = template;
  const walk = (si: number, pi: number): Rank | undefined => {
    if (si === segments.length) return pi === parts.length ? { literals: 0, mixed: 0, stretch: 0 } : undefined;
    const seg = segments[si]!;
    const add = (rest: Rank | undefined, delta: Partial<Rank>): Rank | undefined =>
      rest && {
        literals: rest.literals + (delta.literals ?? 0),
        mixed: rest.mixed + (delta.mixed ?? 0),
        stretch: rest.stretch + (delta.stretch ?? 0),
      };
    if (seg.kind === 'literal') return pi < parts.length && parts[pi] === seg.text ? add(walk(si + 1, pi + 1), { literals: 1 }) : undefined;
    if (seg.kind === 'mixed')
      return pi < parts.length && seg.pattern.test(parts[pi]!) ? add(walk(si + 1, pi + 1), { mixed: 1 }) : undefined;
    let best: Rank | undefined;
    const maxSpan = seg.multi ? parts.length - pi : Math.min(1, parts.length - pi);
    for (let span = seg.optional ? 0 : 1; span <= maxSpan; span++) {
      const rank = add(walk(si + 1, pi + span), { stretch: span === 1 ? 0 : span === 0 ? 1 : span - 1 });
      if (rank && (!best || better(rank, best))) best = rank;
    }
    return best;
  };
  return walk(0, 0);
}

/** A parsed `"<METHOD> <path-or-URL>"`. */
export interface OperationQuery {
  /** The text as given (trimmed). */
  text: string;
  method: HttpMethod;
  /** Path below /2.0, without query string or fragment, e.g. `/repositories/acme/web`. */
  path: string;
}

/**
 * Parses `"<METHOD> <path-or-URL>"`. The path may be a spec template or a concrete path, with
 * or without `https://api.bitbucket.org/2.0` (or `/2.0`); query strings are ignored.
 * Returns a message saying what is wrong when the text is not of that form.
 */
export function parseOperationQuery(text: string): { ok: true; query: OperationQuery } | { ok: false; error: string } {
  const trimmed = text.trim();
  const match = /^(\S+)\s+(\S+)$/.exec(trimmed);
  if (!match)
    return {
      ok: false,
      error: `expected "<METHOD> <path-or-URL>", e.g. "GET /repositories/{workspace}/{repo_slug}/pullrequests"; got "${trimmed}"`,
    };
  const method = match[1]!.toUpperCase();
  if (!HTTP_METHODS.includes(method as HttpMethod))
    return { ok: false, error: `"${match[1]}" is not an HTTP method (use one of ${HTTP_METHODS.join(', ')})` };
  let target = match[2]!;
  if (/^api\.bitbucket\.org\//i.test(target)) target = `https://${target}`;
  if (/^https?:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { ok: false, error: `"${target}" is not a valid URL` };
    }
    if (url.hostname.toLowerCase() !== 'api.bitbucket.org') {
      return { ok: false, error: `"${target}" is not a Bitbucket Cloud REST API URL: those start with ${API_BASE_URL}/` };
    }
    target = url.pathname;
    // URL() percent-encodes braces: give spec templates pasted as URLs their braces back.
    target = target.replace(/%7B/gi, '{').replace(/%7D/gi, '}');
  }
  let path = target.replace(/[?#].*$/, '');
  if (!path.startsWith('/')) path = `/${path}`;
  path = path.replace(/\/{2,}/g, '/');
  if (path === '/2.0' || path.startsWith('/2.0/')) path = path.slice(4) || '/';
  return { ok: true, query: { text: trimmed, method: method as HttpMethod, path } };
}

/** Outcome of {@link matchOperation}. */
export type OperationMatch =
  | { kind: 'matched'; operation: SpecOperation }
  | { kind: 'no-path'; message: string }
  | { kind: 'no-method'; message: string; methods: HttpMethod[] }
  | { kind: 'ambiguous'; message: string; templates: string[] };

/**
 * The spec operation a call stands for. The path is matched against every template; the most
 * specific match wins (literal segments beat parameters, so `/pullrequests/activity` is not
 * pull request "activity"), and only then is the method checked: a method the winning template
 * does not have is reported, never matched to a less specific template.
 */
export function matchOperation(query: Pick<OperationQuery, 'method' | 'path'>): OperationMatch {
  const parts = query.path.split('/').filter(Boolean);
  let best: Rank | undefined;
  let winners: string[] = [];
  for (const template of TEMPLATES) {
    const rank = matchTemplate(template, parts);
    if (!rank) continue;
    if (!best || better(rank, best)) {
      best = rank;
      winners = [template.path];
    } else if (sameRank(rank, best)) winners.push(template.path);
  }
  const call = `${query.method} ${query.path}`;
  if (winners.length === 0) return { kind: 'no-path', message: `${call}: no operation in Atlassian's spec has this path` };
  const withMethod = winners.map((t) => findOperation(query.method, t)).filter((op): op is SpecOperation => op !== undefined);
  if (withMethod.length === 1) return { kind: 'matched', operation: withMethod[0]! };
  if (withMethod.length > 1) {
    return {
      kind: 'ambiguous',
      message: `${call}: matches several spec operations equally (${withMethod.map(operationKey).join('; ')}): give the spec template instead`,
      templates: withMethod.map((o) => o.path),
    };
  }
  const methods = OPERATIONS.filter((op) => winners.includes(op.path)).map((op) => op.method);
  return {
    kind: 'no-method',
    message: `${call}: the spec has no ${query.method} operation on ${winners.join(' or ')} (it has ${[...new Set(methods)].join(', ')})`,
    methods,
  };
}

/** Per scope, the operations that need it. */
export interface ScopeReason {
  scope: string;
  operations: SpecOperation[];
}

/** Outcome of {@link adviseOperations}. */
export type OperationAdvice =
  | {
      ok: true;
      /** Minimal scopes, sorted by name. */
      scopes: string[];
      /** The matched operations, in the order asked, each once. */
      operations: SpecOperation[];
      /** Per scope (sorted by name), the operations that need it. */
      reasons: ScopeReason[];
    }
  | { ok: false; problems: Array<{ query: string; message: string }> };

/** Minimal scopes for a set of operations: the union of their (all-required) scope lists, sorted. */
export function unionScopes(operations: readonly Pick<SpecOperation, 'scopes'>[]): string[] {
  return [...new Set(operations.flatMap((op) => op.scopes))].sort();
}

/** Per scope (sorted by name), which of `operations` need it. */
export function explainScopes(operations: readonly SpecOperation[]): ScopeReason[] {
  return unionScopes(operations).map((scope) => ({ scope, operations: operations.filter((op) => op.scopes.includes(scope)) }));
}

/**
 * The minimal scopes for calls given as `"<METHOD> <path-or-URL>"`. Every call must match a
 * spec operation that lists scopes; otherwise the result names each call that did not and
 * gives no scopes at all, because a partial answer would under-grant.
 */
export function adviseOperations(calls: readonly string[]): OperationAdvice {
  const problems: Array<{ query: string; message: string }> = [];
  const found = new Map<string, SpecOperation>();
  for (const call of calls) {
    const parsed = parseOperationQuery(call);
    if (!parsed.ok) {
      problems.push({ query: call, message: parsed.error });
      continue;
    }
    const match = matchOperation(parsed.query);
    if (match.kind !== 'matched') {
      problems.push({ query: call, message: match.message });
      continue;
    }
    const op = match.operation;
    if (op.scopes.length === 0) {
      problems.push({
        query: call,
        message: `${operationKey(op)} ("${op.summary}") has no API-token scopes in Atlassian's spec, so no scope can be advised for it`,
      });
      continue;
    }
    if (!found.has(operationKey(op))) found.set(operationKey(op), op);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (found.size === 0) return { ok: false, problems: [{ query: '', message: 'no operation given' }] };
  const operations = [...found.values()];
  return { ok: true, scopes: unionScopes(operations), operations, reasons: explainScopes(operations) };
}

/**
 * Splits free text such as a slash command's into calls: `"GET /a POST /b"`, one per line, or
 * separated by commas, with URLs pasted as they are (Slack's `<url>` and `<url|label>` forms
 * unwrapped). A new call starts at every HTTP method; a comma inside a URL (a query string)
 * is kept. Anything that is not `METHOD path` stays as written, so the advisor names it.
 */
export function splitOperationCalls(text: string): string[] {
  const methods = HTTP_METHODS.join('|');
  const tokens = text
    .replace(new RegExp(`,\\s*(?=(?:${methods})\\s)`, 'gi'), ' ')
    .split(/\s+/)
    .map((t) => t.replace(/^<([^|>]+)(?:\|[^>]*)?>$/, '$1').replace(/,+$/, ''))
    .filter((t) => t !== '');
  const calls: string[][] = [];
  for (const token of tokens) {
    const current = calls.at(-1);
    if (HTTP_METHODS.includes(token.toUpperCase() as HttpMethod) || !current) calls.push([token]);
    else current.push(token);
  }
  return calls.map((parts) => parts.join(' '));
}
