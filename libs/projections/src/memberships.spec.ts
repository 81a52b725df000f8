import { deserialize, serialize } from 'node:v8';
import { MembershipState, MembershipTable } from './memberships';

describe('MembershipTable', () => {
  /** Group 0: organisations 0 and 1; group 1: organisation 0 twice, then 2. */
  const filled = (): MembershipTable => {
    const table = new MembershipTable();
    table.add(0, 0, 1, 'CORE');
    table.add(1, 0, 1, 'RING');
    table.add(0, 1, 2, 'FREE_SPACE');
    table.add(1, 2, 2, 'CORE');
    table.end(1, 3);
    table.add(1, 0, 4, 'RING');
    table.move(0, { revision: 3, value: 'RING' });
    table.move(0, { revision: 4, value: 'FREE_SPACE' });
    return table;
  };
  const rows = (table: MembershipTable) =>
    Array.from({ length: table.length }, (_, membership) => ({
      group: table.groupOf(membership),
      organization: table.organizationOf(membership),
      joinRevision: table.joinRevisionOf(membership),
      position: table.positionOf(membership),
      moves: table.movesOf(membership),
      endRevision: table.endRevisionOf(membership),
    }));

  it('keeps each membership as added, ended and moved', () => {
    expect(rows(filled())).toEqual([
      {
        group: 0,
        organization: 0,
        joinRevision: 1,
        position: 'CORE',
        moves: [
          { revision: 3, value: 'RING' },
          { revision: 4, value: 'FREE_SPACE' },
        ],
        endRevision: undefined,
      },
      {
        group: 1,
        organization: 0,
        joinRevision: 1,
        position: 'RING',
        moves: undefined,
        endRevision: 3,
      },
      {
        group: 0,
        organization: 1,
        joinRevision: 2,
        position: 'FREE_SPACE',
        moves: undefined,
        endRevision: undefined,
      },
      {
        group: 1,
        organization: 2,
        joinRevision: 2,
        position: 'CORE',
        moves: undefined,
        endRevision: undefined,
      },
      {
        group: 1,
        organization: 0,
        joinRevision: 4,
        position: 'RING',
        moves: undefined,
        endRevision: undefined,
      },
    ]);
  });

  it('gives the same table back from its state, through v8 as a snapshot stores it', () => {
    const table = filled();

    const copy = new MembershipTable(deserialize(serialize(table.state())) as MembershipState);

    expect(rows(copy)).toEqual(rows(table));
    // As plain arrays: v8 gives back typed arrays of the process's realm, not the test's.
    const plain = (state: MembershipState) =>
      Object.entries(state).map(([column, values]) => [column, Array.from(values as Int32Array)]);
    expect(plain(copy.state())).toEqual(plain(table.state()));
  });

  it('reads stored moves at the first question, and moves them on from there', () => {
    const table = filled();
    table.move(3, { revision: 5, value: 'RING' });
    const copy = new MembershipTable(table.state());

    expect(copy.state().moves).toEqual(Int32Array.of(0, 3, 1, 0, 4, 2, 3, 5, 1));
    copy.move(0, { revision: 6, value: 'CORE' });
    copy.move(2, { revision: 7, value: 'RING' });

    expect(copy.movesOf(0)).toEqual([
      { revision: 3, value: 'RING' },
      { revision: 4, value: 'FREE_SPACE' },
      { revision: 6, value: 'CORE' },
    ]);
    expect(copy.movesOf(3)).toEqual([{ revision: 5, value: 'RING' }]);
    expect(copy.movesOf(1)).toBeUndefined();
    // By membership, then in order, whether read, moved on or never asked for.
    expect(copy.state().moves).toEqual(Int32Array.of(0, 3, 1, 0, 4, 2, 0, 6, 0, 2, 7, 1, 3, 5, 1));
  });

  it("lists each group's and organisation's memberships in the order they began", () => {
    const table = filled();

    expect(table.listsBy('group', 3).map((list) => [...list])).toEqual([[0, 2], [1, 3, 4], []]);
    expect(table.listsBy('organization', 3).map((list) => [...list])).toEqual([
      [0, 1, 4],
      [2],
      [3],
    ]);
    // A list made from the state grows as apply pushes onto it.
    const [first] = table.listsBy('group', 3);
    first!.push(5);
    expect([...first!]).toEqual([0, 2, 5]);
  });

  it('refuses a membership naming a group or organisation beyond the count', () => {
    expect(() => filled().listsBy('group', 1)).toThrow('a membership names no group');
    expect(() => filled().listsBy('organization', 2)).toThrow('a membership names no organization');
  });

  it.each<[string, (state: MembershipState) => MembershipState, string]>([
    [
      'columns of different lengths',
      (state) => ({ ...state, endRevisions: state.endRevisions.subarray(1) }),
      'the membership columns differ in length',
    ],
    [
      'moves that are not triples',
      (state) => ({ ...state, moves: state.moves.subarray(1) }),
      'the membership moves are not triples',
    ],
    [
      'a move of no membership',
      (state) => ({ ...state, moves: Int32Array.of(9, 1, 0) }),
      'a membership move names no membership',
    ],
    [
      'moves out of order',
      (state) => ({ ...state, moves: Int32Array.of(1, 1, 0, 0, 2, 0) }),
      'the membership moves are not in order',
    ],
    [
      'a position that is none',
      (state) => ({ ...state, positions: Int32Array.of(0, 1, 2, 3, 0) }),
      '3 names no position',
    ],
    [
      'a move to no position',
      (state) => ({ ...state, moves: Int32Array.of(0, 1, 7) }),
      '7 names no position',
    ],
  ])('refuses a state with %s', (_case, damage, message) => {
    expect(() => new MembershipTable(damage(filled().state()))).toThrow(message);
  });

  it('refuses a position it does not know', () => {
    expect(() => new MembershipTable().add(0, 0, 0, 'CHAIR' as never)).toThrow(
      'CHAIR is not a position',
    );
  });
});
