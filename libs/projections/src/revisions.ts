/**
 * Searches over a stream's records: what a view that sees the first `seen` events of a
 * stream sees of them. Streams only grow, so each question is a prefix, found by binary
 * search.
 */
import type { Position } from '@partnerships/domain/group/group';
import type { IntList } from './columns';
import type { ExtensionTable } from './extensions';
import type { MembershipTable } from './memberships';
import type { PartnershipRecord, Revised } from './records';

/** The valid time, in milliseconds, of a revision of one stream. */
export type RevisionTime = (revision: number) => number;

/** The number of leading items for which `holds` is true; `holds` must be monotone. */
export function countWhile<T>(
  items: { readonly length: number; at(index: number): T | undefined },
  holds: (item: T) => boolean,
): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(items.at(middle) as T)) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function visible<T extends { readonly revision: number }>(
  items: readonly T[],
  seen: number,
): readonly T[] {
  const count = countWhile(items, (item) => item.revision < seen);
  return count === items.length ? items : items.slice(0, count);
}

/**
 * The value as first set, then moved by changes: what a view that sees the first `seen`
 * events of the stream sees last. The first value's revision comes before every change's.
 */
function latest<T>(first: T, changes: readonly Revised<T>[] | undefined, seen: number): T {
  if (changes === undefined) return first;
  const count = countWhile(changes, (change) => change.revision < seen);
  return count === 0 ? first : (changes[count - 1] as Revised<T>).value;
}

/** The position a membership holds among the first `seen` events of its group (it joined). */
export function positionIn(table: MembershipTable, membership: number, seen: number): Position {
  return (
    table.latestPositionWithin(membership, seen) ??
    latest(table.positionOf(membership), table.movesOf(membership), seen)
  );
}

/** Every position a membership held among the first `seen` events, oldest first. */
export function positionsIn(
  table: MembershipTable,
  membership: number,
  seen: number,
): Revised<Position>[] {
  const joined = {
    revision: table.joinRevisionOf(membership),
    value: table.positionOf(membership),
  };
  const moves = table.movesOf(membership);
  return moves === undefined ? [joined] : [joined, ...visible(moves, seen)];
}

/** The intended end, in milliseconds, of a partnership among its first `seen` events. */
export function intendedEndIn(
  partnership: PartnershipRecord,
  extensions: ExtensionTable,
  seen: number,
): number {
  return latest(partnership.intendedEnd, extensions.of(partnership.order), seen);
}

/** A membership period in valid time, in milliseconds: [from, until). */
export interface Period {
  readonly from: number;
  readonly until: number;
}

/**
 * The earliest moment at which one of the own periods overlaps one of the other's
 * memberships of the group this view sees (Infinity: never). Allocates nothing: it runs
 * once per co-member.
 */
export function earliestOverlap(
  own: readonly Period[],
  timeOf: RevisionTime,
  table: MembershipTable,
  theirs: readonly number[],
  seen: number,
): number {
  let earliest = Infinity;
  for (const membership of theirs) {
    const joinRevision = table.joinRevisionOf(membership);
    if (joinRevision >= seen) break;
    const from = timeOf(joinRevision);
    const endRevision = table.endRevisionOf(membership);
    const until = isBefore(endRevision, seen) ? timeOf(endRevision as number) : Infinity;
    for (const period of own) {
      const start = Math.max(period.from, from);
      if (start < Math.min(period.until, until) && start < earliest) earliest = start;
    }
  }
  return earliest;
}

/**
 * How many of a group's memberships (its own list, in the order they were joined in its
 * stream) were joined among the first `seen` events of the group: those come first.
 */
export function joinedAmongFirst(
  table: MembershipTable,
  memberships: IntList,
  seen: number,
): number {
  return countWhile(memberships, (membership) => table.joinRevisionOf(membership) < seen);
}

/** Whether a membership has begun and not ended among the first `seen` events of its group. */
export function isOpenIn(table: MembershipTable, membership: number, seen: number): boolean {
  return (
    table.joinRevisionOf(membership) < seen && !isBefore(table.endRevisionOf(membership), seen)
  );
}

export function isBefore(revision: number | undefined, seen: number): boolean {
  return revision !== undefined && revision < seen;
}

/** Membership periods as a view that sees `seen` of the group's events sees them. */
export function periods(
  timeOf: RevisionTime,
  table: MembershipTable,
  memberships: readonly number[],
  seen: number,
): Period[] {
  const periods: Period[] = [];
  for (const membership of memberships) {
    const joinRevision = table.joinRevisionOf(membership);
    if (joinRevision >= seen) break;
    const endRevision = table.endRevisionOf(membership);
    periods.push({
      from: timeOf(joinRevision),
      until: isBefore(endRevision, seen) ? timeOf(endRevision as number) : Infinity,
    });
  }
  return periods;
}
