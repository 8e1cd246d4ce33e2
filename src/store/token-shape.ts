/**
 * The compact shape a token record is stored in. At 100,000 tokens every byte of a record is
 * 100 KB of Redis, so the stored JSON uses short field names, leaves out what is the default
 * (`status: "active"`) and drops the `:bitbucket` suffix every Bitbucket scope ends with
 * (BENCHMARKS.md, "Inventory"). Only the record's top-level fields and the history entries it
 * holds are renamed, and reminder copies stored as arrays; other nested objects (the rest of the
 * reminder state, Atlassian link, notices) are stored as they are.
 *
 * Records written before this shape (full field names, `id` present) still load: `unpackToken`
 * passes them through unchanged, and they are rewritten compactly on their next change.
 */

/** Record field → stored name. Every stored name is unique and none is a record field name. */
const SHORT = {
  id: 'i',
  ownerId: 'o',
  name: 'n',
  scopes: 's',
  workspace: 'w',
  expiresOn: 'e',
  createdAt: 'c',
  requestId: 'q',
  status: 'st',
  purpose: 'p',
  places: 'l',
  coOwners: 'co',
  teamChannelId: 'ch',
  reminder: 'r',
  source: 'src',
  atlassian: 'a',
  notices: 'x',
  firstEvent: 'h',
  events: 'H',
} as const;

/**
 * `events` is stored as its first entry under `H` (an object, as `h` is, so a new record is no
 * longer than one written before `events`) and the entries after it, if any, under `ev`.
 */
const LATER_EVENTS = 'ev';

/** History entry field → stored name; `at` is left out when it equals the record's `createdAt`. */
const EVENT_SHORT: Record<string, string> = { at: 'a', type: 't', by: 'b', detail: 'd' };
const EVENT_LONG: Record<string, string> = Object.fromEntries(Object.entries(EVENT_SHORT).map(([long, short]) => [short, long]));

const LONG: Record<string, string> = Object.fromEntries(Object.entries(SHORT).map(([long, short]) => [short, long]));

const SCOPE_SUFFIX = ':bitbucket';
const DEFAULT_STATUS = 'active';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored form of a (validated) token record. Fields this module does not know are kept
 * under their own name, so a field added later is never lost by packing.
 */
export function packToken(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (field === 'status' && value === DEFAULT_STATUS) continue;
    if (field === 'scopes' && Array.isArray(value)) {
      out[SHORT.scopes] = value.map((s) => (typeof s === 'string' && s.endsWith(SCOPE_SUFFIX) ? s.slice(0, -SCOPE_SUFFIX.length) : s));
      continue;
    }
    if (field === 'reminder' && isObject(value)) {
      out[SHORT.reminder] = mapCopies(value, packCopy);
      continue;
    }
    if (field === 'firstEvent' && isObject(value)) {
      out[SHORT.firstEvent] = packEvent(value, record['createdAt']);
      continue;
    }
    if (field === 'events' && Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      const [first, ...later] = value.map((event) => packEvent(event, record['createdAt']));
      out[SHORT.events] = first;
      if (later.length > 0) out[LATER_EVENTS] = later;
      continue;
    }
    out[(SHORT as Record<string, string>)[field] ?? field] = value;
  }
  return out;
}

/**
 * The record a stored value stands for: a compact record (no `id`, an `i`) is expanded; a record
 * in the earlier full shape, or anything else, is returned as it is for the schema to judge.
 */
export function unpackToken(stored: unknown): unknown {
  if (!isObject(stored) || 'id' in stored || !(SHORT.id in stored)) return stored;
  const out: Record<string, unknown> = { status: DEFAULT_STATUS };
  for (const [field, value] of Object.entries(stored)) {
    const long = LONG[field] ?? field;
    if (long === 'scopes' && Array.isArray(value)) {
      out[long] = value.map((s) => (typeof s === 'string' && !s.endsWith(SCOPE_SUFFIX) ? `${s}${SCOPE_SUFFIX}` : s));
    } else if (long === 'reminder' && isObject(value)) {
      out[long] = mapCopies(value, unpackCopy);
    } else if (long === 'firstEvent' && isObject(value)) {
      out[long] = unpackEvent(value, stored[SHORT.createdAt]);
    } else if (long === 'events' && isObject(value)) {
      const later = stored[LATER_EVENTS];
      out[long] = [value, ...(Array.isArray(later) ? later : [])].map((event) =>
        isObject(event) ? unpackEvent(event, stored[SHORT.createdAt]) : event,
      );
    } else if (field === LATER_EVENTS && SHORT.events in stored) {
      // Read with `H` above.
    } else {
      out[long] = value;
    }
  }
  return out;
}

/** A history entry with short field names, without its `at` when that is the record's `createdAt`. */
function packEvent(event: Record<string, unknown>, createdAt: unknown): Record<string, unknown> {
  return renameKeys(event, EVENT_SHORT, (k, v) => k === 'at' && v === createdAt);
}

function unpackEvent(event: Record<string, unknown>, createdAt: unknown): Record<string, unknown> {
  return { at: createdAt, ...renameKeys(event, EVENT_LONG, () => false) };
}

/**
 * A reminder copy (`{to, ch, ts}`: who, which conversation, which message) is stored as
 * `[to, ch, ts]`, or `[to, ts]` when it was posted in `to` itself (a channel), and a digest line
 * (`{to, ch, ts, d}`: the person's digest DM of local hour `d`) as `[to, ch, ts, d]`: a token
 * reminded to its owner, two co-owners and a team channel saves 70 to 100 bytes.
 */
function packCopy(copy: unknown): unknown {
  if (!isObject(copy)) return copy;
  const { to, ch, ts, d, ...rest } = copy;
  if (Object.keys(rest).length > 0 || typeof to !== 'string' || typeof ch !== 'string' || typeof ts !== 'string') return copy;
  if (typeof d === 'string') return [to, ch, ts, d];
  if (d !== undefined) return copy;
  return ch === to ? [to, ts] : [to, ch, ts];
}

function unpackCopy(copy: unknown): unknown {
  if (!Array.isArray(copy)) return copy;
  if (copy.length === 2) return { to: copy[0], ch: copy[0], ts: copy[1] };
  if (copy.length === 3) return { to: copy[0], ch: copy[1], ts: copy[2] };
  if (copy.length === 4) return { to: copy[0], ch: copy[1], ts: copy[2], d: copy[3] };
  return copy;
}

/** The reminder state with each copy (its `copies`, and its delivery's `sending.sent`) mapped. */
function mapCopies(reminder: Record<string, unknown>, map: (copy: unknown) => unknown): Record<string, unknown> {
  const out = { ...reminder };
  if (Array.isArray(out['copies'])) out['copies'] = out['copies'].map(map);
  const sending = out['sending'];
  if (isObject(sending) && Array.isArray(sending['sent'])) out['sending'] = { ...sending, sent: sending['sent'].map(map) };
  return out;
}

function renameKeys(
  value: Record<string, unknown>,
  names: Record<string, string>,
  omit: (key: string, value: unknown) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || omit(key, v)) continue;
    out[names[key] ?? key] = v;
  }
  return out;
}
