import { createHash, randomBytes } from 'node:crypto';

/**
 * Record ids: a kind letter and 16 base-32 characters. They never contain `:` and never
 * look like an integer, so they are safe inside Redis keys, BullMQ job ids and button values.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const REQUEST_ID = /^r[a-z2-7]{16}$/;
export const TOKEN_ID = /^t[a-z2-7]{16}$/;

function randomId(kind: 'r' | 't'): string {
  const bytes = randomBytes(16);
  let out = kind;
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export const createRequestId = (): string => randomId('r');
export const createTokenId = (): string => randomId('t');

/** The token recorded from a request has an id derived from it, so recording is idempotent. */
export const tokenIdForRequest = (requestId: string): string => `t${requestId.slice(1)}`;

/**
 * A token id derived from the fields that identify a token in an inventory file, so that
 * importing the same row twice names the same record (and the second import writes nothing).
 * 80 bits of SHA-256 in the same alphabet as random ids.
 */
export function tokenIdForImport(parts: readonly string[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  let out = 't';
  for (let i = 0; i < 16; i++) out += ALPHABET[digest[i]! & 31];
  return out;
}
