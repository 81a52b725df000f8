import {
  MINUTE,
  NOW,
  at,
  contextAt,
  ended,
  expectBadInput,
  expectConflict,
  expectNotFound,
  expectRule,
  extended,
  formed,
  given,
  plus,
} from '../common/decider-spec-helpers';
import { Effective } from '../common/command';
import { ExtendPartnershipInput, parseExtendPartnership } from './extend-partnership';
import {
  PartnershipEvent,
  PartnershipState,
  decidePartnership,
  evolvePartnership,
  initialPartnershipState,
} from './partnership';

const FORMED_AT = at('2026-03-01T09:00:00Z');
const INTENDED_END = at('2027-03-01T00:00:00Z');

const extendPartnership = (input: ExtendPartnershipInput, state: PartnershipState) =>
  decidePartnership(parseExtendPartnership(input), state, contextAt(NOW));

const partnershipWith = (...events: Effective<PartnershipEvent>[]) =>
  given(evolvePartnership, initialPartnershipState, ...events);

// version 1, latest effective time FORMED_AT
const p1 = partnershipWith(formed('p1', FORMED_AT, INTENDED_END));

const toNextYear = { partnershipId: 'p1', intendedEndAt: at('2028-03-01T00:00:00Z') } as const;

describe('ExtendPartnership', () => {
  describe('given PartnershipFormed', () => {
    it('then PartnershipExtended carrying the previous intended end, as ISO strings', () => {
      const decision = extendPartnership(toNextYear, p1);

      expect(decision.events).toStrictEqual([
        {
          type: 'PartnershipExtended',
          data: {
            partnershipId: 'p1',
            intendedEndAt: '2028-03-01T00:00:00.000Z',
            previousIntendedEndAt: '2027-03-01T00:00:00.000Z',
          },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('then EXTENSION_NOT_LATER for the same intended end', () => {
      expectRule(
        () => extendPartnership({ ...toNextYear, intendedEndAt: new Date(INTENDED_END) }, p1),
        'EXTENSION_NOT_LATER',
      );
    });

    it('then EXTENSION_NOT_LATER for an earlier intended end', () => {
      expectRule(
        () => extendPartnership({ ...toNextYear, intendedEndAt: plus(INTENDED_END, -1) }, p1),
        'EXTENSION_NOT_LATER',
      );
    });

    it('accepts an intended end 1 ms later', () => {
      expect(
        extendPartnership({ ...toNextYear, intendedEndAt: plus(INTENDED_END, 1) }, p1).events,
      ).toHaveLength(1);
    });

    it('passes with a matching expectedVersion', () => {
      expect(extendPartnership({ ...toNextYear, expectedVersion: 1 }, p1).events).toHaveLength(1);
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion, before EXTENSION_NOT_LATER', () => {
      expectConflict(() => extendPartnership({ ...toNextYear, expectedVersion: 0 }, p1), 0, 1);
      expectConflict(
        () =>
          extendPartnership({ ...toNextYear, intendedEndAt: INTENDED_END, expectedVersion: 2 }, p1),
        2,
        1,
      );
    });

    it('allows backdating; before the latest effective time is EFFECTIVE_TIME_BEFORE_HISTORY', () => {
      const april = at('2026-04-01T00:00:00Z');
      expect(extendPartnership({ ...toNextYear, effectiveAt: april }, p1).effectiveAt).toEqual(
        april,
      );
      expect(extendPartnership({ ...toNextYear, effectiveAt: FORMED_AT }, p1).effectiveAt).toEqual(
        FORMED_AT,
      );
      expectRule(
        () => extendPartnership({ ...toNextYear, effectiveAt: plus(FORMED_AT, -1) }, p1),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead, before EXTENSION_NOT_LATER', () => {
      expectRule(
        () =>
          extendPartnership(
            { ...toNextYear, intendedEndAt: INTENDED_END, effectiveAt: plus(NOW, 6 * MINUTE) },
            p1,
          ),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });
  });

  describe('given the partnership extended once', () => {
    const once = partnershipWith(
      formed('p1', FORMED_AT, INTENDED_END),
      extended('p1', at('2026-04-01T00:00:00Z'), INTENDED_END, at('2027-09-01T00:00:00Z')),
    );

    it('then the extended end is the one to beat', () => {
      expectRule(
        () => extendPartnership({ ...toNextYear, intendedEndAt: at('2027-06-01T00:00:00Z') }, once),
        'EXTENSION_NOT_LATER',
      );
      expect(extendPartnership(toNextYear, once).events[0]?.data).toMatchObject({
        previousIntendedEndAt: '2027-09-01T00:00:00.000Z',
      });
    });
  });

  describe('given the partnership ended', () => {
    const endedState = partnershipWith(
      formed('p1', FORMED_AT, INTENDED_END),
      ended('p1', at('2026-05-01T00:00:00Z')),
    );

    it('then PARTNERSHIP_ENDED', () => {
      expectRule(() => extendPartnership(toNextYear, endedState), 'PARTNERSHIP_ENDED');
    });

    it('then PARTNERSHIP_ENDED before EXTENSION_NOT_LATER', () => {
      expectRule(
        () => extendPartnership({ ...toNextYear, intendedEndAt: INTENDED_END }, endedState),
        'PARTNERSHIP_ENDED',
      );
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the partnership, before the expectedVersion', () => {
      expectNotFound(
        () => extendPartnership(toNextYear, initialPartnershipState),
        'partnership',
        'p1',
      );
      expectNotFound(
        () => extendPartnership({ ...toNextYear, expectedVersion: 1 }, initialPartnershipState),
        'partnership',
        'p1',
      );
    });
  });

  describe('input', () => {
    it.each([
      ['intendedEndAt', { ...toNextYear, intendedEndAt: undefined }],
      ['intendedEndAt', { ...toNextYear, intendedEndAt: new Date('later') }],
      ['intendedEndAt', { ...toNextYear, intendedEndAt: '2028-03-01T00:00:00Z' }],
      ['partnershipId', { ...toNextYear, partnershipId: 'p'.repeat(65) }],
      ['expectedVersion', { ...toNextYear, expectedVersion: -1 }],
      ['effectiveAt', { ...toNextYear, effectiveAt: new Date('now-ish') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseExtendPartnership(input), field);
    });
  });

  describe('rules that hold in time: the new intended end lies after the extension', () => {
    const overdue = partnershipWith(formed('p1', FORMED_AT, at('2026-04-01T00:00:00Z')));

    it('then EXTENSION_ALREADY_PASSED when the new end is not after its effectiveAt', () => {
      expectRule(
        () =>
          extendPartnership(
            {
              partnershipId: 'p1',
              intendedEndAt: at('2026-05-01T00:00:00Z'),
              effectiveAt: at('2026-05-01T00:00:00Z'),
            },
            overdue,
          ),
        'EXTENSION_ALREADY_PASSED',
      );
      expect(
        extendPartnership(
          {
            partnershipId: 'p1',
            intendedEndAt: plus(at('2026-05-01T00:00:00Z'), 1),
            effectiveAt: at('2026-05-01T00:00:00Z'),
          },
          overdue,
        ).events,
      ).toHaveLength(1);
    });

    it('then EXTENSION_ALREADY_PASSED at recording when the new end has passed', () => {
      expectRule(
        () =>
          extendPartnership({ partnershipId: 'p1', intendedEndAt: plus(NOW, -MINUTE) }, overdue),
        'EXTENSION_ALREADY_PASSED',
      );
    });

    it('checks EXTENSION_NOT_LATER before EXTENSION_ALREADY_PASSED', () => {
      expectRule(
        () =>
          extendPartnership(
            { partnershipId: 'p1', intendedEndAt: at('2026-03-15T00:00:00Z') },
            overdue,
          ),
        'EXTENSION_NOT_LATER',
      );
    });
  });
});
