import { describe, expect, it } from 'vitest';
import { effectiveRoles, GROUPS_CLAIM_LIMIT, groupsClaim } from './effective-roles.js';

const WEATHER = 'api://weather';
const REPORTS = 'api://reports';

describe('effectiveRoles', () => {
  it('takes the API\'s and tenant-wide grants of the user and of every group, de-duplicated and sorted', () => {
    const roles = effectiveRoles(
      [{ api: WEATHER, roles: ['reader', 'admin'] }, { api: REPORTS, roles: ['auditor'] }, { api: null, roles: ['staff'] }],
      [{ roles: [{ api: WEATHER, roles: ['forecaster', 'reader'] }] }, { roles: [{ api: null, roles: ['staff', 'on-call'] }] },
        { roles: [{ api: REPORTS, roles: ['publisher'] }] }],
      WEATHER,
    );
    expect(roles).toEqual(['admin', 'forecaster', 'on-call', 'reader', 'staff']);
  });

  it('gives nothing of another API', () => {
    expect(effectiveRoles([{ api: REPORTS, roles: ['auditor'] }], [{ roles: [{ api: REPORTS, roles: ['publisher'] }] }], WEATHER)).toEqual([]);
  });
});

describe('groupsClaim', () => {
  const named = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `g${i}` }));

  it('lists names up to the limit, and marks an overage above it', () => {
    expect(groupsClaim(named(2))).toEqual({ groups: ['g0', 'g1'] });
    expect(groupsClaim(named(GROUPS_CLAIM_LIMIT))).toMatchObject({ groups: expect.any(Array) });
    expect(groupsClaim(named(GROUPS_CLAIM_LIMIT + 1))).toEqual({ groups_overage: true });
    expect(groupsClaim([])).toEqual({});
  });
});
