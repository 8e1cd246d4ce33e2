import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseImportRow } from '../../../src/domain/token-csv.js';
import { addDays } from '../../../src/domain/dates.js';
import {
  DEFAULT_EXPIRY_DAYS,
  MAX_EXPIRY_DAYS,
  MIN_EXPIRY_DAYS,
  acceptedInZone,
  validateRecordedToken,
  NAME_MAX,
  SECRET_PASTED_MESSAGE,
  defaultExpiry,
  expiryBounds,
  validateRequest,
  type RawRequestFields,
} from '../../../src/domain/validation.js';

// 11:30 UTC on Fri 27 Feb 2026 is already Sat 28 Feb 00:30 in Auckland.
const now = new Date('2026-02-27T11:30:00Z');
const ctx = { now, timeZone: 'Pacific/Auckland' };

const RR = 'read:repository:bitbucket';
const WR = 'write:repository:bitbucket';

const good: RawRequestFields = {
  presetId: 'deeptraq',
  name: '  DeepTraQ Bitbucket Integration ',
  expiresOn: '2026-05-29',
  scopes: [WR, RR],
  workspace: ' acme-eng ',
  purpose: '  Nightly scans  ',
};

function errorsOf(raw: RawRequestFields, c = ctx) {
  const r = validateRequest(raw, c);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.value)}`);
  return r.errors;
}

describe('validateRequest', () => {
  it('exports the limits', () => {
    expect([MIN_EXPIRY_DAYS, MAX_EXPIRY_DAYS, DEFAULT_EXPIRY_DAYS, NAME_MAX]).toEqual([1, 365, 90, 100]);
  });

  it('accepts a good request and normalises it', () => {
    const r = validateRequest(good, ctx);
    expect(r).toEqual({
      ok: true,
      value: {
        presetId: 'deeptraq',
        name: 'DeepTraQ Bitbucket Integration',
        expiresOn: '2026-05-29',
        scopes: [RR, WR],
        workspace: 'acme-eng',
        purpose: 'Nightly scans',
      },
    });
  });

  it('drops empty optional strings and falls back to the custom preset', () => {
    const r = validateRequest({ ...good, presetId: 'evil', workspace: '   ', purpose: '' }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.presetId).toBe('custom');
    expect(r.value).not.toHaveProperty('workspace');
    expect(r.value).not.toHaveProperty('purpose');
    const missingPreset = validateRequest({ ...good, presetId: null }, ctx);
    expect(missingPreset.ok && missingPreset.value.presetId).toBe('custom');
  });

  it('accepts a payload with only the required keys present', () => {
    const r = validateRequest({ name: 'CI', expiresOn: '2026-03-01', scopes: [RR] }, ctx);
    expect(r).toEqual({ ok: true, value: { presetId: 'custom', name: 'CI', expiresOn: '2026-03-01', scopes: [RR] } });
  });

  it('reports every missing required field', () => {
    const errors = errorsOf({});
    expect(Object.keys(errors).sort()).toEqual(['expiresOn', 'name', 'scopes']);
    expect(errors.name).toMatch(/name/i);
    expect(errors.expiresOn).toMatch(/expire/i);
    expect(errors.scopes).toMatch(/at least one scope/);
  });

  it('treats tampered values as missing or unknown, never crashing', () => {
    const tampered = {
      presetId: 42,
      name: { evil: true },
      expiresOn: 20260529,
      scopes: 'read:repository:bitbucket',
      workspace: ['x'],
      purpose: 7,
    } as unknown as RawRequestFields;
    const errors = errorsOf(tampered);
    expect(Object.keys(errors).sort()).toEqual(['expiresOn', 'name', 'scopes']);
    expect(() => validateRequest(null as unknown as RawRequestFields, ctx)).not.toThrow();
    expect(errorsOf(null as unknown as RawRequestFields).name).toBeDefined();
  });

  it('skips null holes in the scope array but reports non-string items', () => {
    const r = validateRequest({ ...good, scopes: [null, RR, undefined, WR, RR] }, ctx);
    expect(r.ok && r.value.scopes).toEqual([RR, WR]);
    const errors = errorsOf({ ...good, scopes: [RR, 5 as unknown as string] });
    expect(errors.scopes).toBe('Unknown scope: 5');
    expect(errorsOf({ ...good, scopes: [null, undefined] }).scopes).toMatch(/at least one scope/);
  });

  describe('name', () => {
    it('is required after trimming', () => {
      expect(errorsOf({ ...good, name: '   ' }).name).toMatch(/Enter a name/);
    });
    it('is at most 100 characters', () => {
      expect(validateRequest({ ...good, name: 'a'.repeat(100) }, ctx).ok).toBe(true);
      expect(errorsOf({ ...good, name: 'a '.repeat(50) + 'b' }).name).toMatch(/100 characters or fewer/);
    });
    it('rejects control characters', () => {
      expect(errorsOf({ ...good, name: 'line\nbreak' }).name).toMatch(/control characters/);
      expect(errorsOf({ ...good, name: 'bell\u0007' }).name).toMatch(/control characters/);
    });
    it('rejects secret-looking names without echoing them', () => {
      const token = 'ATATT3xFfGF0' + 'AbC123_-='.repeat(20);
      for (const name of [token, `prod ${token}`, `${'xoxb'}-0000000000-fakefakefake`, 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8']) {
        const error = errorsOf({ ...good, name }).name;
        expect(error).toBe(SECRET_PASTED_MESSAGE);
        expect(error).not.toContain('ATATT3');
      }
    });
  });

  describe('expiry (Pacific/Auckland, where today is 2026-02-28 but UTC is still 02-27)', () => {
    it('knows the bounds in the user zone', () => {
      expect(expiryBounds('Pacific/Auckland', now)).toEqual({ today: '2026-02-28', min: '2026-03-01', max: '2027-02-28' });
      expect(defaultExpiry('Pacific/Auckland', now)).toBe('2026-05-29');
      expect(defaultExpiry('UTC', now)).toBe('2026-05-28');
    });
    it('accepts 1 and 365 days ahead', () => {
      expect(validateRequest({ ...good, expiresOn: '2026-03-01' }, ctx).ok).toBe(true);
      expect(validateRequest({ ...good, expiresOn: '2027-02-28' }, ctx).ok).toBe(true);
    });
    it('rejects today in the user zone, even though it is tomorrow in UTC', () => {
      expect(validateRequest({ ...good, expiresOn: '2026-02-28' }, { now, timeZone: 'UTC' }).ok).toBe(true);
      expect(errorsOf({ ...good, expiresOn: '2026-02-28' }).expiresOn).toMatch(/expires today.*Sun 1 Mar 2026/);
    });
    it('rejects past dates', () => {
      expect(errorsOf({ ...good, expiresOn: '2026-02-27' }).expiresOn).toMatch(/already passed/);
      expect(errorsOf({ ...good, expiresOn: '2020-01-01' }).expiresOn).toMatch(/already passed/);
    });
    it('rejects 366 days with the latest allowed date', () => {
      expect(errorsOf({ ...good, expiresOn: '2027-03-01' }).expiresOn).toBe(
        'Bitbucket API tokens can last at most 365 days: pick a date on or before Sun 28 Feb 2027 (2027-02-28).',
      );
      // The same date is 367 days away in UTC, still rejected there.
      expect(errorsOf({ ...good, expiresOn: '2027-02-28' }, { now, timeZone: 'UTC' }).expiresOn).toMatch(/at most 365 days/);
    });
    it('rejects malformed or impossible dates', () => {
      for (const expiresOn of ['2026-02-30', '2026-3-1', '01/03/2026', '2026-03-01T00:00', 'tomorrow']) {
        expect(errorsOf({ ...good, expiresOn }).expiresOn, expiresOn).toMatch(/YYYY-MM-DD/);
      }
    });
    it('falls back to UTC for an invalid zone', () => {
      expect(validateRequest({ ...good, expiresOn: '2026-02-28' }, { now, timeZone: 'Bogus/Zone' }).ok).toBe(true);
    });
  });

  describe('scopes', () => {
    it('reports unknown scopes, truncated to 80 characters', () => {
      expect(errorsOf({ ...good, scopes: [RR, 'read:wiki:bitbucket'] }).scopes).toBe('Unknown scope: read:wiki:bitbucket');
      const long = 'x'.repeat(500);
      const error = errorsOf({ ...good, scopes: [long, 'y'] }).scopes ?? '';
      expect(error.startsWith('Unknown scope: x')).toBe(true);
      expect(error.length).toBeLessThanOrEqual('Unknown scope: '.length + 80 + ' (and 1 more)'.length);
    });
    it('never echoes a pasted token as a scope', () => {
      const error = errorsOf({ ...good, scopes: ['ATATT3' + 'a1'.repeat(30)] }).scopes;
      expect(error).toBe('Unknown scope: [REDACTED]');
    });
    it('accepts a write scope without its read scope, with a notice naming what the token lacks', () => {
      const result = validateRequest({ ...good, scopes: ['write:pipeline:bitbucket'] }, ctx);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.scopes).toEqual(['write:pipeline:bitbucket']);
      expect(result.notices).toEqual([
        {
          scope: 'write:pipeline:bitbucket',
          needs: 'read:pipeline:bitbucket',
          lacks: ['Read pipelines, steps and logs', 'Run and stop pipelines', 'Read deployments and environments'],
          message: expect.stringMatching(
            /^write:pipeline:bitbucket without read:pipeline:bitbucket: the token lacks "Read pipelines, steps and logs", "Run and stop pipelines"/,
          ),
        },
      ]);
      // One notice per write scope missing its read scope, in catalogue order.
      const two = validateRequest({ ...good, scopes: ['write:pullrequest:bitbucket', WR] }, ctx);
      expect(two.ok && two.notices?.map((n) => n.needs)).toEqual([RR, 'read:pullrequest:bitbucket']);
      expect(two.ok && two.notices?.[1]?.lacks).toContain('Approve / merge pull requests');
    });
    it('has no notices key when the scopes are complete', () => {
      expect(validateRequest(good, ctx)).not.toHaveProperty('notices');
    });
    it('refuses permission scopes without admin:repository or admin:project', () => {
      expect(errorsOf({ ...good, scopes: [RR, 'write:permission:bitbucket'] }).scopes).toBe(
        'write:permission:bitbucket only works together with admin:repository:bitbucket or admin:project:bitbucket: add the admin scope for what it manages, or remove it.',
      );
      expect(errorsOf({ ...good, scopes: ['write:permission:bitbucket', 'delete:permission:bitbucket'] }).scopes).toMatch(
        /^write:permission:bitbucket and delete:permission:bitbucket only work together with/,
      );
      expect(validateRequest({ ...good, scopes: ['admin:project:bitbucket', 'delete:permission:bitbucket'] }, ctx).ok).toBe(true);
    });
    it('names the new scopes for an app-password scope name, and the suffix for a bare one', () => {
      expect(errorsOf({ ...good, scopes: ['pullrequest:write'] }).scopes).toBe(
        'Unknown scope: pullrequest:write: "pullrequest:write" is an app-password scope name; API tokens use read:pullrequest:bitbucket and write:pullrequest:bitbucket instead',
      );
      expect(errorsOf({ ...good, scopes: ['repository', 'x'] }).scopes).toBe(
        'Unknown scope: repository: "repository" is an app-password scope name; API tokens use read:repository:bitbucket instead (and 1 more)',
      );
      expect(errorsOf({ ...good, scopes: ['read:repository'] }).scopes).toBe(
        'Unknown scope: read:repository: "read:repository" needs its suffix: read:repository:bitbucket',
      );
    });
    it('does not require read for admin, delete or permission scopes', () => {
      const r = validateRequest(
        { ...good, scopes: ['admin:repository:bitbucket', 'delete:issue:bitbucket', 'write:permission:bitbucket'] },
        ctx,
      );
      expect(r.ok).toBe(true);
    });
  });

  describe('workspace and purpose', () => {
    it('validates the workspace slug', () => {
      expect(errorsOf({ ...good, workspace: 'Acme-Eng' }).workspace).toBe('Workspace IDs are lowercase: use "acme-eng".');
      expect(errorsOf({ ...good, workspace: 'acme eng' }).workspace).toMatch(/lowercase letters, digits, - and _/);
      expect(errorsOf({ ...good, workspace: 'https://bitbucket.org/acme' }).workspace).toMatch(/bitbucket\.org\/<workspace>/);
      expect(errorsOf({ ...good, workspace: 'a'.repeat(63) }).workspace).toMatch(/at most 62/);
      expect(validateRequest({ ...good, workspace: 'a'.repeat(62) }, ctx).ok).toBe(true);
      expect(validateRequest({ ...good, workspace: 'acme_eng-2' }, ctx).ok).toBe(true);
    });
    it('limits the purpose and refuses pasted tokens in it', () => {
      expect(validateRequest({ ...good, purpose: 'p'.repeat(3000) }, ctx).ok).toBe(true);
      expect(errorsOf({ ...good, purpose: 'p'.repeat(3001) }).purpose).toMatch(/3000 characters or fewer/);
      expect(errorsOf({ ...good, purpose: 'here it is ATATT3abcdefghijklmnop' }).purpose).toBe(SECRET_PASTED_MESSAGE);
    });
  });

  it('gives one message per failing field, all at once', () => {
    const errors = errorsOf({
      name: '',
      expiresOn: '2020-01-01',
      scopes: ['delete:permission:bitbucket'],
      workspace: 'A B',
      purpose: 'x'.repeat(4000),
    });
    expect(Object.keys(errors).sort()).toEqual(['expiresOn', 'name', 'purpose', 'scopes', 'workspace']);
    for (const message of Object.values(errors)) expect(typeof message).toBe('string');
  });
});

describe('validateRecordedToken', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const ctx = { now, timeZone: 'UTC' };
  const ok = { name: 'Legacy CI token', expiresOn: '2026-03-01', scopes: ['read:repository:bitbucket'], workspace: 'acme' };
  const SECRET = `ATATT3xFfGF0${'Zm9vYmFy'.repeat(4)}`;

  it('accepts an existing token expiring today', () => {
    expect(validateRecordedToken(ok, ctx)).toEqual({ ok: true, value: ok });
  });

  it('refuses past and over-365-day expiries', () => {
    const past = validateRecordedToken({ ...ok, expiresOn: '2026-02-28' }, ctx);
    expect(past.ok === false && past.errors.expiresOn).toMatch(/already passed/);
    const far = validateRecordedToken({ ...ok, expiresOn: '2027-03-02' }, ctx);
    expect(far.ok === false && far.errors.expiresOn).toMatch(/365/);
  });

  it('refuses a secret in any field without echoing it', () => {
    const result = validateRecordedToken({ name: SECRET, expiresOn: SECRET, scopes: [SECRET], workspace: SECRET }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['expiresOn', 'name', 'scopes', 'workspace']);
    expect(JSON.stringify(result.errors)).not.toContain('ATATT3');
    expect(result.errors.name).toMatch(/token value/);
  });

  it('accepts every combination Atlassian issues, as the CSV import does', () => {
    const writeOnly = validateRecordedToken(
      { ...ok, scopes: ['write:pipeline:bitbucket', 'admin:repository:bitbucket', 'write:ssh-key:bitbucket'] },
      ctx,
    );
    expect(writeOnly).toMatchObject({
      ok: true,
      value: { scopes: ['admin:repository:bitbucket', 'write:pipeline:bitbucket', 'write:ssh-key:bitbucket'] },
    });
    expect(writeOnly.ok && writeOnly.notices?.map((n) => n.scope)).toEqual(['write:pipeline:bitbucket', 'write:ssh-key:bitbucket']);
    const lonely = validateRecordedToken({ ...ok, scopes: ['write:permission:bitbucket'] }, ctx);
    expect(lonely.ok === false && lonely.errors.scopes).toMatch(
      /only works together with admin:repository:bitbucket or admin:project:bitbucket/,
    );
  });

  it('hints at the new scopes for legacy app-password names', () => {
    const legacy = validateRecordedToken({ ...ok, scopes: ['pipeline:variable'] }, ctx);
    expect(legacy.ok === false && legacy.errors.scopes).toBe(
      'Unknown scope: pipeline:variable: "pipeline:variable" is an app-password scope name; API tokens use admin:pipeline:bitbucket instead',
    );
  });

  it('accepts and refuses exactly the scope sets the CSV import accepts and refuses', () => {
    const names = [
      'read:repository:bitbucket',
      'write:repository:bitbucket',
      'write:pipeline:bitbucket',
      'write:permission:bitbucket',
      'delete:permission:bitbucket',
      'admin:project:bitbucket',
      'admin:repository:bitbucket',
      'write:ssh-key:bitbucket',
      'repository:write',
      'read:issue',
      'bogus',
    ];
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...names), { minLength: 0, maxLength: 5 }), (scopes) => {
        const modal = validateRecordedToken({ ...ok, scopes }, ctx);
        const csv = parseImportRow({ owner_id: 'U01ALICE', name: ok.name, scopes: scopes.join(' '), expires_on: ok.expiresOn }, 2, now);
        expect('token' in csv).toBe(modal.ok);
        if (modal.ok && 'token' in csv) {
          expect(csv.token.scopes).toEqual(modal.value.scopes);
          expect(csv.warnings.map((w) => w.message)).toEqual((modal.notices ?? []).map((n) => n.message));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('"Stored in" places', () => {
  const base = { name: 'CI', expiresOn: '2026-05-29', scopes: [RR] };

  it('one place per line: trimmed, blank lines and repeats dropped; absent when empty', () => {
    const result = validateRecordedToken(
      { ...base, places: ' Vault secret/ci/deeptraq \n\n  Bitbucket variable X in acme/web\r\nVault secret/ci/deeptraq' },
      ctx,
    );
    expect(result).toMatchObject({ ok: true, value: { places: ['Vault secret/ci/deeptraq', 'Bitbucket variable X in acme/web'] } });
    const none = validateRequest({ ...good, places: ' \n ' }, ctx);
    expect(none.ok && 'places' in none.value).toBe(false);
  });

  it('refuses a token value, too many places and a place too long, next to the field', () => {
    const secret = `ATATT3xFfGF0${'Zm9vYmFy'.repeat(4)}=ABCD1234`;
    const pasted = validateRequest({ ...good, places: `Vault\n${secret}` }, ctx);
    expect(pasted).toEqual({ ok: false, errors: { places: SECRET_PASTED_MESSAGE } });
    expect(JSON.stringify(pasted)).not.toContain('ATATT3');
    expect(validateRecordedToken({ ...base, places: 'a\nb\nc\nd\ne\nf' }, ctx)).toMatchObject({
      ok: false,
      errors: { places: /at most 5 places/ },
    });
    expect(validateRecordedToken({ ...base, places: 'x'.repeat(151) }, ctx)).toMatchObject({
      ok: false,
      errors: { places: /150 characters/ },
    });
    expect(validateRecordedToken({ ...base, places: 'Vault\tsecret' }, ctx)).toMatchObject({ ok: false, errors: { places: /control/ } });
  });
});

describe('acceptedInZone', () => {
  it('agrees with validating the whole form again in the other zone, at every edge of the expiry range', () => {
    const zones = ['Pacific/Kiritimati', 'Etc/GMT+12', 'Pacific/Auckland', 'UTC'];
    const instants = ['2026-02-27T11:30:00Z', '2026-02-27T23:59:59Z', '2026-12-31T10:00:00Z'].map((iso) => new Date(iso));
    for (const at of instants) {
      for (const from of zones) {
        const { today, max } = expiryBounds(from, at);
        const days = [-2, -1, 0, 1, 2].flatMap((d) => [addDays(today, d), addDays(max, d)]);
        for (const expiresOn of days) {
          const first = validateRequest({ ...good, expiresOn }, { now: at, timeZone: from });
          if (!first.ok) continue;
          for (const to of zones) {
            const again = validateRequest({ ...good, expiresOn }, { now: at, timeZone: to });
            expect(
              acceptedInZone(first.value, { now: at, timeZone: to }),
              `${expiresOn} from ${from} to ${to} at ${at.toISOString()}`,
            ).toBe(again.ok && JSON.stringify(again) === JSON.stringify(first));
          }
        }
      }
    }
  });
});
