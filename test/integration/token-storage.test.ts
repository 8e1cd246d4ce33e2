import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../support/redis-server.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { RequestStore } from '../../src/store/requests.js';
import { TokenStore } from '../../src/store/tokens.js';
import { TokenInventory } from '../../src/store/inventory.js';
import { RECORD_EVENTS, tokenSchema } from '../../src/store/schemas.js';
import { packToken, unpackToken } from '../../src/store/token-shape.js';
import { createTokenId } from '../../src/domain/record-ids.js';
import type { TokenRecord } from '../../src/domain/types.js';

/**
 * Token records are stored in a compact shape (src/store/token-shape.ts). Records written in the
 * earlier full shape must still load everywhere tokens are read, and be rewritten on change.
 */
describe('token record storage', () => {
  let redis: Redis;
  let keys: Keys;
  let tokens: TokenStore;
  let inventory: TokenInventory;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    keys = createKeys(uniquePrefix('token-storage'));
    tokens = new TokenStore(redis, keys, new RequestStore(redis, keys));
    inventory = new TokenInventory(redis, keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  /** A record with every field set, as the app holds it. */
  function fullRecord(overrides: Partial<TokenRecord> = {}): TokenRecord {
    return {
      id: createTokenId(),
      ownerId: 'U0OWNER1',
      name: 'DeepTraQ scanner',
      scopes: ['read:repository:bitbucket', 'write:pullrequest:bitbucket'],
      workspace: 'acme',
      expiresOn: '2027-03-01',
      createdAt: 1_764_000_000_000,
      requestId: 'rabcdefghijklmnop',
      status: 'active',
      purpose: 'Code scanning',
      places: ['Vault secret/ci/deeptraq', 'Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web'],
      coOwners: ['U0COOWN1', 'U0COOWN2'],
      teamChannelId: 'C0TEAM1',
      reminder: { last: 7, copies: [{ to: 'U0OWNER1', ch: 'D0DM1', ts: '1764000000.000100' }] },
      atlassian: { orgId: 'org-1', id: 'atl-1', expiryKnown: true, seenAt: 1_764_000_000_000 },
      notices: [{ id: 'unused-1764000000000', kind: 'unused', at: 1_764_000_000_000 }],
      ...overrides,
    };
  }

  /** Stores `record` the way releases before the compact shape did: plain JSON of the record. */
  async function storeOldShape(record: TokenRecord): Promise<void> {
    await redis.set(keys.token(record.id), JSON.stringify(record));
    await redis.zadd(keys.userTokens(record.ownerId), record.createdAt, record.id);
    await redis.zadd(keys.allTokens, record.createdAt, record.id);
  }

  it('loads a record stored in the earlier full shape, by id, by owner and in the inventory', async () => {
    const old = fullRecord({ ownerId: 'U0OLDSHAPE' });
    await storeOldShape(old);

    expect(await tokens.get(old.id)).toEqual(old);
    expect(await tokens.listByUser('U0OLDSHAPE')).toEqual([old]);
    const seen: TokenRecord[] = [];
    for await (const page of inventory.pages()) seen.push(...page.filter((t) => t.id === old.id));
    expect(seen).toEqual([old]);
  });

  it('loads old-shape records of every status, with no optional field, and found by the organization sync', async () => {
    const minimal: TokenRecord = {
      id: createTokenId(),
      ownerId: 'U0MINIMAL',
      name: 'Minimal',
      scopes: ['read:repository:bitbucket'],
      expiresOn: '2027-01-01',
      createdAt: 1_700_000_000_000,
      status: 'revoked',
    };
    const found = fullRecord({ scopes: [], source: 'atlassian', status: 'expired', places: undefined });
    delete found.places;
    for (const record of [minimal, found]) {
      await storeOldShape(record);
      expect(await tokens.get(record.id)).toEqual(record);
    }
  });

  it('rewrites an old-shape record compactly on its next change, losing nothing', async () => {
    const old = fullRecord();
    await storeOldShape(old);
    const oldRaw = (await redis.get(keys.token(old.id)))!;

    const result = await tokens.update(old.id, (t) => ({ next: { ...t, name: 'DeepTraQ scanner (prod)' } }));
    expect(result?.changed).toBe(true);

    const raw = (await redis.get(keys.token(old.id)))!;
    expect(raw.length).toBeLessThan(oldRaw.length);
    expect(JSON.parse(raw)).not.toHaveProperty('ownerId');
    expect(await tokens.get(old.id)).toEqual({ ...old, name: 'DeepTraQ scanner (prod)' });
  });

  it('stores a new record compactly: short names, no default status, no scope suffix', async () => {
    const record = fullRecord({ reminder: undefined, atlassian: undefined, notices: undefined });
    for (const field of ['reminder', 'atlassian', 'notices'] as const) delete record[field];
    expect(await tokens.create(record, { at: record.createdAt, type: 'recorded', by: record.ownerId })).toBe(true);

    const raw = (await redis.get(keys.token(record.id)))!;
    const stored = JSON.parse(raw) as Record<string, unknown>;
    expect(Object.keys(stored)).not.toContain('status');
    expect(Object.keys(stored)).not.toContain('teamChannelId');
    expect(stored['s']).toEqual(['read:repository', 'write:pullrequest']);
    // Over 100 bytes shorter than the record's plain JSON (besides its first history entry, `H`).
    const { H: first, ...rest } = stored;
    expect(first).toEqual({ t: 'recorded', b: record.ownerId });
    expect(JSON.stringify(rest).length).toBeLessThan(JSON.stringify(record).length - 100);
    expect(await tokens.get(record.id)).toEqual(record);
  });

  it("keeps a new token's first history entries in its record, then appends to its history key", async () => {
    const record = fullRecord({ reminder: undefined, atlassian: undefined, notices: undefined });
    const first = { at: record.createdAt, type: 'recorded' as const, by: 'U0OWNER1', detail: 'recorded by hand' };
    expect(await tokens.create(record, first)).toBe(true);
    // No history key while the record has room; the record carries the entries compactly.
    expect(await redis.exists(keys.tokenHistory(record.id))).toBe(0);
    const storedEvents = async () => {
      const stored = JSON.parse((await redis.get(keys.token(record.id)))!) as Record<string, unknown>;
      return [stored['H'], ...((stored['ev'] as unknown[] | undefined) ?? [])];
    };
    expect(await storedEvents()).toEqual([{ t: 'recorded', b: 'U0OWNER1', d: 'recorded by hand' }]);
    expect(await tokens.history(record.id)).toEqual([first]);

    const event = (n: number) => ({ at: record.createdAt + n * 1000, type: 'corrected' as const, by: 'U0OWNER1', detail: `change ${n}` });
    const result = await tokens.update(record.id, (t) => ({ next: { ...t, name: 'Renamed' }, event: event(1) }));
    expect(result?.token).toEqual({ ...record, name: 'Renamed' });
    // A change without an entry keeps those the record holds, even when it rebuilds the record.
    await tokens.update(record.id, (t) => ({
      next: {
        id: t.id,
        ownerId: 'U0OWNER2',
        name: t.name,
        scopes: t.scopes,
        expiresOn: t.expiresOn,
        createdAt: t.createdAt,
        status: 'revoked',
      },
    }));
    expect(await tokens.history(record.id)).toEqual([first, event(1)]);
    expect(await redis.exists(keys.tokenHistory(record.id))).toBe(0);

    // Two entries in one change: the first fills the record (RECORD_EVENTS), the second opens the key.
    expect(RECORD_EVENTS).toBe(3);
    await tokens.update(record.id, (t) => ({ next: t, event: [event(2), event(3)] }));
    expect(await storedEvents()).toHaveLength(RECORD_EVENTS);
    expect(await redis.exists(keys.tokenHistory(record.id))).toBe(1);
    await tokens.update(record.id, (t) => ({ next: t, event: event(4) }));
    expect(await storedEvents()).toHaveLength(RECORD_EVENTS);
    expect(await tokens.history(record.id)).toEqual([first, event(1), event(2), event(3), event(4)]);
    // The app's record never shows them.
    const app = await tokens.get(record.id);
    expect(app).not.toHaveProperty('events');
    expect(app).not.toHaveProperty('firstEvent');
  });

  it('appends to the history key of a record written with only its first entry in it (`h`)', async () => {
    const record = fullRecord({ reminder: undefined, atlassian: undefined, notices: undefined });
    const first = { at: record.createdAt, type: 'recorded' as const, by: 'U0OWNER1' };
    const second = { at: record.createdAt + 1, type: 'snoozed' as const, by: 'U0OWNER1' };
    // As written before `events`: the first entry in the record, the later ones in the key.
    await redis.set(
      keys.token(record.id),
      JSON.stringify(packToken({ ...record, firstEvent: first } as unknown as Record<string, unknown>)),
    );
    await redis.append(keys.tokenHistory(record.id), `${JSON.stringify(second)}\n`);
    const third = { at: record.createdAt + 2, type: 'revoked' as const, by: 'U0OWNER1' };
    await tokens.update(record.id, (t) => ({ next: { ...t, status: 'revoked' }, event: third }));
    expect(await tokens.history(record.id)).toEqual([first, second, third]);
    const stored = JSON.parse((await redis.get(keys.token(record.id)))!);
    expect(stored).not.toHaveProperty('H');
    expect(stored).not.toHaveProperty('ev');
  });

  it('reads the history of an old token whose first entry is in its history key', async () => {
    const old = fullRecord();
    await storeOldShape(old);
    const first = { at: old.createdAt, type: 'imported', detail: 'inventory.csv line 2' };
    await redis.append(keys.tokenHistory(old.id), `${JSON.stringify(first)}\n`);
    await tokens.update(old.id, (t) => ({
      next: { ...t, status: 'revoked' },
      event: { at: old.createdAt + 1, type: 'revoked', by: 'U0OWNER1' },
    }));
    expect(await tokens.history(old.id)).toEqual([first, { at: old.createdAt + 1, type: 'revoked', by: 'U0OWNER1' }]);
  });

  it('stores reminder copies as arrays (a channel post without its repeated channel) and reads them back', async () => {
    const copies = [
      { to: 'U0OWNER1', ch: 'D0DM00001', ts: '1764000000.000100' },
      { to: 'C0TEAM1', ch: 'C0TEAM1', ts: '1764000000.000200' },
      { to: 'U0MATE1', ch: 'D0DM00002', ts: '1764000000.000300', d: '2026-12-02T09' },
    ];
    const record = fullRecord({
      reminder: { last: 7, copies, sending: { threshold: 1, at: 1_764_000_000_000, by: 'job-1', sent: [copies[1]!] } },
    });
    const packed = packToken(record as unknown as Record<string, unknown>);
    expect(packed['r']).toEqual({
      last: 7,
      copies: [
        ['U0OWNER1', 'D0DM00001', '1764000000.000100'],
        ['C0TEAM1', '1764000000.000200'],
        ['U0MATE1', 'D0DM00002', '1764000000.000300', '2026-12-02T09'],
      ],
      sending: { threshold: 1, at: 1_764_000_000_000, by: 'job-1', sent: [['C0TEAM1', '1764000000.000200']] },
    });
    expect(await tokens.create(record, { at: record.createdAt, type: 'recorded', by: record.ownerId })).toBe(true);
    expect(await tokens.get(record.id)).toEqual(record);
    const result = await tokens.update(record.id, (t) => ({ next: { ...t, reminder: { ...t.reminder, last: 1 } } }));
    expect(result?.token.reminder).toEqual({ ...record.reminder, last: 1 });
    expect(await tokens.get(record.id)).toEqual({ ...record, reminder: { ...record.reminder, last: 1 } });
  });

  it("stores an entry's time only when it differs from the token's creation", () => {
    const record = fullRecord();
    const imported = { ...record, firstEvent: { at: record.createdAt + 5, type: 'imported', detail: 'x.csv line 2' } };
    const packed = packToken(imported as unknown as Record<string, unknown>);
    expect(packed['h']).toEqual({ a: record.createdAt + 5, t: 'imported', d: 'x.csv line 2' });
    expect(unpackToken(JSON.parse(JSON.stringify(packed)))).toEqual(imported);
    const later = {
      ...record,
      events: [
        { at: record.createdAt, type: 'recorded' },
        { at: record.createdAt + 9, type: 'snoozed', by: 'U1' },
      ],
    };
    const packedLater = packToken(later as unknown as Record<string, unknown>);
    expect(packedLater['H']).toEqual({ t: 'recorded' });
    expect(packedLater['ev']).toEqual([{ a: record.createdAt + 9, t: 'snoozed', b: 'U1' }]);
    expect(unpackToken(JSON.parse(JSON.stringify(packedLater)))).toEqual(later);
  });

  it('packs and unpacks every field, keeps a non-default status, and leaves unknown shapes to the schema', () => {
    const record = fullRecord({ status: 'rotated', source: 'atlassian' });
    const packed = packToken(record as unknown as Record<string, unknown>);
    expect(packed['st']).toBe('rotated');
    expect(unpackToken(JSON.parse(JSON.stringify(packed)))).toEqual(record);
    expect(tokenSchema.parse(packed)).toEqual(record);
    // Neither shape: the schema refuses it rather than guessing.
    expect(unpackToken({ name: 'x' })).toEqual({ name: 'x' });
    expect(tokenSchema.safeParse({ name: 'x' }).success).toBe(false);
    expect(tokenSchema.safeParse({ i: 'not-an-id', o: 'U1', n: 'x', s: ['read:repository'], e: '2027-01-01', c: 1 }).success).toBe(false);
  });
});
