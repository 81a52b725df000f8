/**
 * Searches over a stream's records: what a view that sees the first `seen` events of a
 * stream sees of them. Streams only grow, so each question is a prefix, found by binary
 * search.
 */
import type { GroupRecord, MembershipRecord, Revised } from './records';

/** The number of leading items for which `holds` is true; `holds` must be monotone. */
export function countWhile<T>(items: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(items[middle])) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function visible<T>(items: readonly Revised<T>[], seen: number): readonly Revised<T>[] {
  const count = countWhile(items, (item) => item.revision < seen);
  return count === items.length ? items : items.slice(0, count);
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
  group: GroupRecord,
  theirs: readonly MembershipRecord[],
  seen: number,
): number {
  let earliest = Infinity;
  for (const membership of theirs) {
    if (membership.joinRevision >= seen) break;
    const from = group.events[membership.joinRevision].effectiveAt.getTime();
    const until = isBefore(membership.endRevision, seen)
      ? group.events[membership.endRevision as number].effectiveAt.getTime()
      : Infinity;
    for (const period of own) {
      const start = Math.max(period.from, from);
      if (start < Math.min(period.until, until) && start < earliest) earliest = start;
    }
  }
  return earliest;
}

/** Whether a membership has begun and not ended among the first `seen` events of its group. */
export function isOpenIn(membership: MembershipRecord, seen: number): boolean {
  return membership.joinRevision < seen && !isBefore(membership.endRevision, seen);
}

export function isBefore(revision: number | undefined, seen: number): boolean {
  return revision !== undefined && revision < seen;
}

/** Membership periods as a view that sees `seen` of the group's events sees them. */
export function periods(
  group: GroupRecord,
  memberships: readonly MembershipRecord[],
  seen: number,
): Period[] {
  const periods: Period[] = [];
  for (const membership of memberships) {
    if (membership.joinRevision >= seen) break;
    const ended = isBefore(membership.endRevision, seen);
    periods.push({
      from: group.events[membership.joinRevision].effectiveAt.getTime(),
      until: ended
        ? group.events[membership.endRevision as number].effectiveAt.getTime()
        : Infinity,
    });
  }
  return periods;
}
