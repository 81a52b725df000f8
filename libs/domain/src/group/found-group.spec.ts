import {
  MINUTE,
  NOW,
  at,
  contextAt,
  expectBadInput,
  expectRule,
  founded,
  given,
  plus,
} from '../common/decider-spec-helpers';
import { FoundGroupInput, parseFoundGroup } from './found-group';
import { GroupState, decideGroup, evolveGroup, initialGroupState } from './group';

const foundGroup = (input: FoundGroupInput, state: GroupState) =>
  decideGroup(parseFoundGroup(input), state, contextAt(NOW));

const g1Founded = given(evolveGroup, initialGroupState, founded('g1', at('2026-02-01T09:00:00Z')));

describe('FoundGroup', () => {
  describe('given no events', () => {
    it('then GroupFounded with trimmed name and purpose', () => {
      const decision = foundGroup(
        { id: 'g1', name: '  Care North ', purpose: ' joint care in the north ' },
        initialGroupState,
      );

      expect(decision.events).toStrictEqual([
        {
          type: 'GroupFounded',
          data: { groupId: 'g1', name: 'Care North', purpose: 'joint care in the north' },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it.each([
      ['absent', undefined],
      ['empty', ''],
      ['blank', '  \n '],
    ])('stores an %s purpose as null', (_, purpose) => {
      expect(
        foundGroup({ id: 'g1', name: 'Care North', purpose }, initialGroupState).events[0]?.data,
      ).toStrictEqual({ groupId: 'g1', name: 'Care North', purpose: null });
    });

    it('allows backdating', () => {
      const founding = at('2024-09-01T00:00:00Z');
      expect(
        foundGroup({ id: 'g1', name: 'Care North', effectiveAt: founding }, initialGroupState)
          .effectiveAt,
      ).toEqual(founding);
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead; within 5 minutes at recording', () => {
      expectRule(
        () =>
          foundGroup(
            { id: 'g1', name: 'Care North', effectiveAt: plus(NOW, 5 * MINUTE + 1) },
            initialGroupState,
          ),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
      expect(
        foundGroup(
          { id: 'g1', name: 'Care North', effectiveAt: plus(NOW, 5 * MINUTE) },
          initialGroupState,
        ).effectiveAt,
      ).toBeUndefined();
    });
  });

  describe('given GroupFounded', () => {
    it('then GROUP_EXISTS', () => {
      expectRule(() => foundGroup({ id: 'g1', name: 'Care North' }, g1Founded), 'GROUP_EXISTS');
    });

    it('checks the effective time before GROUP_EXISTS', () => {
      expectRule(
        () =>
          foundGroup(
            { id: 'g1', name: 'Care North', effectiveAt: at('2026-01-01T00:00:00Z') },
            g1Founded,
          ),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });
  });

  describe('input', () => {
    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['201 characters long', 'n'.repeat(201)],
    ])('rejects a name that is %s', (_, name) => {
      expectBadInput(() => parseFoundGroup({ id: 'g1', name }), 'name');
    });

    it('accepts a name of 200 emoji', () => {
      const name = '🤝'.repeat(200);
      expect(parseFoundGroup({ id: 'g1', name }).data.name).toBe(name);
    });

    it('accepts a purpose of 2000 code points and rejects 2001', () => {
      expect(
        parseFoundGroup({ id: 'g1', name: 'n', purpose: 'p'.repeat(2000) }).data.purpose,
      ).toHaveLength(2000);
      expectBadInput(
        () => parseFoundGroup({ id: 'g1', name: 'n', purpose: 'p'.repeat(2001) }),
        'purpose',
      );
    });

    it.each(['', 'g'.repeat(65), 'g 1', 'g/1'])('rejects id %p', (id) => {
      expectBadInput(() => parseFoundGroup({ id, name: 'Care North' }), 'id');
    });

    it('rejects an invalid effectiveAt', () => {
      expectBadInput(
        () => parseFoundGroup({ id: 'g1', name: 'n', effectiveAt: new Date('?') }),
        'effectiveAt',
      );
    });
  });
});
