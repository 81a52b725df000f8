import {
  MINUTE,
  NOW,
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
  plus,
} from '../common/decider-spec-helpers';
import { Effective } from '../common/command';
import { DissolveGroupInput, parseDissolveGroup } from './dissolve-group';
import { GroupEvent, GroupState, decideGroup, evolveGroup, initialGroupState } from './group';

const FOUNDED_AT = at('2026-02-01T09:00:00Z');
const GLOBEX_JOINED_AT = at('2026-02-20T09:00:00Z');

const dissolveGroup = (input: DissolveGroupInput, state: GroupState) =>
  decideGroup(parseDissolveGroup(input), state, contextAt(NOW));

const groupWith = (...events: Effective<GroupEvent>[]) =>
  given(evolveGroup, initialGroupState, ...events);

// version 3, latest effective time GLOBEX_JOINED_AT
const twoMembers = groupWith(
  founded('g1', FOUNDED_AT),
  joined('g1', 'acme', 'CORE', at('2026-02-10T09:00:00Z')),
  joined('g1', 'globex', 'RING', GLOBEX_JOINED_AT),
);

describe('DissolveGroup', () => {
  describe('given a group with two members', () => {
    it('then GroupDissolved with the trimmed reason', () => {
      const decision = dissolveGroup({ groupId: 'g1', reason: '  goal reached ' }, twoMembers);

      expect(decision.events).toStrictEqual([
        { type: 'GroupDissolved', data: { groupId: 'g1', reason: 'goal reached' } },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores no reason as null', () => {
      expect(dissolveGroup({ groupId: 'g1' }, twoMembers).events[0]?.data).toStrictEqual({
        groupId: 'g1',
        reason: null,
      });
    });

    it('ends every membership at that moment, without separate leave events', () => {
      const dissolvedAt = at('2026-04-01T09:00:00Z');
      const decision = dissolveGroup({ groupId: 'g1', effectiveAt: dissolvedAt }, twoMembers);
      expect(decision.events.map((event) => event.type)).toEqual(['GroupDissolved']);

      const after = decision.events.reduce(
        (state, event) => evolveGroup(state, { ...event, effectiveAt: dissolvedAt }),
        twoMembers,
      );
      expect(after.dissolved).toBe(true);
      expect(after.members.size).toBe(0);
      expect(after.version).toBe(4);
      expect(after.latestEffectiveAt).toEqual(dissolvedAt);
    });

    it('passes with a matching expectedVersion', () => {
      expect(dissolveGroup({ groupId: 'g1', expectedVersion: 3 }, twoMembers).events).toHaveLength(
        1,
      );
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion', () => {
      expectConflict(() => dissolveGroup({ groupId: 'g1', expectedVersion: 2 }, twoMembers), 2, 3);
    });

    it('then EFFECTIVE_TIME_BEFORE_HISTORY before the latest effective time; equal is allowed', () => {
      expectRule(
        () => dissolveGroup({ groupId: 'g1', effectiveAt: plus(GLOBEX_JOINED_AT, -1) }, twoMembers),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
      expect(
        dissolveGroup({ groupId: 'g1', effectiveAt: GLOBEX_JOINED_AT }, twoMembers).effectiveAt,
      ).toEqual(GLOBEX_JOINED_AT);
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead; within 5 minutes at recording', () => {
      expectRule(
        () => dissolveGroup({ groupId: 'g1', effectiveAt: plus(NOW, 6 * MINUTE) }, twoMembers),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
      expect(
        dissolveGroup({ groupId: 'g1', effectiveAt: plus(NOW, MINUTE) }, twoMembers).effectiveAt,
      ).toBeUndefined();
    });
  });

  describe('given the group dissolved', () => {
    const DISSOLVED_AT = at('2026-04-01T09:00:00Z');
    const g1Dissolved = groupWith(founded('g1', FOUNDED_AT), dissolved('g1', DISSOLVED_AT));

    it('then GROUP_DISSOLVED', () => {
      expectRule(() => dissolveGroup({ groupId: 'g1' }, g1Dissolved), 'GROUP_DISSOLVED');
    });

    it('checks the expectedVersion and the effective time before GROUP_DISSOLVED', () => {
      expectConflict(() => dissolveGroup({ groupId: 'g1', expectedVersion: 1 }, g1Dissolved), 1, 2);
      expectRule(
        () => dissolveGroup({ groupId: 'g1', effectiveAt: plus(DISSOLVED_AT, -1) }, g1Dissolved),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the group, before the expectedVersion', () => {
      expectNotFound(() => dissolveGroup({ groupId: 'g1' }, initialGroupState), 'group', 'g1');
      expectNotFound(
        () => dissolveGroup({ groupId: 'g1', expectedVersion: 3 }, initialGroupState),
        'group',
        'g1',
      );
    });
  });

  describe('input', () => {
    it.each([
      ['reason', { groupId: 'g1', reason: 'r'.repeat(2001) }],
      ['groupId', { groupId: 'g1/sub' }],
      ['groupId', { groupId: '' }],
      ['expectedVersion', { groupId: 'g1', expectedVersion: -1 }],
      ['effectiveAt', { groupId: 'g1', effectiveAt: new Date('never') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseDissolveGroup(input), field);
    });
  });
});
