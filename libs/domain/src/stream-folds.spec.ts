import { Effective } from './common/command';
import {
  agreed,
  assessed,
  at,
  dissolved,
  ended,
  extended,
  formed,
  founded,
  intervention,
  joined,
  left,
  plus,
  registered,
} from './common/decider-spec-helpers';
import { GroupEvent, POSITIONS, evolveGroup, initialGroupState } from './group/group';
import { evolveOrganization, initialOrganizationState } from './organization/organization';
import { evolvePartnership, initialPartnershipState } from './partnership/partnership';
import { groupFold, organizationFold, partnershipFold } from './stream-folds';

const START = at('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

/** A group's history with every event type: joins, moves, leaves, rejoins, interventions. */
function groupHistory(length: number): Effective<GroupEvent>[] {
  let seed = 7;
  const next = (bound: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % bound;
  };
  const members = new Map<string, (typeof POSITIONS)[number]>();
  const events: Effective<GroupEvent>[] = [founded('g', START)];
  for (let index = 1; index < length; index++) {
    const when = plus(START, index * HOUR);
    const organizationId = `o${next(40)}`;
    const position = members.get(organizationId);
    const roll = next(10);
    if (roll === 0) {
      events.push(intervention({ groupId: 'g' }, `i${index}`, when) as Effective<GroupEvent>);
    } else if (position === undefined) {
      const joining = POSITIONS[next(3)]!;
      members.set(organizationId, joining);
      events.push(joined('g', organizationId, joining, when));
    } else if (roll < 5) {
      const moved = POSITIONS[(POSITIONS.indexOf(position) + 1) % 3]!;
      members.set(organizationId, moved);
      events.push({
        type: 'PositionChanged',
        data: {
          groupId: 'g',
          organizationId,
          position: moved,
          previousPosition: position,
          reason: null,
        },
        effectiveAt: when,
      });
    } else {
      members.delete(organizationId);
      events.push(left('g', organizationId, when));
    }
  }
  events.push(dissolved('g', plus(START, length * HOUR)));
  return events;
}

describe('stream folds, in place, against the evolve functions', () => {
  it('folds a group like evolveGroup after every event', () => {
    const events = groupHistory(400);
    const fold = groupFold();
    let expected = initialGroupState;
    for (const event of events) {
      fold.apply(event);
      expected = evolveGroup(expected, event);
      expect(fold.state).toEqual(expected);
    }
    expect(fold.state.dissolved).toBe(true);
    expect(fold.state.version).toBe(401);
  });

  it('leaves the states evolveGroup made alone, and its own initial state', () => {
    const events = groupHistory(50);
    const before = events.slice(0, 25).reduce(evolveGroup, initialGroupState);
    const copy = { ...before, members: new Map(before.members), periods: new Map(before.periods) };
    const fold = groupFold();
    for (const event of events) fold.apply(event);
    expect(before).toEqual(copy);
    expect(initialGroupState.members.size).toBe(0);
    expect(initialGroupState.periods.size).toBe(0);
  });

  it('folds an organisation and a partnership like their evolve functions', () => {
    const organization = [
      registered('o', START),
      assessed('o', plus(START, HOUR), 3, 2),
      intervention({ organizationId: 'o' }, 'i1', plus(START, 2 * HOUR)),
    ] as const;
    const organizationStates = organizationFold();
    for (const event of organization) organizationStates.apply(event as never);
    expect(organizationStates.state).toEqual(
      organization.reduce(
        (state, event) => evolveOrganization(state, event as never),
        initialOrganizationState,
      ),
    );

    const end = plus(START, 1_000 * HOUR);
    const partnership = [
      formed('p', START, end),
      agreed('p', 'a1', plus(START, HOUR)),
      extended('p', plus(START, 2 * HOUR), end, plus(end, HOUR)),
      intervention({ partnershipId: 'p' }, 'i2', plus(START, 3 * HOUR)),
      ended('p', plus(START, 4 * HOUR)),
    ];
    const partnershipStates = partnershipFold();
    for (const event of partnership) partnershipStates.apply(event as never);
    expect(partnershipStates.state).toEqual(
      partnership.reduce(
        (state, event) => evolvePartnership(state, event as never),
        initialPartnershipState,
      ),
    );
  });
});
