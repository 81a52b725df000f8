/**
 * Every membership period of the network, named by its index in the order the periods
 * began (their join events' order in the log), kept as columns of numbers rather than an
 * object each: a snapshot holds the columns as they lie, so that a start reads them
 * without making anything (at a million events, 234k memberships).
 */
import { POSITIONS, Position } from '@partnerships/domain/group/group';
import { Int32Column, IntList, firstAtLeast } from './columns';
import type { GroupRecord, Revised } from './records';

/** Marks an open membership's end. */
const OPEN = -1;

/** The table as plain typed arrays, for a snapshot. */
export interface MembershipState {
  /** Each membership's group and organisation, by their places in their kind's order. */
  readonly groups: Int32Array;
  readonly organizations: Int32Array;
  readonly joinRevisions: Int32Array;
  /** The position taken on joining, as its index in POSITIONS. */
  readonly positions: Int32Array;
  /** The revision of the leaving or of the group's dissolution; -1 while open. */
  readonly endRevisions: Int32Array;
  /**
   * Each later change of position as three integers: membership, revision, position;
   * by membership, then in order.
   */
  readonly moves: Int32Array;
}

export class MembershipTable {
  private readonly groups: Int32Column;
  private readonly organizations: Int32Column;
  private readonly joinRevisions: Int32Column;
  private readonly positions: Int32Column;
  private readonly endRevisions: Int32Column;
  /**
   * Later changes of position as a snapshot holds them (`MembershipState.moves`): read
   * into a list for a membership at the first question about it.
   */
  private readonly storedMoves: Int32Array;
  /** The memberships with stored moves, ascending, and where each one's triples start. */
  private readonly storedMovers: Int32Array;
  private readonly storedStarts: Int32Array;
  /** Later changes of position as lists, in order: those applied and those read so far. */
  private readonly moved = new Map<number, Revised<Position>[]>();
  /**
   * Each membership's position after its last move and that move's revision (-1: never
   * moved), made from the moves at a start: a count over every membership reads these in
   * order instead of each one's list of moves.
   */
  private readonly latestPositions: Int32Column;
  private readonly lastMoves: Int32Column;

  constructor(state?: MembershipState) {
    this.groups = new Int32Column(state?.groups);
    this.organizations = new Int32Column(state?.organizations);
    this.joinRevisions = new Int32Column(state?.joinRevisions);
    this.positions = new Int32Column(state?.positions);
    this.endRevisions = new Int32Column(state?.endRevisions);
    const length = this.groups.length;
    for (const column of [
      this.organizations,
      this.joinRevisions,
      this.positions,
      this.endRevisions,
    ]) {
      if (column.length !== length) throw new RangeError('the membership columns differ in length');
    }
    for (let membership = 0; membership < length; membership++) {
      positionOf(this.positions.at(membership));
    }
    const moves = state?.moves ?? NO_MOVES;
    if (moves.length % 3 !== 0) throw new RangeError('the membership moves are not triples');
    const movers = new Int32Column();
    const starts = new Int32Column();
    this.latestPositions = new Int32Column(this.positions.toArray());
    this.lastMoves = new Int32Column(new Int32Array(length).fill(-1));
    for (let at = 0; at < moves.length; at += 3) {
      const membership = moves[at]!;
      if (membership < 0 || membership >= length) {
        throw new RangeError('a membership move names no membership');
      }
      positionOf(moves[at + 2]!);
      // In order within a membership: its last triple is its latest move.
      this.latestPositions.set(membership, moves[at + 2]!);
      this.lastMoves.set(membership, moves[at + 1]!);
      const last = movers.length === 0 ? -1 : movers.at(movers.length - 1);
      if (membership === last) continue;
      if (membership < last) throw new RangeError('the membership moves are not in order');
      movers.push(membership);
      starts.push(at);
    }
    starts.push(moves.length);
    this.storedMoves = moves;
    this.storedMovers = movers.toArray();
    this.storedStarts = starts.toArray();
  }

  get length(): number {
    return this.groups.length;
  }

  /** A new open membership; its index. */
  add(group: number, organization: number, joinRevision: number, position: Position): number {
    const code = POSITIONS.indexOf(position);
    if (code < 0) throw new RangeError(`${position} is not a position`);
    this.groups.push(group);
    this.organizations.push(organization);
    this.joinRevisions.push(joinRevision);
    this.positions.push(code);
    this.latestPositions.push(code);
    this.lastMoves.push(-1);
    this.endRevisions.push(OPEN);
    return this.groups.length - 1;
  }

  /** The membership's group, by its place in the order of groups. */
  groupOf(membership: number): number {
    return this.groups.at(membership);
  }

  /** The membership's organisation, by its place in the order of organisations. */
  organizationOf(membership: number): number {
    return this.organizations.at(membership);
  }

  /** The group's revision that began it. */
  joinRevisionOf(membership: number): number {
    return this.joinRevisions.at(membership);
  }

  /** The position taken on joining. */
  positionOf(membership: number): Position {
    return positionOf(this.positions.at(membership));
  }

  /** Each later change of position, in order; undefined while there is none. */
  movesOf(membership: number): readonly Revised<Position>[] | undefined {
    return this.moved.get(membership) ?? this.readStoredMoves(membership);
  }

  /** The revision of the leaving or of the group's dissolution; undefined while open. */
  endRevisionOf(membership: number): number | undefined {
    const revision = this.endRevisions.at(membership);
    return revision === OPEN ? undefined : revision;
  }

