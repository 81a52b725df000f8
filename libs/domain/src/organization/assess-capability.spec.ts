import {
  MINUTE,
  NOW,
  at,
  contextAt,
  expectBadInput,
  expectConflict,
  expectNotFound,
  expectRule,
  given,
  plus,
  registered,
} from '../common/decider-spec-helpers';
import { AssessCapabilityInput, parseAssessCapability } from './assess-capability';
import {
  OrganizationEvent,
  OrganizationState,
  decideOrganization,
  evolveOrganization,
  initialOrganizationState,
} from './organization';
import { Effective } from '../common/command';

const assessCapability = (input: AssessCapabilityInput, state: OrganizationState) =>
  decideOrganization(parseAssessCapability(input), state, contextAt(NOW));

const REGISTERED_AT = at('2026-02-01T09:00:00Z');
const ASSESSED_AT = at('2026-03-01T09:00:00Z');

const firstAssessment: Effective<OrganizationEvent> = {
  type: 'CapabilityAssessed',
  data: { organizationId: 'acme', ambition: 4, realized: 2, notes: null },
  effectiveAt: ASSESSED_AT,
};

// version 2, latest effective time ASSESSED_AT
const acmeAssessed = given(
  evolveOrganization,
  initialOrganizationState,
  registered('acme', REGISTERED_AT),
  firstAssessment,
);

const valid = { organizationId: 'acme', ambition: 4, realized: 3 } as const;

describe('AssessCapability', () => {
  describe('given OrganizationRegistered and CapabilityAssessed', () => {
    it('then CapabilityAssessed with the scores and trimmed notes', () => {
      const decision = assessCapability({ ...valid, notes: '  grew in year two  ' }, acmeAssessed);

      expect(decision.events).toStrictEqual([
        {
          type: 'CapabilityAssessed',
          data: { organizationId: 'acme', ambition: 4, realized: 3, notes: 'grew in year two' },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores empty notes as null', () => {
      const decision = assessCapability({ ...valid, notes: '   ' }, acmeAssessed);

      expect(decision.events[0]?.data).toMatchObject({ notes: null });
    });

    it('passes with a matching expectedVersion', () => {
      const decision = assessCapability({ ...valid, expectedVersion: 2 }, acmeAssessed);

      expect(decision.events.map((event) => event.type)).toEqual(['CapabilityAssessed']);
    });

    it.each([0, 1, 3])('then CONCURRENCY_CONFLICT when expecting version %p', (expected) => {
      expectConflict(
        () => assessCapability({ ...valid, expectedVersion: expected }, acmeAssessed),
        expected,
        2,
      );
    });

    it('checks the expectedVersion before the effective time', () => {
      expectConflict(
        () =>
          assessCapability(
            { ...valid, expectedVersion: 1, effectiveAt: plus(NOW, 10 * MINUTE) },
            acmeAssessed,
          ),
        1,
        2,
      );
    });

    it('allows backdating to the latest effective time or later', () => {
      expect(
        assessCapability({ ...valid, effectiveAt: ASSESSED_AT }, acmeAssessed).effectiveAt,
      ).toEqual(ASSESSED_AT);
      const backdated = at('2026-04-01T00:00:00Z');
      expect(
        assessCapability({ ...valid, effectiveAt: backdated }, acmeAssessed).effectiveAt,
      ).toEqual(backdated);
    });

    it('then EFFECTIVE_TIME_BEFORE_HISTORY before the latest effective time', () => {
      expectRule(
        () => assessCapability({ ...valid, effectiveAt: plus(ASSESSED_AT, -1) }, acmeAssessed),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead', () => {
      expectRule(
        () => assessCapability({ ...valid, effectiveAt: plus(NOW, 6 * MINUTE) }, acmeAssessed),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });

    it('resolves a time within 5 minutes ahead to the moment of recording', () => {
      expect(
        assessCapability({ ...valid, effectiveAt: plus(NOW, 5 * MINUTE) }, acmeAssessed)
          .effectiveAt,
      ).toBeUndefined();
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the organization', () => {
      expectNotFound(
        () => assessCapability(valid, initialOrganizationState),
        'organization',
        'acme',
      );
    });

    it('checks existence before the expectedVersion', () => {
      expectNotFound(
        () => assessCapability({ ...valid, expectedVersion: 3 }, initialOrganizationState),
        'organization',
        'acme',
      );
    });
  });

  describe('input', () => {
    it.each([1, 5])('accepts %p as a score', (score) => {
      const { data } = parseAssessCapability({ ...valid, ambition: score, realized: score });
      expect([data.ambition, data.realized]).toEqual([score, score]);
    });

    it.each([0, 6, 2.5])('rejects ambition %p', (ambition) => {
      expectBadInput(() => parseAssessCapability({ ...valid, ambition }), 'ambition');
    });

    it.each([0, 6, 2.5])('rejects realized %p', (realized) => {
      expectBadInput(() => parseAssessCapability({ ...valid, realized }), 'realized');
    });

    it('accepts notes of 2000 code points and rejects 2001', () => {
      expect(parseAssessCapability({ ...valid, notes: 'n'.repeat(2000) }).data.notes).toHaveLength(
        2000,
      );
      expectBadInput(() => parseAssessCapability({ ...valid, notes: 'n'.repeat(2001) }), 'notes');
    });

    it('rejects a negative expectedVersion', () => {
      expectBadInput(
        () => parseAssessCapability({ ...valid, expectedVersion: -1 }),
        'expectedVersion',
      );
    });

    it('rejects an invalid effectiveAt', () => {
      expectBadInput(
        () => parseAssessCapability({ ...valid, effectiveAt: new Date(Number.NaN) }),
        'effectiveAt',
      );
    });

    it('rejects a malformed organizationId', () => {
      expectBadInput(
        () => parseAssessCapability({ ...valid, organizationId: 'a/b' }),
        'organizationId',
      );
    });
  });
});
