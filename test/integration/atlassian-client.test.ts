import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlassianApiError, listApiTokens, parseRetryAfter, rateLimitWait, type ListOptions } from '../../src/atlassian/api-tokens.js';
import { fakeApiToken, startFakeAtlassian, type FakeAtlassian } from '../support/fake-atlassian.js';

let fake: FakeAtlassian;
const waits: number[] = [];
const options = (over: Partial<ListOptions> = {}): ListOptions => ({
  apiUrl: fake.url,
  orgId: fake.orgId,
  apiKey: fake.apiKey,
  sleep: async (ms) => {
    waits.push(ms);
  },
  ...over,
});

async function listAll(opts: ListOptions) {
  const pages = [];
  for await (const page of listApiTokens(opts)) pages.push(page);
  return pages;
}

async function failure(opts: ListOptions): Promise<AtlassianApiError> {
  try {
    await listAll(opts);
  } catch (err) {
    expect(err).toBeInstanceOf(AtlassianApiError);
    return err as AtlassianApiError;
  }
  throw new Error('expected the listing to fail');
}

beforeAll(async () => {
  fake = await startFakeAtlassian({ pageSize: 3 });
});
afterAll(() => fake.stop());
beforeEach(() => {
  waits.length = 0;
  fake.requests.length = 0;
  fake.setTokens(Array.from({ length: 8 }, (_, i) => fakeApiToken(i)));
});

describe('listApiTokens against the fake API Access endpoint', () => {
  it('follows links.next over every page with the key as a Bearer token', async () => {
    const pages = await listAll(options());
    expect(pages.map((p) => p.tokens.length)).toEqual([3, 3, 2]);
    expect(pages.flatMap((p) => p.tokens.map((t) => t.id))).toEqual(fake.tokens.map((t) => t.id));
    expect(fake.requests.every((r) => r.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
    expect(pages[0]?.tokens[0]).toEqual({
      id: 'tok-00000',
      label: 'Integration 0',
      status: 'ALLOWED',
      createdAt: Date.parse('2026-06-01T09:00:00.000Z'),
      expiresAt: Date.parse('2027-06-01T09:00:00.000Z'),
      lastActiveAt: Date.parse('2026-11-30T12:00:00.000Z'),
      user: { id: 'acc-0', email: 'user0@example.com', name: 'User 0' },
    });
  });

  it('accepts missing expiresAt and lastActiveAt and drops unknown extra fields', async () => {
    fake.setTokens([
      fakeApiToken(1, { expiresAt: undefined, lastActiveAt: undefined, riskScore: 7, user: { id: 'acc-1', extra: true } as never }),
    ]);
    const [page] = await listAll(options());
    expect(page?.tokens[0]).toEqual({
      id: 'tok-00001',
      label: 'Integration 1',
      status: 'ALLOWED',
      createdAt: Date.parse('2026-06-01T09:00:00.000Z'),
      user: { id: 'acc-1' },
    });
    expect(page?.invalid).toBe(0);
  });

  it('counts entries that break the documented shape instead of failing the page', async () => {
    fake.setTokens([fakeApiToken(1), fakeApiToken(2, { createdAt: 'yesterday' }), fakeApiToken(3, { id: '' })]);
    const [page] = await listAll(options());
    expect(page?.tokens.map((t) => t.id)).toEqual(['tok-00001']);
    expect(page?.invalid).toBe(2);
  });

  it('waits Retry-After on 429 and reads the same page again', async () => {
    fake.failPage(1, { kind: 'rate_limited', retryAfterSeconds: 7 }, 2);
    const pages = await listAll(options());
    expect(pages.flatMap((p) => p.tokens)).toHaveLength(8);
    expect(waits).toEqual([7000, 7000]);
  });

  it('gives up after too many 429s in a row', async () => {
    fake.failPage(0, { kind: 'rate_limited', retryAfterSeconds: 1 }, 3);
    const err = await failure(options({ maxRateLimitRetries: 2 }));
    expect(err.kind).toBe('rate_limited');
  });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [500, 'unavailable'],
    [503, 'unavailable'],
  ] as const)('reports %i on a later page as %s (the listing is incomplete)', async (status, kind) => {
    fake.failPage(2, { kind: 'status', status });
    const err = await failure(options());
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.message).not.toContain(fake.apiKey);
  });

  it('refuses a wrong key with auth', async () => {
    const err = await failure(options({ apiKey: 'not-the-key-000' }));
    expect(err.kind).toBe('auth');
  });

  it('reports malformed JSON as bad_response', async () => {
    fake.failPage(1, { kind: 'malformed' });
    expect((await failure(options())).kind).toBe('bad_response');
  });

  it('times out a page that never answers', async () => {
    fake.failPage(0, { kind: 'hang' });
    const err = await failure(options({ timeoutMs: 300 }));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('no answer within 300 ms');
  });

  it('never follows links.next to another origin (the key would go with it)', async () => {
    fake.failPage(0, { kind: 'foreign_next' });
    const err = await failure(options());
    expect(err.kind).toBe('bad_response');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('rate-limit headers', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
  it('waits for X-RateLimit-Reset only when nothing remains', () => {
    expect(rateLimitWait(new Headers({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '30' }), now)).toBeUndefined();
    expect(rateLimitWait(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' }), now)).toBe(30_000);
    expect(rateLimitWait(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 9) }), now)).toBe(9000);
    expect(rateLimitWait(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(now + 4000).toISOString() }), now)).toBe(
      4000,
    );
    expect(rateLimitWait(new Headers(), now)).toBeUndefined();
  });
});
