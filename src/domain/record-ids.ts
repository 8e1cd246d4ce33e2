import { randomBytes } from 'node:crypto';

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
