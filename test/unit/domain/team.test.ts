import { describe, expect, it } from 'vitest';
import { checkTeam, tokenPeople } from '../../../src/domain/team.js';

describe('checkTeam', () => {
  it('keeps co-owners once each, in order, and a channel id', () => {
    expect(checkTeam({ coOwners: ['U0B', 'U0C', 'U0B'], teamChannelId: 'C0TEAM' }, 'U0A')).toEqual({
      coOwners: ['U0B', 'U0C'],
      teamChannelId: 'C0TEAM',
      errors: {},
    });
    expect(checkTeam({ coOwners: [], teamChannelId: null }, 'U0A')).toEqual({ errors: {} });
  });

  it('refuses the owner, more than five, tampered ids and a DM or tampered channel', () => {
    expect(checkTeam({ coOwners: ['U0A'] }, 'U0A').errors.coOwners).toMatch(/own this token/);
    expect(checkTeam({ coOwners: ['U01', 'U02', 'U03', 'U04', 'U05', 'U06'] }, 'U0A').errors.coOwners).toMatch(/at most 5/);
    expect(checkTeam({ coOwners: ['<@U01>'] }, 'U0A').errors.coOwners).toMatch(/Pick co-owners/);
    expect(checkTeam({ coOwners: [42] }, 'U0A').errors.coOwners).toMatch(/Pick co-owners/);
    expect(checkTeam({ teamChannelId: 'D0DM' }, 'U0A').errors.teamChannel).toMatch(/not a direct message/);
    expect(checkTeam({ teamChannelId: { id: 'C0X' } }, 'U0A').errors.teamChannel).toMatch(/Pick a channel/);
  });

  it('lists the owner first, then co-owners', () => {
    expect(tokenPeople({ ownerId: 'U0A', coOwners: ['U0B', 'U0A', 'U0C'] })).toEqual(['U0A', 'U0B', 'U0C']);
    expect(tokenPeople({ ownerId: 'U0A' })).toEqual(['U0A']);
  });
});
