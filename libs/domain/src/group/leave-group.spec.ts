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
import { GroupEvent, GroupState, decideGroup, evolveGroup, initialGroupState } from './group';
import { LeaveGroupInput, parseLeaveGroup } from './leave-group';

const FOUNDED_AT = at('2026-02-01T09:00:00Z');
const ACME_JOINED_AT = at('2026-02-10T09:00:00Z');

const world: World = {
  organizations: {
    acme: [registered('acme', at('2026-01-10T09:00:00Z'))],
    globex: [registered('globex', at('2026-01-12T09:00:00Z'))],
  },
};

const leaveGroup = (input: LeaveGroupInput, state: GroupState) =>
  decideGroup(parseLeaveGroup(input), state, contextAt(NOW, world));

const groupWith = (...events: Effective<GroupEvent>[]) =>
  given(evolveGroup, initialGroupState, ...events);

// version 2, latest effective time ACME_JOINED_AT
const acmeInG1 = groupWith(founded('g1', FOUNDED_AT), joined('g1', 'acme', 'RING', ACME_JOINED_AT));

const acmeLeaves = { groupId: 'g1', organizationId: 'acme' } as const;

describe('LeaveGroup', () => {
  describe('given acme joined', () => {
    it('then OrganizationLeftGroup with the trimmed reason', () => {
      const decision = leaveGroup({ ...acmeLeaves, reason: ' merged into globex ' }, acmeInG1);

      expect(decision.events).toStrictEqual([
        {
          type: 'OrganizationLeftGroup',
          data: { groupId: 'g1', organizationId: 'acme', reason: 'merged into globex' },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores no reason as null', () => {
      expect(leaveGroup(acmeLeaves, acmeInG1).events[0]?.data).toMatchObject({ reason: null });
    });

    it('then NOT_A_MEMBER for an organization that never joined', () => {
      expectRule(
        () => leaveGroup({ ...acmeLeaves, organizationId: 'globex' }, acmeInG1),
        'NOT_A_MEMBER',
      );
    });

    it('then NOT_FOUND for an organization never registered', () => {
      expectNotFound(
        () => leaveGroup({ ...acmeLeaves, organizationId: 'nobody' }, acmeInG1),
        'organization',
        'nobody',
      );
    });

    it('passes with a matching expectedVersion', () => {
      expect(leaveGroup({ ...acmeLeaves, expectedVersion: 2 }, acmeInG1).events).toHaveLength(1);
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion, before NOT_A_MEMBER', () => {
      expectConflict(() => leaveGroup({ ...acmeLeaves, expectedVersion: 1 }, acmeInG1), 1, 2);
      expectConflict(
        () => leaveGroup({ ...acmeLeaves, organizationId: 'globex', expectedVersion: 5 }, acmeInG1),
        5,
        2,
      );
    });

    it('allows backdating; before the latest effective time is EFFECTIVE_TIME_BEFORE_HISTORY', () => {
      const march = at('2026-03-01T00:00:00Z');
      expect(leaveGroup({ ...acmeLeaves, effectiveAt: march }, acmeInG1).effectiveAt).toEqual(
        march,
      );
      expectRule(
        () => leaveGroup({ ...acmeLeaves, effectiveAt: at('2026-02-05T00:00:00Z') }, acmeInG1),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead', () => {
      expectRule(
        () => leaveGroup({ ...acmeLeaves, effectiveAt: plus(NOW, 30 * MINUTE) }, acmeInG1),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });
  });

  describe('given acme joined and left', () => {
    it('then NOT_A_MEMBER when leaving again', () => {
      const acmeLeft = groupWith(
        founded('g1', FOUNDED_AT),
        joined('g1', 'acme', 'RING', ACME_JOINED_AT),
        left('g1', 'acme', at('2026-03-01T09:00:00Z')),
      );
      expectRule(() => leaveGroup(acmeLeaves, acmeLeft), 'NOT_A_MEMBER');
    });
  });

  describe('given the group dissolved while acme was a member', () => {
    it('then GROUP_DISSOLVED, not NOT_A_MEMBER', () => {
      const g1Dissolved = groupWith(
        founded('g1', FOUNDED_AT),
        joined('g1', 'acme', 'RING', ACME_JOINED_AT),
        dissolved('g1', at('2026-04-01T09:00:00Z')),
      );
      expectRule(() => leaveGroup(acmeLeaves, g1Dissolved), 'GROUP_DISSOLVED');
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the group, before the expectedVersion', () => {
      expectNotFound(() => leaveGroup(acmeLeaves, initialGroupState), 'group', 'g1');
      expectNotFound(
        () => leaveGroup({ ...acmeLeaves, expectedVersion: 2 }, initialGroupState),
        'group',
        'g1',
      );
    });
  });

  describe('input', () => {
    it.each([
      ['reason', { ...acmeLeaves, reason: 'r'.repeat(2001) }],
      ['groupId', { ...acmeLeaves, groupId: 'g 1' }],
      ['organizationId', { ...acmeLeaves, organizationId: 'a'.repeat(65) }],
      ['expectedVersion', { ...acmeLeaves, expectedVersion: -1 }],
      ['effectiveAt', { ...acmeLeaves, effectiveAt: new Date('soon') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseLeaveGroup(input), field);
    });
  });
});
