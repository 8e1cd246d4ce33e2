import { describe, expect, it } from 'vitest';
import { createRequestId, createTokenId, REQUEST_ID, TOKEN_ID } from '../../../src/domain/record-ids.js';

describe('record ids', () => {
  it('are well formed and distinct across several refills of the random pool', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? createRequestId() : createTokenId()));
    for (const [i, id] of ids.entries()) expect(id).toMatch(i % 2 === 0 ? REQUEST_ID : TOKEN_ID);
    expect(new Set(ids.map((id) => id.slice(1))).size).toBe(ids.length);
  });
});