  end(membership: number, revision: number): void {
    this.endRevisions.set(membership, revision);
  }

  move(membership: number, change: Revised<Position>): void {
    const moves = this.movesOf(membership) as Revised<Position>[] | undefined;
    if (moves === undefined) this.moved.set(membership, [change]);
    else moves.push(change);
    this.latestPositions.set(membership, POSITIONS.indexOf(change.value));
    this.lastMoves.set(membership, change.revision);
  }

  /**
   * The position held after the first `seen` events of the group when they hold every move
   * of the membership (its latest position); undefined when a later move is not among them.
   */
  latestPositionWithin(membership: number, seen: number): Position | undefined {
    return this.lastMoves.at(membership) < seen
      ? POSITIONS[this.latestPositions.at(membership)]
      : undefined;
  }

  /** A membership's stored moves as a list, kept with those applied; undefined: none. */
  private readStoredMoves(membership: number): Revised<Position>[] | undefined {
    const range = this.storedRange(membership);
    if (range === undefined) return undefined;
    const moves: Revised<Position>[] = [];
    const stored = this.storedMoves;
    for (let at = range[0]; at < range[1]; at += 3) {
      moves.push({ revision: stored[at + 1]!, value: positionOf(stored[at + 2]!) });
    }
    this.moved.set(membership, moves);
    return moves;
  }

  /** Where a membership's stored triples lie in `storedMoves`: [start, end), or undefined. */
  private storedRange(membership: number): [number, number] | undefined {
    const low = firstAtLeast(this.storedMovers, membership);
    if (this.storedMovers[low] !== membership) return undefined;
    return [this.storedStarts[low]!, this.storedStarts[low + 1]!];
  }

  /**
   * Each group's (or organisation's) memberships in the order they began, for `count` of
   * them: one list each over a single column sorted by owner, as a start from a snapshot
   * makes them.
   */
  listsBy(owner: 'group' | 'organization', count: number): IntList[] {
    const owners = owner === 'group' ? this.groups : this.organizations;
    const starts = new Int32Array(count + 1);
    for (let membership = 0; membership < this.length; membership++) {
      const of = owners.at(membership);
      if (of < 0 || of >= count) throw new RangeError(`a membership names no ${owner}`);
      starts[of + 1]!++;
    }
    for (let of = 0; of < count; of++) starts[of + 1]! += starts[of]!;
    const sorted = new Int32Array(this.length);
    const next = starts.slice(0, count);
    for (let membership = 0; membership < this.length; membership++) {
      sorted[next[owners.at(membership)]!++] = membership;
    }
    const lists: IntList[] = [];
    for (let of = 0; of < count; of++) {
      lists.push(new IntList(sorted, starts[of]!, starts[of + 1]! - starts[of]!));
    }
    return lists;
  }

  state(): MembershipState {
    const movers = [...new Set([...this.storedMovers, ...this.moved.keys()])].sort((a, b) => a - b);
    const moves = new Int32Column();
    for (const membership of movers) {
      const listed = this.moved.get(membership);
      if (listed === undefined) {
        // Never asked for: copied as stored, without making its list.
        const [start, end] = this.storedRange(membership)!;
        for (let at = start; at < end; at++) moves.push(this.storedMoves[at]!);
        continue;
      }
      for (const { revision, value } of listed) {
        moves.push(membership);
        moves.push(revision);
        moves.push(POSITIONS.indexOf(value));
      }
    }
    return {
      groups: this.groups.toArray(),
      organizations: this.organizations.toArray(),
      joinRevisions: this.joinRevisions.toArray(),
      positions: this.positions.toArray(),
      endRevisions: this.endRevisions.toArray(),
      moves: moves.toArray(),
    };
  }
}

const NO_MOVES = new Int32Array(0);

function positionOf(code: number): Position {
  const position = POSITIONS[code];
  if (position === undefined) throw new RangeError(`${code} names no position`);
  return position;
}

/**
 * The open membership of each current member of a group, by the member's place in the
 * order of organisations: built from the group's memberships at the first question, so
 * that a start from a snapshot builds none (a live index: do not keep it).
 */
export function openMembershipsOf(group: GroupRecord, table: MembershipTable): Map<number, number> {
  if (group.openMemberships === undefined) {
    const open = new Map<number, number>();
    const memberships = group.memberships;
    for (let index = 0; index < memberships.length; index++) {
      const membership = memberships.at(index);
      if (table.endRevisionOf(membership) === undefined) {
        open.set(table.organizationOf(membership), membership);
      }
    }
    group.openMemberships = open;
  }
  return group.openMemberships;
}

/**
 * Every membership period in a group of each organisation that ever joined it, by the
 * organisation's place in their order, oldest first (a live index).
 */
export function periodsIn(group: GroupRecord, table: MembershipTable): Map<number, number[]> {
  if (group.membershipsOf === undefined) {
    const periods = new Map<number, number[]>();
    const memberships = group.memberships;
    for (let index = 0; index < memberships.length; index++) {
      const membership = memberships.at(index);
      const organization = table.organizationOf(membership);
      const list = periods.get(organization);
      // Most organisations belong to a group once: a list of exactly one, not one pushed
      // into an empty array (which reserves room for 17).
      if (list === undefined) periods.set(organization, [membership]);
      else list.push(membership);
    }
    group.membershipsOf = periods;
  }
  return group.membershipsOf;
}
