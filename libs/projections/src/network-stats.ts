import type { NetworkProjection } from './network-projection';
import type { NetworkView } from './network-view';
import type { NetworkStatsNode } from './nodes';
import { isBefore, isOpenIn, positionIn } from './revisions';

/**
 * The counts of the network a view sees: one pass over every entity, the organisations and
 * partnerships through their columns.
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
  const membersByPosition = { core: 0, ring: 0, freeSpace: 0 };
  const table = projection.memberships;
  for (const group of projection.groupOrder) {
    const seen = view.seen(group.stream);
    if (seen === 0) continue;
    groups++;
    if (!isBefore(group.dissolvedRevision, seen)) activeGroups++;
    // An index loop: this pass visits every membership of the network.
    const memberships = group.memberships;
    for (let index = 0; index < memberships.length; index++) {
      const membership = memberships.at(index);
      if (!isOpenIn(table, membership, seen)) continue;
      const position = positionIn(table, membership, seen);
      if (position === 'CORE') membersByPosition.core++;
      else if (position === 'RING') membersByPosition.ring++;
      else if (position === 'FREE_SPACE') membersByPosition.freeSpace++;
    }
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
