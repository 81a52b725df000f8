import { CURRENT_SCHEMA_VERSIONS, currentSchemaVersion, upcast } from './upcasters';
import { EVENT_TYPES, checkEventData } from '../event-data';

describe('the upcaster registry', () => {
  const v1 = { partnershipId: 'p', arrangementId: 'a', title: 't', terms: 'x', validUntil: null };

  it('writes ArrangementAgreed at version 2 and every other type at 1', () => {
    expect(currentSchemaVersion('ArrangementAgreed')).toBe(2);
    expect(Object.entries(CURRENT_SCHEMA_VERSIONS).filter(([, version]) => version !== 1)).toEqual([
      ['ArrangementAgreed', 2],
    ]);
  });

  it('brings a version-1 ArrangementAgreed to version 2 with no commitments, leaving the stored data alone', () => {
    const stored = Object.freeze({ ...v1 });
    expect(upcast('ArrangementAgreed', 1, stored)).toEqual({ ...v1, commitments: [] });
    expect(stored).not.toHaveProperty('commitments');
  });

  it('returns current data, newer versions and unknown types as they are', () => {
    const current = { ...v1, commitments: [{ organizationId: 'o', commitment: 'c' }] };
    expect(upcast('ArrangementAgreed', 2, current)).toBe(current);
    expect(upcast('ArrangementAgreed', 3, current)).toBe(current);
    expect(upcast('SomethingElse', 1, v1)).toBe(v1);
  });
});

describe('the data table', () => {
  it('has a check for every version a type was ever written in', () => {
    for (const [type, version] of Object.entries(CURRENT_SCHEMA_VERSIONS)) {
      for (let v = 1; v <= version; v++) {
        expect(EVENT_TYPES[type as keyof typeof EVENT_TYPES].versions[v]).toBeDefined();
      }
    }
  });

  it.each([
    [
      'ArrangementAgreed',
      1,
      { partnershipId: 'p', arrangementId: 'a', title: 't', terms: 'x', validUntil: null },
      undefined,
    ],
    [
      'ArrangementAgreed',
      2,
      { partnershipId: 'p', arrangementId: 'a', title: 't', terms: 'x', validUntil: null },
      'ArrangementAgreed v2 data lacks commitments',
    ],
    [
      'ArrangementAgreed',
      1,
      {
        partnershipId: 'p',
        arrangementId: 'a',
        title: 't',
        terms: 'x',
        validUntil: null,
        commitments: [],
      },
      'ArrangementAgreed v1 data has an unexpected member commitments',
    ],
    [
      'ArrangementAgreed',
      2,
      {
        partnershipId: 'p',
        arrangementId: 'a',
        title: 't',
        terms: 'x',
        validUntil: null,
        commitments: [{ organizationId: 'o' }],
      },
      'ArrangementAgreed v2 data has an invalid commitments',
    ],
    ['OrganizationRegistered', 1, { organizationId: 'o', name: 'O' }, undefined],
    [
      'OrganizationRegistered',
      1,
      { organizationId: 'o', name: 7 },
      'OrganizationRegistered v1 data has an invalid name',
    ],
    [
      'OrganizationRegistered',
      2,
      { organizationId: 'o', name: 'O' },
      'OrganizationRegistered has no schema version 2',
    ],
    [
      'CapabilityAssessed',
      1,
      { organizationId: 'o', ambition: 6, realized: 1, notes: null },
      'CapabilityAssessed v1 data has an invalid ambition',
    ],
    ['Unheard', 1, {}, 'the event type Unheard is unknown'],
  ])('%s v%i %j: %s', (type, version, data, problem) => {
    expect(checkEventData(type, version, data)).toBe(problem);
  });
});
