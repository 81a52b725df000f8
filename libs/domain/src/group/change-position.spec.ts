import {
  MINUTE,
  NOW,
  World,
  at,
  contextAt,
  dissolved,
  expectBadInput,
  expectConflict,
  expectNotFound,
  expectRule,
  founded,
  given,
  joined,
  left,
  plus,
  registered,
} from '../common/decider-spec-helpers';
import { Effective } from '../common/command';
import { ChangePositionInput, parseChangePosition } from './change-position';
import { GroupEvent, GroupState, decideGroup, evolveGroup, initialGroupState } from './group';

const FOUNDED_AT = at('2026-02-01T09:00:00Z');
const ACME_JOINED_AT = at('2026-02-10T09:00:00Z');

const world: World = {
  organizations: {
    acme: [registered('acme', at('2026-01-10T09:00:00Z'))],
    globex: [registered('globex', at('2026-01-12T09:00:00Z'))],
  },
};

const changePosition = (input: ChangePositionInput, state: GroupState) =>
  decideGroup(parseChangePosition(input), state, contextAt(NOW, world));

const groupWith = (...events: Effective<GroupEvent>[]) =>
  given(evolveGroup, initialGroupState, ...events);

// version 2, latest effective time ACME_JOINED_AT
const acmeInCore = groupWith(
  founded('g1', FOUNDED_AT),
  joined('g1', 'acme', 'CORE', ACME_JOINED_AT),
);

const acmeToRing = { groupId: 'g1', organizationId: 'acme', position: 'RING' } as const;

describe('ChangePosition', () => {
  describe('given acme joined in the core', () => {
    it('then PositionChanged carrying the previous position', () => {
      const decision = changePosition(
        { ...acmeToRing, reason: '  less time this year ' },
        acmeInCore,
      );

      expect(decision.events).toStrictEqual([
        {
          type: 'PositionChanged',
          data: {
            groupId: 'g1',
            organizationId: 'acme',
            position: 'RING',
            previousPosition: 'CORE',
            reason: 'less time this year',
          },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores an absent or blank reason as null', () => {
      expect(changePosition(acmeToRing, acmeInCore).events[0]?.data).toMatchObject({
        reason: null,
      });
      expect(
        changePosition({ ...acmeToRing, reason: ' ' }, acmeInCore).events[0]?.data,
      ).toMatchObject({ reason: null });
    });

    it('then SAME_POSITION when moving to the core again', () => {
      expectRule(
        () => changePosition({ ...acmeToRing, position: 'CORE' }, acmeInCore),
        'SAME_POSITION',
      );
    });

    it('then NOT_A_MEMBER for an organization that never joined', () => {
      expectRule(
        () => changePosition({ ...acmeToRing, organizationId: 'globex' }, acmeInCore),
        'NOT_A_MEMBER',
      );
    });

    it('then NOT_FOUND for an organization never registered', () => {
      expectNotFound(
        () => changePosition({ ...acmeToRing, organizationId: 'nobody' }, acmeInCore),
        'organization',
        'nobody',
      );
    });

    it('passes with a matching expectedVersion', () => {
      expect(changePosition({ ...acmeToRing, expectedVersion: 2 }, acmeInCore).events).toHaveLength(
        1,
      );
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion, before SAME_POSITION', () => {
      expectConflict(() => changePosition({ ...acmeToRing, expectedVersion: 3 }, acmeInCore), 3, 2);
      expectConflict(
        () => changePosition({ ...acmeToRing, position: 'CORE', expectedVersion: 0 }, acmeInCore),
        0,
        2,
      );
    });

    it('then EFFECTIVE_TIME_BEFORE_HISTORY before the latest effective time; equal is allowed', () => {
      expectRule(
        () =>
          changePosition({ ...acmeToRing, effectiveAt: plus(ACME_JOINED_AT, -MINUTE) }, acmeInCore),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
      expect(
        changePosition({ ...acmeToRing, effectiveAt: ACME_JOINED_AT }, acmeInCore).effectiveAt,
      ).toEqual(ACME_JOINED_AT);
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead, before SAME_POSITION', () => {
      expectRule(
        () =>
          changePosition(
            { ...acmeToRing, position: 'CORE', effectiveAt: plus(NOW, 6 * MINUTE) },
            acmeInCore,
          ),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });
  });

  describe('given acme moved to the ring', () => {
    const acmeInRing = groupWith(
      founded('g1', FOUNDED_AT),
      joined('g1', 'acme', 'CORE', ACME_JOINED_AT),
      {
        type: 'PositionChanged',
        data: {
          groupId: 'g1',
          organizationId: 'acme',
          position: 'RING',
          previousPosition: 'CORE',
          reason: null,
        },
        effectiveAt: at('2026-03-01T09:00:00Z'),
      },
    );

    it('then SAME_POSITION for the ring, and the ring is the previous position of the next move', () => {
      expectRule(() => changePosition(acmeToRing, acmeInRing), 'SAME_POSITION');
      expect(
        changePosition({ ...acmeToRing, position: 'FREE_SPACE' }, acmeInRing).events[0]?.data,
      ).toMatchObject({ position: 'FREE_SPACE', previousPosition: 'RING' });
    });
  });

  describe('given acme joined and left', () => {
    it('then NOT_A_MEMBER', () => {
      const acmeLeft = groupWith(
        founded('g1', FOUNDED_AT),
        joined('g1', 'acme', 'CORE', ACME_JOINED_AT),
        left('g1', 'acme', at('2026-03-01T09:00:00Z')),
      );
      expectRule(() => changePosition(acmeToRing, acmeLeft), 'NOT_A_MEMBER');
    });
  });

  describe('given the group dissolved while acme was a member', () => {
    it('then GROUP_DISSOLVED, not NOT_A_MEMBER', () => {
      const g1Dissolved = groupWith(
        founded('g1', FOUNDED_AT),
        joined('g1', 'acme', 'CORE', ACME_JOINED_AT),
        dissolved('g1', at('2026-04-01T09:00:00Z')),
      );
      expectRule(() => changePosition(acmeToRing, g1Dissolved), 'GROUP_DISSOLVED');
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the group', () => {
      expectNotFound(() => changePosition(acmeToRing, initialGroupState), 'group', 'g1');
    });
  });

  describe('input', () => {
    it('rejects a reason over 2000 code points', () => {
      expectBadInput(
        () => parseChangePosition({ ...acmeToRing, reason: 'r'.repeat(2001) }),
        'reason',
      );
      expect(
        parseChangePosition({ ...acmeToRing, reason: 'r'.repeat(2000) }).data.reason,
      ).toHaveLength(2000);
    });

    it.each([
      ['position', { ...acmeToRing, position: 'OUTER' }],
      ['groupId', { ...acmeToRing, groupId: 'g/1' }],
      ['organizationId', { ...acmeToRing, organizationId: '' }],
      ['expectedVersion', { ...acmeToRing, expectedVersion: -2 }],
      ['effectiveAt', { ...acmeToRing, effectiveAt: new Date('later') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseChangePosition(input), field);
    });
  });
});
