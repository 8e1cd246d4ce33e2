import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  REDACTED,
  containsSecret,
  findBitbucketCredentials,
  findSecretLikeValues,
  looksLikeSecretName,
  redactDeep,
  redactSecrets,
} from '../../../src/domain/secrets.js';

const ATL = 'ATATT3xFfGF0' + 'a1B2c3D4e5F6g7H8i9J0_-=kLmN'.repeat(6);
const SHORT_ATL = 'ATATT3abcdefghij12';
const SLACK = 'xoxb-' + '1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
// Built at run time: no token-shaped literal in the repository.
const ACCESS = 'ATCTT3' + 'xFfGN0' + 'q7W2e9R4t1Y6u3I8o5P0'.repeat(5);
const APP_PASSWORD = 'ATBB' + 'k3J9m2N8b7V6c5X4z1L0'.repeat(1) + '9F3A1C2D';

describe('secret detection', () => {
  it('finds Bitbucket access tokens and app passwords, and says which kind each is', () => {
    expect(findSecretLikeValues(`a ${ACCESS} b ${APP_PASSWORD} c ${ATL}`)).toEqual([ACCESS, APP_PASSWORD, ATL]);
    expect(findBitbucketCredentials(`a ${ACCESS} b ${APP_PASSWORD} c ${ATL} ${SLACK}`)).toEqual([
      'bitbucket-access-token',
      'bitbucket-app-password',
      'atlassian-api-token',
    ]);
    expect(redactSecrets(`pw=${APP_PASSWORD};t=${ACCESS}`)).toBe(`pw=${REDACTED};t=${REDACTED}`);
    expect(redactDeep({ headers: { authorization: `Basic ${APP_PASSWORD}` } })).toEqual({
      headers: { authorization: `Basic ${REDACTED}` },
    });
    expect(looksLikeSecretName(`ci ${ACCESS}`)).toBe(true);
    // Short upper-case words that merely start like a prefix are not secrets.
    expect(containsSecret('ATBBQ grill, ATCTT3 and ATBB-1234')).toBe(false);
  });

  it('does not flag ordinary words, ids, scope names or dates (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z][a-z]{0,15}$/);
    const slackId = fc.stringMatching(/^[UCW][A-Z0-9]{8,10}$/);
    const recordId = fc.stringMatching(/^[tr][a-z2-7]{16}$/);
    const upperWord = fc.stringMatching(/^AT[A-Z]{0,12}$/);
    const scope = fc.constantFrom('read:repository:bitbucket', 'write:pullrequest:bitbucket', 'admin:project:bitbucket');
    const text = fc
      .array(
        fc.oneof(
          word,
          slackId,
          recordId,
          upperWord,
          scope,
          fc.uuid(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, (t) => {
        expect(findSecretLikeValues(t)).toEqual([]);
        expect(redactSecrets(t)).toBe(t);
      }),
      { numRuns: 500 },
    );
  });

  it('finds Atlassian tokens by prefix, whatever the length', () => {
    expect(findSecretLikeValues(`token ${ATL} end`)).toEqual([ATL]);
    expect(findSecretLikeValues(`x=${SHORT_ATL}`)).toEqual([SHORT_ATL]);
    expect(findSecretLikeValues('ATATT3short')).toEqual([]); // fewer than 10 characters after the prefix
  });

  it('finds Slack tokens in order of appearance', () => {
    expect(findSecretLikeValues(`${SLACK} and ${ATL}`)).toEqual([SLACK, ATL]);
    expect(containsSecret(`xoxp-${'9'.repeat(20)}`)).toBe(true);
    expect(containsSecret('xoxz-12345678901234')).toBe(false);
  });

  it('containsSecret is stable across calls (no regex state)', () => {
    for (let i = 0; i < 3; i++) expect(containsSecret(ATL)).toBe(true);
    expect(containsSecret('nothing here')).toBe(false);
  });

  it('redacts every match', () => {
    expect(redactSecrets(`a ${ATL} b ${SLACK} c`)).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redactSecrets('plain')).toBe('plain');
  });

  it('redactDeep copies objects, arrays and errors with strings redacted', () => {
    const input = { a: ATL, nested: { list: [1, SLACK, null, { t: `Bearer ${ATL}` }] }, n: 3, d: new Date(0) };
    const out = redactDeep(input) as typeof input;
    expect(out).toEqual({ a: REDACTED, nested: { list: [1, REDACTED, null, { t: `Bearer ${REDACTED}` }] }, n: 3, d: new Date(0) });
    expect(input.a).toBe(ATL); // original untouched

    const err = new TypeError(`failed with ${ATL}`);
    const red = redactDeep(err) as TypeError;
    expect(red).toBeInstanceOf(TypeError);
    expect(red.message).toBe(`failed with ${REDACTED}`);
    expect(red.stack ?? '').not.toContain('ATATT3');

    // A timed-out Slack call carries a DOMException: its copy must stay readable (found by
    // the Slack-timeout fault test: reading .message on a naive copy threw inside the logger).
    const timeout = redactDeep({
      err: Object.assign(new Error('request failed'), { cause: new DOMException(`timed out ${ATL}`, 'TimeoutError') }),
    }) as { err: { cause: Error } };
    expect(timeout.err.cause.name).toBe('TimeoutError');
    expect(timeout.err.cause.message).toBe(`timed out ${REDACTED}`);
    expect(() => JSON.stringify({ ...timeout.err.cause })).not.toThrow();
    for (const key in timeout.err.cause) void (timeout.err.cause as unknown as Record<string, unknown>)[key];

    const cyclic: Record<string, unknown> = { s: ATL };
    cyclic.self = cyclic;
    expect(redactDeep(cyclic)).toEqual({ s: REDACTED, self: '[Circular]' });
    expect(redactDeep(ATL)).toBe(REDACTED);
    expect(redactDeep(42)).toBe(42);
  });

  it('flags secret-looking token names', () => {
    expect(looksLikeSecretName(ATL)).toBe(true);
    expect(looksLikeSecretName(`my token ${SHORT_ATL}`)).toBe(true);
    expect(looksLikeSecretName(SLACK)).toBe(true);
    expect(looksLikeSecretName('ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8')).toBe(true);
    expect(looksLikeSecretName('3f9a1c0b7e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90')).toBe(true);
    expect(looksLikeSecretName('dGhpcyBpcyBhIHNlY3JldCB2YWx1ZTEyMzQ1Njc4OTA=')).toBe(true);
  });

  it('does not flag descriptive names', () => {
    for (const name of [
      'DeepTraQ Bitbucket Integration',
      'deeptraq-bitbucket-integration-production-2026',
      'deeptraqintegrationproduction2026',
      'renovate_bot_for_platform_team_monorepo_v2',
      'CI pipelines for acme-eng 2026 Q1 release train',
      '123e4567-e89b-12d3-a456-426614174000',
      'abcdefghijklmnopqrstuvwxyzabcdefghij',
    ]) {
      expect(looksLikeSecretName(name), name).toBe(false);
    }
  });
});
