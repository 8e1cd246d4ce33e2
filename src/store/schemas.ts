import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { TokenEvent, TokenRecord, TokenRequest } from '../domain/types.js';
import { REQUEST_ID, TOKEN_ID } from '../domain/record-ids.js';
import { MAX_UNRESOLVED_CLAIMS } from '../domain/reminders.js';
import { PLACE_MAX, PLACES_MAX } from '../domain/limits.js';
import { coOwnerListSchema, teamChannelSchema } from '../domain/team.js';
import { packToken, unpackToken } from './token-shape.js';

/** Records are validated on the way in and out: a record that breaks the schema is never written. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const userId = z.string().regex(/^[UW][A-Z0-9]{1,20}$/);
const scopeList = z.array(z.string().regex(/^[a-z]+:[a-z-]+:bitbucket$/)).min(1);
const placeList = z.array(z.string().min(1).max(PLACE_MAX)).min(1).max(PLACES_MAX);
const claimSchema = z.object({ threshold: z.number().int().min(-1), at: z.number().int(), by: z.string().max(200) });
/** Owner, five co-owners, a team channel (or the fallback channel): at most seven copies. */
const copyList = z
  .array(
    z.object({
      to: z.string().max(32),
      ch: z.string().max(32),
      ts: z.string().max(32),
      d: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)
        .optional(),
    }),
  )
  .max(8);

export const requestSchema = z.object({
  id: z.string().regex(REQUEST_ID),
  requesterId: userId,
  channelId: z.string().max(64).optional(),
  status: z.enum(['pending_approval', 'approved', 'rejected', 'cancelled', 'expired', 'created']),
  presetId: z.string().max(32),
  name: z.string().min(1).max(100),
  expiresOn: isoDate,
  scopes: scopeList,
  workspace: z.string().max(62).optional(),
  purpose: z.string().max(3000).optional(),
  places: placeList.optional(),
  coOwners: coOwnerListSchema.optional(),
  teamChannelId: teamChannelSchema.optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  approvedScopes: scopeList.optional(),
  decidedBy: userId.optional(),
  decidedAt: z.number().int().optional(),
  reason: z.string().max(3000).optional(),
  tokenId: z.string().regex(TOKEN_ID).optional(),
  renewsTokenId: z.string().regex(TOKEN_ID).optional(),
  reviewReasons: z.array(z.string().max(500)).max(10).optional(),
  approvalChannelId: z.string().max(64).optional(),
  approvalTs: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
  remindedAt: z.number().int().optional(),
}) satisfies z.ZodType<TokenRequest>;

const atlassianLinkSchema = z.object({
  orgId: z.string().min(1).max(64),
  id: z.string().min(1).max(200),
  expiryKnown: z.boolean(),
  lastActiveAt: z.number().int().optional(),
  seenAt: z.number().int(),
  goneAt: z.number().int().optional(),
  unusedOfferedAt: z.number().int().optional(),
  ownerEmail: z.string().max(320).optional(),
});

const owedNoticeSchema = z.object({
  id: z.string().regex(/^[a-z-]+-\d+$/),
  kind: z.enum(['corrected', 'revoked', 'unused', 'owner-unknown']),
  at: z.number().int(),
  detail: z.string().max(500).optional(),
  claimedAt: z.number().int().optional(),
});

const tokenEventSchema = z.object({
  at: z.number().int(),
  type: z.enum([
    'recorded',
    'imported',
    'reminded',
    'renewed',
    'rotated',
    'revoked',
    'adopted',
    'expired',
    'snoozed',
    'discovered',
    'corrected',
    'linked',
    'revoked-by-sync',
    'promoted',
    'team_changed',
  ]),
  by: z.string().max(200).optional(),
  detail: z.string().max(3000).optional(),
}) satisfies z.ZodType<TokenEvent>;

const tokenFields = z.object({
  id: z.string().regex(TOKEN_ID),
  ownerId: userId,
  name: z.string().min(1).max(100),
  // Empty only for a token the organization sync found: Atlassian's listing has no scopes.
  scopes: scopeList.or(z.array(z.string()).length(0)),
  workspace: z.string().max(62).optional(),
  expiresOn: isoDate,
  createdAt: z.number().int(),
  requestId: z.string().regex(REQUEST_ID).optional(),
  status: z.enum(['active', 'rotated', 'revoked', 'expired']),
  purpose: z.string().max(3000).optional(),
  places: placeList.optional(),
  coOwners: coOwnerListSchema.optional(),
  teamChannelId: teamChannelSchema.optional(),
  reminder: z
    .object({
      last: z.number().int().min(-1).optional(),
      snoozedUntil: z.number().int().optional(),
      from: z.number().int().optional(),
      sending: claimSchema
        .extend({
          unresolved: z.array(claimSchema).max(MAX_UNRESOLVED_CLAIMS).optional(),
          sent: copyList.optional(),
          paused: z.boolean().optional(),
        })
        .optional(),
      orphanedAt: z.number().int().optional(),
      copies: copyList.optional(),
    })
    .optional(),
  source: z.literal('atlassian').optional(),
  atlassian: atlassianLinkSchema.optional(),
  notices: z.array(owedNoticeSchema).max(20).optional(),
});

