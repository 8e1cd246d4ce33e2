import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SECRET_CELL_MESSAGE,
  checkImportHeader,
  guardCell,
  parseImportRow,
  toTokenRow,
  unguardCell,
} from '../../../src/domain/token-csv.js';
import type { TokenRecord } from '../../../src/domain/types.js';
import { TOKEN_ID, tokenIdForImport } from '../../../src/domain/record-ids.js';

const now = new Date('2026-09-01T12:00:00Z');
const row = { owner_id: 'U01ALICE', name: 'CI', scopes: 'read:repository:bitbucket', expires_on: '2026-12-01' };

describe('token CSV rows', () => {
  it('derives the same valid token id from the same row, and different ids from different rows', () => {
    const a = tokenIdForImport(['U1', 'CI', '', '2026-12-01']);
    expect(a).toMatch(TOKEN_ID);
    expect(tokenIdForImport(['U1', 'CI', '', '2026-12-01'])).toBe(a);
    expect(tokenIdForImport(['U1', 'CI', 'acme', '2026-12-01'])).not.toBe(a);
  });

  it('marks a past expiry as expired unless a status is given, and allows at most 365 days', () => {
    expect(parseImportRow({ ...row, expires_on: '2026-08-01' }, 2, now)).toMatchObject({ token: { status: 'expired' } });
    expect(parseImportRow({ ...row, expires_on: '2026-08-01', status: 'rotated' }, 2, now)).toMatchObject({ token: { status: 'rotated' } });
    expect(parseImportRow({ ...row, expires_on: '2027-09-01' }, 2, now)).toMatchObject({ token: { status: 'active' } });
    expect(parseImportRow({ ...row, expires_on: '2027-09-02' }, 2, now)).toEqual({
      issues: [expect.objectContaining({ line: 2, column: 'expires_on' })],
    });
  });

  it('hints at new scope names, refuses lonely permission scopes and warns about write without read', () => {
    expect(parseImportRow({ ...row, scopes: 'repository pullrequest:write' }, 3, now)).toEqual({
      issues: [
        {
          line: 3,
          column: 'scopes',
          message:
            'unknown scope "repository", "pullrequest:write": "repository" is an app-password scope name; API tokens use read:repository:bitbucket instead; "pullrequest:write" is an app-password scope name; API tokens use read:pullrequest:bitbucket and write:pullrequest:bitbucket instead',
        },
      ],
    });
    expect(parseImportRow({ ...row, scopes: 'read:wiki:bitbucket' }, 3, now)).toEqual({
      issues: [
        { line: 3, column: 'scopes', message: 'unknown scope "read:wiki:bitbucket": use exact names such as read:repository:bitbucket' },
      ],
    });
    expect(parseImportRow({ ...row, scopes: 'read:repository:bitbucket,delete:permission:bitbucket' }, 4, now)).toEqual({
      issues: [
        {
          line: 4,
          column: 'scopes',
          message: expect.stringContaining('delete:permission:bitbucket only works together with admin:repository:bitbucket'),
        },
      ],
    });
    const stop = parseImportRow({ ...row, scopes: 'write:pipeline:bitbucket' }, 5, now);
    expect(stop).toMatchObject({
      token: { scopes: ['write:pipeline:bitbucket'] },
      warnings: [
        {
          line: 5,
          column: 'scopes',
          message: expect.stringMatching(
            /^write:pipeline:bitbucket without read:pipeline:bitbucket: the token lacks "Read pipelines, steps and logs"/,
          ),
        },
      ],
    });
  });

  it('refuses a created_at in the future and a header with a token in it, without echoing it', () => {
    expect(parseImportRow({ ...row, created_at: '2026-09-02' }, 3, now)).toEqual({
      issues: [{ line: 3, column: 'created_at', message: 'cannot be in the future' }],
    });
    const secret = `xoxb-${'1234567890'.repeat(3)}`;
    const header = checkImportHeader(['owner_id', 'name', 'scopes', 'expires_on', secret]);
    expect(JSON.stringify(header)).not.toContain(secret);
    expect('issues' in header && header.issues[0]!.message).toMatch(/header cell 5 looks like a token value/);
  });

  it('guardCell and unguardCell round-trip any text', () => {
    fc.assert(fc.property(fc.string(), (s) => unguardCell(guardCell(s)) === s || s.startsWith("'")));
    expect(guardCell('=1+1')).toBe("'=1+1");
  });
});

describe('stored_in column', () => {
  it('holds one place per line and round-trips through export and import, formula-guarded', () => {
    const parsed = parseImportRow({ ...row, stored_in: 'Vault secret/ci/x\n"Pipelines", variable X, acme/web' }, 2, now);
    expect(parsed).toMatchObject({ token: { places: ['Vault secret/ci/x', '"Pipelines", variable X, acme/web'] } });
    const token = (parsed as { token: TokenRecord }).token;
    const formula = { ...token, places: ['=HYPERLINK("x")', 'Vault'] };
    const exported = toTokenRow(formula).stored_in;
    expect(exported).toBe('\'=HYPERLINK("x")\nVault');
    expect(parseImportRow({ ...row, stored_in: exported }, 2, now)).toMatchObject({ token: { places: formula.places } });
    expect(parseImportRow({ ...row, stored_in: '' }, 2, now)).not.toHaveProperty('token.places');
  });

  it('refuses more than 5 places or a token value, naming the column only', () => {
    expect(parseImportRow({ ...row, stored_in: 'a\nb\nc\nd\ne\nf' }, 3, now)).toEqual({
      issues: [{ line: 3, column: 'stored_in', message: 'List at most 5 places, one per line (this has 6).' }],
    });
    const secret = parseImportRow({ ...row, stored_in: `ATATT3xFfGF0${'Zm9vYmFy'.repeat(4)}=ABCD1234` }, 4, now);
    expect(secret).toEqual({ issues: [{ line: 4, column: 'stored_in', message: SECRET_CELL_MESSAGE }] });
  });
});

describe('co_owners and team_channel columns', () => {
  it('import what the export writes, and refuse the owner, tampered ids and a DM', () => {
    const shared = { ...row, co_owners: 'U0MATE1 U0MATE2,U0MATE1', team_channel: 'C0TEAM1' };
    const parsed = parseImportRow(shared, 2, now);
    expect(parsed).toMatchObject({ token: { coOwners: ['U0MATE1', 'U0MATE2'], teamChannelId: 'C0TEAM1' } });
    const exported = toTokenRow((parsed as { token: TokenRecord }).token);
    expect(exported).toMatchObject({ co_owners: 'U0MATE1 U0MATE2', team_channel: 'C0TEAM1' });
    expect(parseImportRow({ ...row, co_owners: exported.co_owners, team_channel: exported.team_channel }, 2, now)).toMatchObject({
      token: { coOwners: ['U0MATE1', 'U0MATE2'], teamChannelId: 'C0TEAM1' },
    });
    expect(parseImportRow({ ...row, co_owners: '', team_channel: '' }, 2, now)).not.toHaveProperty('token.coOwners');
    expect(parseImportRow({ ...row, co_owners: row.owner_id }, 3, now)).toEqual({
      issues: [{ line: 3, column: 'co_owners', message: expect.stringMatching(/own this token/) }],
    });
    expect(parseImportRow({ ...row, co_owners: '@omar' }, 4, now)).toMatchObject({ issues: [{ column: 'co_owners' }] });
    expect(parseImportRow({ ...row, team_channel: 'D0DM1' }, 5, now)).toMatchObject({ issues: [{ column: 'team_channel' }] });
  });
});
