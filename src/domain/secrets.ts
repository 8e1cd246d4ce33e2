/**
 * Detection and redaction of secret values (Atlassian API tokens, Bitbucket access tokens
 * and app passwords, Slack tokens) in text
 * that users type or that we are about to log. The bot must never store, log or echo a
 * token value, so anything that looks like one is replaced before it goes anywhere.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Patterns for secret values. Atlassian API tokens start with `ATATT3`; gitleaks pins the
 * length at 186 but Atlassian says the length varies, so we match the prefix and any run
 * of at least 10 token characters after it (scopes.md: "match the prefix, not the length").
 * Bitbucket repository/project/workspace access tokens start with `ATCTT3` and app passwords
 * with `ATBB` (Atlassian's answer on token prefixes, see
 * ../shared/reference/atlassian/admin-api-tokens.md). `ATBB` is short and could begin an
 * ordinary upper-case word, so it needs a longer tail (app passwords are about 36 characters).
 * Slack tokens: xoxb/xoxp/xoxa/xoxo/xoxs/xoxr, plus app-level `xapp-` tokens which the bot
 * itself is configured with.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /ATATT3[A-Za-z0-9_\-=]{10,}/g,
  /ATCTT3[A-Za-z0-9_\-=]{10,}/g,
  /ATBB[A-Za-z0-9_\-=]{20,}/g,
  /xox[abposr]-[A-Za-z0-9-]{10,}/g,
  /xapp-\d+-[A-Za-z0-9-]{10,}/g,
];

/** Every secret-looking substring of `text`, in order of appearance. */
export function findSecretLikeValues(text: string): string[] {
  const found: Array<{ index: number; value: string }> = [];
  for (const pattern of SECRET_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      found.push({ index: match.index, value: match[0] });
    }
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.value);
}

/** Which kind of credential a secret-looking value is. */
export type CredentialKind = 'atlassian-api-token' | 'bitbucket-access-token' | 'bitbucket-app-password' | 'slack-token';

/**
 * The kind of every Atlassian or Bitbucket credential in `text`, in order of appearance (Slack
 * tokens left out: the leak guard warns about credentials that reach Bitbucket). The values
 * themselves are not returned, so a caller cannot keep them by accident.
 */
export function findBitbucketCredentials(text: string): CredentialKind[] {
  return findSecretLikeValues(text).flatMap((value): CredentialKind[] => {
    if (value.startsWith('ATATT3')) return ['atlassian-api-token'];
    if (value.startsWith('ATCTT3')) return ['bitbucket-access-token'];
    if (value.startsWith('ATBB')) return ['bitbucket-app-password'];
    return [];
  });
}

/** True when `text` contains at least one secret-looking value. */
export function containsSecret(text: string): boolean {
  return SECRET_PATTERNS.some((pattern) => {
    pattern.lastIndex = 0; // global regexes keep state between test() calls
    const hit = pattern.test(text);
    pattern.lastIndex = 0;
    return hit;
  });
}

/** `text` with every secret-looking value replaced by {@link REDACTED}. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

const MAX_DEPTH = 20;

/**
 * A copy of `value` with every string (including object keys' values inside arrays, plain
 * objects and Errors) redacted. Used by the logger so a token that slips into a payload
 * or error message is never written out. Cycles become "[Circular]"; other objects
 * (Dates, Buffers, class instances) are returned as they are because they rarely carry
 * user text and copying them would change how they serialise.
 */
export function redactDeep(value: unknown): unknown {
  return walk(value, new WeakSet<object>(), 0);
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';

  if (Array.isArray(value)) {
    seen.add(value);
    const copy = value.map((item) => walk(item, seen, depth + 1));
    seen.delete(value);
    return copy;
  }

  if (value instanceof Error) {
    seen.add(value);
    // Same prototype so `instanceof` and pino's err serializer still work; message and
    // stack are own but non-enumerable, so copy all own property names.
    // A DOMException (e.g. fetch's TimeoutError, found in Slack client errors) keeps name and
    // message in internal slots read by prototype getters, which throw on a copy: copy those
    // two as own properties onto a plain Error instead.
    const platform = typeof DOMException !== 'undefined' && value instanceof DOMException;
    const copy = Object.create(platform ? Error.prototype : (Object.getPrototypeOf(value) as object)) as Record<string, unknown>;
    if (platform) {
      Object.defineProperty(copy, 'name', { value: value.name, writable: true, configurable: true });
      Object.defineProperty(copy, 'message', { value: redactSecrets(value.message), writable: true, configurable: true });
    }
    for (const key of Object.getOwnPropertyNames(value)) {
      const v: unknown = (value as unknown as Record<string, unknown>)[key];
      Object.defineProperty(copy, key, {
        value: walk(v, seen, depth + 1),
        enumerable: Object.prototype.propertyIsEnumerable.call(value, key),
        writable: true,
        configurable: true,
      });
    }
    seen.delete(value);
    return copy;
  }

  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;

  seen.add(value);
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) copy[key] = walk(v, seen, depth + 1);
  seen.delete(value);
  return copy;
}

// A "word" long and random enough to be a credential (GitHub PATs, hex keys, base64 secrets).
const LONG_RUN = /^[A-Za-z0-9_\-=+/]{32,}$/;

/**
 * True when a proposed token *name* is probably a secret: it contains an Atlassian, Bitbucket
 * or Slack token, or one of its words is a long high-entropy run (≥ 32 characters of token
 * characters mixing letters and digits, with random-looking segments). Long descriptive
 * names such as "deeptraq-bitbucket-integration-production-2026" are not flagged.
 */
export function looksLikeSecretName(name: string): boolean {
  if (containsSecret(name)) return true;
  return name.split(/\s+/).some(isHighEntropyRun);
}

function isHighEntropyRun(word: string): boolean {
  if (!LONG_RUN.test(word)) return false;
  if (!/[A-Za-z]/.test(word) || !/[0-9]/.test(word)) return false;
  // Words joined by separators read as a name; a secret has at least one long segment.
  const segments = word.split(/[-_./]/);
  return segments.some((seg) => seg.length >= 20 && /[A-Za-z]/.test(seg) && /[0-9]/.test(seg) && looksRandom(seg));
}

function looksRandom(segment: string): boolean {
  // Letters and digits that alternate several times ("a3f9c2...") are typical of random
  // strings; words followed by a year ("production2026") switch only once.
  const transitions = (segment.match(/[A-Za-z](?=[0-9])|[0-9](?=[A-Za-z])/g) ?? []).length;
  if (transitions >= 4) return true;
  return shannonEntropy(segment) >= 4;
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
