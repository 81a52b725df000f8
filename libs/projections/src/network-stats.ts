import type { NetworkProjection } from './network-projection';
import type { NetworkView } from './network-view';
import type { NetworkStatsNode } from './nodes';
import { isBefore, isOpenIn, positionIn } from './revisions';

/** The counts of the network a view sees: one pass over every entity. */
export function networkStats(projection: NetworkProjection, view: NetworkView): NetworkStatsNode {
  let organizations = 0;
  for (const record of projection.organizationOrder)
    if (view.seen(record.stream) > 0) organizations++;
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
  for (const record of projection.partnershipOrder) {
    const node = view.partnershipNode(record);
    if (node === undefined) continue;
    if (node.status === 'ENDED') endedPartnerships++;
    else activePartnerships++;
    if (node.termStatus === 'OVERDUE') overduePartnerships++;
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
