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
import { JoinGroupInput, parseJoinGroup } from './join-group';

const FOUNDED_AT = at('2026-02-01T09:00:00Z');
const ACME_JOINED_AT = at('2026-02-10T09:00:00Z');
const INITECH_REGISTERED_AT = at('2026-05-01T09:00:00Z');

const world: World = {
  organizations: {
    acme: [registered('acme', at('2026-01-10T09:00:00Z'))],
    globex: [registered('globex', at('2026-01-12T09:00:00Z'))],
    initech: [registered('initech', INITECH_REGISTERED_AT)],
  },
};

const joinGroup = (input: JoinGroupInput, state: GroupState) =>
  decideGroup(parseJoinGroup(input), state, contextAt(NOW, world));

const groupWith = (...events: Effective<GroupEvent>[]) =>
  given(evolveGroup, initialGroupState, ...events);

// version 2, latest effective time ACME_JOINED_AT
const acmeInG1 = groupWith(founded('g1', FOUNDED_AT), joined('g1', 'acme', 'CORE', ACME_JOINED_AT));

const globexJoins = { groupId: 'g1', organizationId: 'globex', position: 'RING' } as const;

describe('JoinGroup', () => {
  describe('given GroupFounded and acme joined', () => {
    it('then OrganizationJoinedGroup', () => {
      const decision = joinGroup(globexJoins, acmeInG1);

      expect(decision.events).toStrictEqual([
        {
          type: 'OrganizationJoinedGroup',
          data: { groupId: 'g1', organizationId: 'globex', position: 'RING' },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('then ALREADY_MEMBER for acme', () => {
      expectRule(
        () => joinGroup({ groupId: 'g1', organizationId: 'acme', position: 'RING' }, acmeInG1),
        'ALREADY_MEMBER',
      );
    });

    it('passes with a matching expectedVersion', () => {
      expect(joinGroup({ ...globexJoins, expectedVersion: 2 }, acmeInG1).events).toHaveLength(1);
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion', () => {
      expectConflict(() => joinGroup({ ...globexJoins, expectedVersion: 1 }, acmeInG1), 1, 2);
    });

    it('checks the expectedVersion before ALREADY_MEMBER', () => {
      expectConflict(
        () =>
          joinGroup(
            { groupId: 'g1', organizationId: 'acme', position: 'RING', expectedVersion: 1 },
            acmeInG1,
          ),
        1,
        2,
      );
    });

    it('checks existence before the expectedVersion', () => {
      expectNotFound(
        () =>
          joinGroup(
            { groupId: 'g1', organizationId: 'nobody', position: 'RING', expectedVersion: 7 },
            acmeInG1,
          ),
        'organization',
        'nobody',
      );
    });

    it('then NOT_FOUND for an organization never registered', () => {
      expectNotFound(
        () => joinGroup({ groupId: 'g1', organizationId: 'nobody', position: 'CORE' }, acmeInG1),
        'organization',
        'nobody',
      );
    });

    it('allows backdating to the latest effective time or later', () => {
      expect(
        joinGroup({ ...globexJoins, effectiveAt: ACME_JOINED_AT }, acmeInG1).effectiveAt,
      ).toEqual(ACME_JOINED_AT);
      const march = at('2026-03-01T00:00:00Z');
      expect(joinGroup({ ...globexJoins, effectiveAt: march }, acmeInG1).effectiveAt).toEqual(
        march,
      );
    });

    it("then EFFECTIVE_TIME_BEFORE_HISTORY before the group's latest effective time", () => {
      expectRule(
        () => joinGroup({ ...globexJoins, effectiveAt: plus(ACME_JOINED_AT, -1) }, acmeInG1),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });

    it("then EFFECTIVE_TIME_BEFORE_HISTORY before the organization's registration", () => {
      const initechJoins = { groupId: 'g1', organizationId: 'initech', position: 'CORE' } as const;
      expectRule(
        () => joinGroup({ ...initechJoins, effectiveAt: at('2026-04-01T00:00:00Z') }, acmeInG1),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
      expect(
        joinGroup({ ...initechJoins, effectiveAt: INITECH_REGISTERED_AT }, acmeInG1).effectiveAt,
      ).toEqual(INITECH_REGISTERED_AT);
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead', () => {
      expectRule(
        () => joinGroup({ ...globexJoins, effectiveAt: plus(NOW, 5 * MINUTE + 1) }, acmeInG1),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });

    it('resolves a time within 5 minutes ahead to the moment of recording', () => {
      expect(
        joinGroup({ ...globexJoins, effectiveAt: plus(NOW, 3 * MINUTE) }, acmeInG1).effectiveAt,
      ).toBeUndefined();
    });

    it('checks the effective time before ALREADY_MEMBER', () => {
      expectRule(
        () =>
          joinGroup(
            {
              groupId: 'g1',
              organizationId: 'acme',
              position: 'RING',
              effectiveAt: plus(NOW, 10 * MINUTE),
            },
            acmeInG1,
          ),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });
  });

  describe('given acme joined and left', () => {
    const acmeLeft = groupWith(
      founded('g1', FOUNDED_AT),
      joined('g1', 'acme', 'CORE', ACME_JOINED_AT),
      left('g1', 'acme', at('2026-03-01T09:00:00Z')),
    );

    it('then acme may join again: a new membership', () => {
      const decision = joinGroup(
        { groupId: 'g1', organizationId: 'acme', position: 'FREE_SPACE' },
        acmeLeft,
      );

      expect(decision.events).toStrictEqual([
        {
          type: 'OrganizationJoinedGroup',
          data: { groupId: 'g1', organizationId: 'acme', position: 'FREE_SPACE' },
        },
      ]);
    });
  });

  describe('given the group dissolved', () => {
    const g1Dissolved = groupWith(
      founded('g1', FOUNDED_AT),
      joined('g1', 'acme', 'CORE', ACME_JOINED_AT),
      dissolved('g1', at('2026-04-01T09:00:00Z')),
    );

    it('then GROUP_DISSOLVED', () => {
      expectRule(() => joinGroup(globexJoins, g1Dissolved), 'GROUP_DISSOLVED');
    });

    it('then GROUP_DISSOLVED for a former member too', () => {
      expectRule(
        () => joinGroup({ groupId: 'g1', organizationId: 'acme', position: 'CORE' }, g1Dissolved),
        'GROUP_DISSOLVED',
      );
    });

    it('checks existence of the organization before GROUP_DISSOLVED', () => {
      expectNotFound(
        () => joinGroup({ groupId: 'g1', organizationId: 'nobody', position: 'CORE' }, g1Dissolved),
        'organization',
        'nobody',
      );
    });

    it('checks the effective time before GROUP_DISSOLVED', () => {
      expectRule(
        () => joinGroup({ ...globexJoins, effectiveAt: at('2026-03-01T00:00:00Z') }, g1Dissolved),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the group', () => {
      expectNotFound(() => joinGroup(globexJoins, initialGroupState), 'group', 'g1');
    });

    it('checks existence before the expectedVersion', () => {
      expectNotFound(
        () => joinGroup({ ...globexJoins, expectedVersion: 4 }, initialGroupState),
        'group',
        'g1',
      );
    });
  });

  describe('input', () => {
    it.each(['core', 'MIDDLE', undefined])('rejects position %p', (position) => {
      expectBadInput(() => parseJoinGroup({ ...globexJoins, position }), 'position');
    });

    it.each([
      ['groupId', { ...globexJoins, groupId: 'g 1' }],
      ['groupId', { ...globexJoins, groupId: '' }],
      ['organizationId', { ...globexJoins, organizationId: 'glo/bex' }],
      ['organizationId', { ...globexJoins, organizationId: 'x'.repeat(65) }],
      ['expectedVersion', { ...globexJoins, expectedVersion: -1 }],
      ['effectiveAt', { ...globexJoins, effectiveAt: new Date('nope') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseJoinGroup(input), field);
    });
  });
});
