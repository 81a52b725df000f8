import type { NetworkProjection } from './network-projection';
import type { NetworkView } from './network-view';
import type { NetworkStatsNode } from './nodes';
import { isBefore, isOpenIn, positionIn } from './revisions';

/**
 * The counts of the network a view sees: one pass over the columns of every organisation,
 * membership and partnership (entity-columns.ts, the membership table), and over the
 * groups' records.
 */
export function networkStats(projection: NetworkProjection, view: NetworkView): NetworkStatsNode {
  const columns = projection.columns;
  let organizations = 0;
  const organizationSeqs = columns.organizationSeqs;
  for (let order = 0; order < organizationSeqs.length; order++) {
    if (view.seesEvent(organizationSeqs.at(order))) organizations++;
  }
  let groups = 0;
  let activeGroups = 0;
  const { groupOrder, memberships: table } = projection;
  // How many of each group's events the view sees: 0 for one it does not see.
  const seenOf = new Int32Array(groupOrder.length);
  for (let order = 0; order < groupOrder.length; order++) {
    const group = groupOrder[order]!;
    const seen = view.seen(group.stream);
    seenOf[order] = seen;
    if (seen === 0) continue;
    groups++;
    if (!isBefore(group.dissolvedRevision, seen)) activeGroups++;
  }
  // Every membership of the network, in the table's order: its columns are read in order.
  const membersByPosition = { core: 0, ring: 0, freeSpace: 0 };
  for (let membership = 0; membership < table.length; membership++) {
    const seen = seenOf[table.groupOf(membership)]!;
    if (!isOpenIn(table, membership, seen)) continue;
    const position = positionIn(table, membership, seen);
    if (position === 'CORE') membersByPosition.core++;
    else if (position === 'RING') membersByPosition.ring++;
    else if (position === 'FREE_SPACE') membersByPosition.freeSpace++;
  }
  let activePartnerships = 0;
  let endedPartnerships = 0;
  let overduePartnerships = 0;
  for (let order = 0; order < columns.partnershipSeqs.length; order++) {
    const status = view.partnershipStatusOf(order);
    if (status === undefined) continue;
    if (status === 'ENDED') {
      endedPartnerships++;
      continue;
    }
    activePartnerships++;
    if (view.isOverdue(view.intendedEndOf(order))) overduePartnerships++;
  }
  return {
    organizations,
    groups,
    activeGroups,
    activeMemberships:
      membersByPosition.core + membersByPosition.ring + membersByPosition.freeSpace,
    membersByPosition,
    activePartnerships,
    endedPartnerships,
    overduePartnerships,
  };
}
