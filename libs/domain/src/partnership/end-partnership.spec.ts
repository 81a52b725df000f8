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
import { EndPartnershipInput, parseEndPartnership } from './end-partnership';
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

const endPartnership = (input: EndPartnershipInput, state: PartnershipState) =>
  decidePartnership(parseEndPartnership(input), state, contextAt(NOW));

const partnershipWith = (...events: Effective<PartnershipEvent>[]) =>
  given(evolvePartnership, initialPartnershipState, ...events);

// version 2, latest effective time AGREED_AT
const running = partnershipWith(
  formed('p1', FORMED_AT, INTENDED_END),
  agreed('p1', 'a1', AGREED_AT),
);

const completed = { partnershipId: 'p1', reason: 'COMPLETED' } as const;

describe('EndPartnership', () => {
  describe('given PartnershipFormed and an arrangement agreed', () => {
    it('then PartnershipEnded with the reason and the trimmed note', () => {
      const decision = endPartnership({ ...completed, note: '  goals met  ' }, running);

      expect(decision.events).toStrictEqual([
        {
          type: 'PartnershipEnded',
          data: { partnershipId: 'p1', reason: 'COMPLETED', note: 'goals met' },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it.each(['COMPLETED', 'TERMINATED', 'MERGED', 'OTHER'])(
      'accepts the reason %s and stores no note as null',
      (reason) => {
        expect(endPartnership({ ...completed, reason }, running).events[0]?.data).toStrictEqual({
          partnershipId: 'p1',
          reason,
          note: null,
        });
      },
    );

    it('ends every arrangement with it: one event, and the partnership is no longer active', () => {
      const endedAt = at('2026-04-01T00:00:00Z');
      const decision = endPartnership({ ...completed, effectiveAt: endedAt }, running);
      expect(decision.events.map((event) => event.type)).toEqual(['PartnershipEnded']);

      const after = decision.events.reduce(
        (state, event) => evolvePartnership(state, { ...event, effectiveAt: endedAt }),
        running,
      );
      expect(after.ended).toBe(true);
      expect(after.version).toBe(3);
      expect(after.latestEffectiveAt).toEqual(endedAt);
    });

    it('passes with a matching expectedVersion', () => {
      expect(endPartnership({ ...completed, expectedVersion: 2 }, running).events).toHaveLength(1);
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion', () => {
      expectConflict(() => endPartnership({ ...completed, expectedVersion: 1 }, running), 1, 2);
    });

    it('allows backdating; before the latest effective time is EFFECTIVE_TIME_BEFORE_HISTORY', () => {
      expect(endPartnership({ ...completed, effectiveAt: AGREED_AT }, running).effectiveAt).toEqual(
        AGREED_AT,
      );
      expectRule(
        () => endPartnership({ ...completed, effectiveAt: FORMED_AT }, running),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead; within 5 minutes at recording', () => {
      expectRule(
        () => endPartnership({ ...completed, effectiveAt: plus(NOW, 60 * MINUTE) }, running),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
      expect(
        endPartnership({ ...completed, effectiveAt: plus(NOW, 2 * MINUTE) }, running).effectiveAt,
      ).toBeUndefined();
    });
  });

  describe('given the partnership ended', () => {
    const ENDED_AT = at('2026-05-01T00:00:00Z');
    const endedState = partnershipWith(
      formed('p1', FORMED_AT, INTENDED_END),
      ended('p1', ENDED_AT),
    );

    it('then PARTNERSHIP_ENDED', () => {
      expectRule(() => endPartnership(completed, endedState), 'PARTNERSHIP_ENDED');
    });

    it('checks the expectedVersion and the effective time before PARTNERSHIP_ENDED', () => {
      expectConflict(() => endPartnership({ ...completed, expectedVersion: 1 }, endedState), 1, 2);
      expectRule(
        () => endPartnership({ ...completed, effectiveAt: plus(ENDED_AT, -1) }, endedState),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the partnership, before the expectedVersion', () => {
      expectNotFound(() => endPartnership(completed, initialPartnershipState), 'partnership', 'p1');
      expectNotFound(
        () => endPartnership({ ...completed, expectedVersion: 9 }, initialPartnershipState),
        'partnership',
        'p1',
      );
    });
  });

  describe('input', () => {
    it('accepts a note of 2000 code points', () => {
      expect(parseEndPartnership({ ...completed, note: 'n'.repeat(2000) }).data.note).toHaveLength(
        2000,
      );
    });

    it.each([
      ['reason', { ...completed, reason: 'BORED' }],
      ['reason', { ...completed, reason: undefined }],
      ['note', { ...completed, note: 'n'.repeat(2001) }],
      ['partnershipId', { ...completed, partnershipId: 'p 1' }],
      ['expectedVersion', { ...completed, expectedVersion: 0.5 }],
      ['effectiveAt', { ...completed, effectiveAt: new Date('') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseEndPartnership(input), field);
    });
  });

  describe('rules that hold in time: EXPIRED only once the intended end has come', () => {
    const overdue = (effectiveAt: Date) =>
      decidePartnership(
        parseEndPartnership({ partnershipId: 'p1', reason: 'EXPIRED', effectiveAt }),
        running,
        contextAt(at('2027-06-01T00:00:00Z')),
      );

    it('then PartnershipEnded with EXPIRED at or after the intended end', () => {
      expect(overdue(INTENDED_END).events[0]?.data).toStrictEqual({
        partnershipId: 'p1',
        reason: 'EXPIRED',
        note: null,
      });
      expect(overdue(at('2027-05-01T00:00:00Z')).events).toHaveLength(1);
    });

    it('then NOT_YET_EXPIRED before the intended end, backdated or now', () => {
      expectRule(() => overdue(plus(INTENDED_END, -1)), 'NOT_YET_EXPIRED');
      expectRule(
        () => endPartnership({ ...completed, reason: 'EXPIRED' }, running),
        'NOT_YET_EXPIRED',
      );
    });

    it('checks PARTNERSHIP_ENDED before NOT_YET_EXPIRED', () => {
      const over = partnershipWith(formed('p1', FORMED_AT, INTENDED_END), ended('p1', AGREED_AT));
      expectRule(
        () => endPartnership({ ...completed, reason: 'EXPIRED' }, over),
        'PARTNERSHIP_ENDED',
      );
    });

    it('judges against the intended end as extended', () => {
      const later = at('2028-03-01T00:00:00Z');
      const extendedState = partnershipWith(
        formed('p1', FORMED_AT, INTENDED_END),
        extended('p1', AGREED_AT, INTENDED_END, later),
      );
      expectRule(
        () =>
          decidePartnership(
            parseEndPartnership({ partnershipId: 'p1', reason: 'EXPIRED' }),
            extendedState,
            contextAt(at('2027-06-01T00:00:00Z')),
          ),
        'NOT_YET_EXPIRED',
      );
    });
  });
});
