import { createHash, randomFillSync } from 'node:crypto';

/**
 * Record ids: a kind letter and 16 base-32 characters. They never contain `:` and never
 * look like an integer, so they are safe inside Redis keys, BullMQ job ids and button values.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const REQUEST_ID = /^r[a-z2-7]{16}$/;
export const TOKEN_ID = /^t[a-z2-7]{16}$/;

/**
 * Random bytes drawn from the system's source 4 KiB at a time (256 ids), as Node's own
 * randomUUID does: one call per id cost about 30 µs of CPU on the bench machine, a tenth of a
 * request's own code (BENCHMARKS.md, issue 16). Each byte is still used once.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomId(kind: 'r' | 't'): string {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let out = kind;
  for (let i = poolAt; i < poolAt + 16; i++) out += ALPHABET[pool[i]! & 31];
  poolAt += 16;
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
