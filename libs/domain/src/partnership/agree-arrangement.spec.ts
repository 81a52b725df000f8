import {
  MINUTE,
  NOW,
  agreed,
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
import { AgreeArrangementInput, parseAgreeArrangement } from './agree-arrangement';
import {
  PartnershipEvent,
  PartnershipState,
  decidePartnership,
  evolvePartnership,
  initialPartnershipState,
} from './partnership';

const FORMED_AT = at('2026-03-01T09:00:00Z');
const AGREED_AT = at('2026-03-15T09:00:00Z');
const INTENDED_END = at('2027-03-01T00:00:00Z');

const agreeArrangement = (input: AgreeArrangementInput, state: PartnershipState) =>
  decidePartnership(parseAgreeArrangement(input), state, contextAt(NOW));

const partnershipWith = (...events: Effective<PartnershipEvent>[]) =>
  given(evolvePartnership, initialPartnershipState, ...events);

// version 2, latest effective time AGREED_AT
const withA1 = partnershipWith(
  formed('p1', FORMED_AT, INTENDED_END),
  agreed('p1', 'a1', AGREED_AT),
);

const a2 = {
  partnershipId: 'p1',
  arrangementId: 'a2',
  title: 'Data sharing',
  terms: 'Each party shares anonymised intake data monthly.',
} as const;

describe('AgreeArrangement', () => {
  describe('given PartnershipFormed and arrangement a1 agreed', () => {
    it('then ArrangementAgreed with trimmed texts and validUntil as an ISO string', () => {
      const decision = agreeArrangement(
        {
          ...a2,
          title: ' Data sharing ',
          terms: '\n monthly \n',
          validUntil: at('2026-12-31T00:00:00Z'),
        },
        withA1,
      );

      expect(decision.events).toStrictEqual([
        {
          type: 'ArrangementAgreed',
          data: {
            partnershipId: 'p1',
            arrangementId: 'a2',
            title: 'Data sharing',
            terms: 'monthly',
            validUntil: '2026-12-31T00:00:00.000Z',
            commitments: [],
          },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores an absent validUntil as null', () => {
      expect(agreeArrangement(a2, withA1).events[0]?.data).toMatchObject({ validUntil: null });
    });

    it('then ARRANGEMENT_EXISTS for a1 again', () => {
      expectRule(
        () => agreeArrangement({ ...a2, arrangementId: 'a1' }, withA1),
        'ARRANGEMENT_EXISTS',
      );
    });

    it('then ARRANGEMENT_OUTLIVES_PARTNERSHIP when validUntil lies after the intended end', () => {
      expectRule(
        () => agreeArrangement({ ...a2, validUntil: plus(INTENDED_END, 1) }, withA1),
        'ARRANGEMENT_OUTLIVES_PARTNERSHIP',
      );
    });

    it('allows validUntil equal to the intended end', () => {
      expect(
        agreeArrangement({ ...a2, validUntil: new Date(INTENDED_END) }, withA1).events[0]?.data,
      ).toMatchObject({ validUntil: '2027-03-01T00:00:00.000Z' });
    });

    it('checks ARRANGEMENT_EXISTS before ARRANGEMENT_OUTLIVES_PARTNERSHIP', () => {
      expectRule(
        () =>
          agreeArrangement(
            { ...a2, arrangementId: 'a1', validUntil: at('2030-01-01T00:00:00Z') },
            withA1,
          ),
        'ARRANGEMENT_EXISTS',
      );
    });

    it('passes with a matching expectedVersion', () => {
      expect(agreeArrangement({ ...a2, expectedVersion: 2 }, withA1).events).toHaveLength(1);
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion, before ARRANGEMENT_EXISTS', () => {
      expectConflict(() => agreeArrangement({ ...a2, expectedVersion: 1 }, withA1), 1, 2);
      expectConflict(
        () => agreeArrangement({ ...a2, arrangementId: 'a1', expectedVersion: 0 }, withA1),
        0,
        2,
      );
    });

    it('allows backdating; before the latest effective time is EFFECTIVE_TIME_BEFORE_HISTORY', () => {
      expect(agreeArrangement({ ...a2, effectiveAt: AGREED_AT }, withA1).effectiveAt).toEqual(
        AGREED_AT,
      );
      expectRule(
        () => agreeArrangement({ ...a2, effectiveAt: plus(AGREED_AT, -1) }, withA1),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead; within 5 minutes at recording', () => {
      expectRule(
        () => agreeArrangement({ ...a2, effectiveAt: plus(NOW, 7 * MINUTE) }, withA1),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
      expect(
        agreeArrangement({ ...a2, effectiveAt: plus(NOW, 4 * MINUTE) }, withA1).effectiveAt,
      ).toBeUndefined();
    });
  });

  describe('given the partnership extended', () => {
    it('then validUntil is judged against the new intended end', () => {
      const newEnd = at('2028-03-01T00:00:00Z');
      const extendedState = partnershipWith(
        formed('p1', FORMED_AT, INTENDED_END),
        extended('p1', at('2026-04-01T00:00:00Z'), INTENDED_END, newEnd),
      );

      expect(
        agreeArrangement({ ...a2, validUntil: at('2027-09-01T00:00:00Z') }, extendedState).events,
      ).toHaveLength(1);
      expectRule(
        () => agreeArrangement({ ...a2, validUntil: plus(newEnd, 1) }, extendedState),
        'ARRANGEMENT_OUTLIVES_PARTNERSHIP',
      );
    });
  });

  describe('given the partnership ended', () => {
    const endedState = partnershipWith(
      formed('p1', FORMED_AT, INTENDED_END),
      agreed('p1', 'a1', AGREED_AT),
      ended('p1', at('2026-05-01T00:00:00Z')),
    );

    it('then PARTNERSHIP_ENDED', () => {
      expectRule(() => agreeArrangement(a2, endedState), 'PARTNERSHIP_ENDED');
    });

    it('then PARTNERSHIP_ENDED before ARRANGEMENT_EXISTS', () => {
      expectRule(
        () => agreeArrangement({ ...a2, arrangementId: 'a1' }, endedState),
        'PARTNERSHIP_ENDED',
      );
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the partnership, before the expectedVersion', () => {
      expectNotFound(() => agreeArrangement(a2, initialPartnershipState), 'partnership', 'p1');
      expectNotFound(
        () => agreeArrangement({ ...a2, expectedVersion: 2 }, initialPartnershipState),
        'partnership',
        'p1',
      );
    });
  });

  describe('input', () => {
    it('accepts terms of 10000 code points', () => {
      expect(parseAgreeArrangement({ ...a2, terms: 't'.repeat(10_000) }).data.terms).toHaveLength(
        10_000,
      );
    });

    it.each([
      ['terms', { ...a2, terms: 't'.repeat(10_001) }],
      ['terms', { ...a2, terms: '  ' }],
      ['title', { ...a2, title: '' }],
      ['title', { ...a2, title: 't'.repeat(201) }],
      ['arrangementId', { ...a2, arrangementId: 'a 2' }],
      ['arrangementId', { ...a2, arrangementId: '' }],
      ['partnershipId', { ...a2, partnershipId: 'p/1' }],
      ['validUntil', { ...a2, validUntil: new Date('forever') }],
      ['expectedVersion', { ...a2, expectedVersion: -1 }],
      ['effectiveAt', { ...a2, effectiveAt: new Date('today') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseAgreeArrangement(input), field);
    });
  });
});