const scopesKnown: [(t: { scopes: string[]; source?: 'atlassian' }) => boolean, { message: string; path: string[] }] = [
  (t) => t.scopes.length > 0 || t.source === 'atlassian',
  { message: 'a recorded token needs its scopes', path: ['scopes'] },
];

/** A token record as the app uses it (full field names). */
export const tokenRecordSchema = tokenFields.refine(...scopesKnown) satisfies z.ZodType<TokenRecord>;

/**
 * How many history entries a new record keeps in itself (`events`): a token's first few events
 * (recorded, reminded, ...) cost no history key. A key costs about 110 bytes beyond its value
 * at 100,000 tokens (BENCHMARKS.md, "Inventory"), an entry in the record about 50.
 */
export const RECORD_EVENTS = 3;

/**
 * A token record as stored: the record with the start of its history, kept in the record rather
 * than in the token's history key, so a token with few events costs one Redis key fewer.
 * - `events`: the first RECORD_EVENTS entries; later ones are in the history key, which exists
 *   only once `events` is full.
 * - `firstEvent`: records written before `events` existed keep their first entry here; their
 *   later entries are all in the history key.
 * Records written before either have their whole history in the key. Only the token store sees
 * these (TokenStore.history); `tokenSchema` leaves them out.
 */
export type StoredToken = TokenRecord & { firstEvent?: TokenEvent; events?: TokenEvent[] };

/**
 * A stored token read as the app's TokenRecord: the compact shape (src/store/token-shape.ts) or
 * the earlier full one. `encode` writes the compact shape.
 */
export const tokenSchema = z.preprocess(unpackToken, tokenRecordSchema);

/** The same with the start of its history (see StoredToken); what the token store writes. */
export const storedTokenSchema = z.preprocess(
  unpackToken,
  tokenFields
    .extend({ firstEvent: tokenEventSchema.optional(), events: z.array(tokenEventSchema).min(1).max(RECORD_EVENTS).optional() })
    .refine(...scopesKnown),
) satisfies z.ZodType<StoredToken, unknown>;

/** How a record is written when its stored shape differs from the app's (by schema). */
const storedShapes = new WeakMap<z.ZodType, (record: Record<string, unknown>) => unknown>([
  [tokenSchema, packToken],
  [storedTokenSchema, packToken],
]);

/** A person's digest of one local hour: the DM (once posted) and one line per (token, threshold). */
export const digestSchema = z.object({
  /** The claim (`by@at`) that posts the DM: its mark finds the DM after a crash. */
  poster: z.string().max(250),
  at: z.number().int(),
  /** The person's timezone when the digest began: days left are counted there. */
  tz: z.string().max(64),
  ch: z.string().max(32).optional(),
  ts: z.string().max(32).optional(),
  lines: z.array(z.object({ t: z.string().regex(TOKEN_ID), th: z.number().int().min(-1), a: z.string().max(500).optional() })).max(100),
});
export type ReminderDigest = z.infer<typeof digestSchema>;

/** Serialises a record after checking it against its schema. Throws on a bad record. */
export function encode<T>(schema: z.ZodType<T>, record: T): string {
  const valid = schema.parse(record);
  const pack = storedShapes.get(schema);
  return JSON.stringify(pack ? pack(valid as Record<string, unknown>) : valid);
}

/** Parses a stored record; undefined when absent. Throws when the stored JSON is corrupt. */
export function decode<T>(schema: z.ZodType<T>, raw: string | null): T | undefined {
  if (raw === null) return undefined;
  return schema.parse(JSON.parse(raw));
}

/** Reads the records stored under `keys` (one MGET), skipping any that are gone. */
export async function readAll<T>(redis: Redis, schema: z.ZodType<T>, keys: string[]): Promise<T[]> {
  if (keys.length === 0) return [];
  const raws = await redis.mget(keys);
  return raws.flatMap((raw) => {
    const value = decode(schema, raw);
    return value === undefined ? [] : [value];
  });
}
