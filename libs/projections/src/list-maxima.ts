import type { NetworkProjection } from './network-projection';

/**
 * The longest list of each kind the read model's records hold (events of one stream, an
 * organisation's memberships, a partnership's parties, …): what a query's cost estimate
 * multiplies by. Records only grow (an ended membership is kept), so the current lengths
 * bound every view of the past too, and each figure only grows.
 */
export interface ListMaxima {
  /** Events of one stream. */
  history: number;
  organizationMemberships: number;
  organizationPartnerships: number;
  assessments: number;
  /** Of an organisation, a group or a partnership. */
  interventions: number;
  groupMemberships: number;
  groupPartnerships: number;
  parties: number;
  arrangements: number;
  /** Later changes of position of one membership. */
  moves: number;
}

/** The figures of every record, walked once (NetworkProjection keeps them from then on). */
export function measureLists(projection: NetworkProjection): ListMaxima {
  const maxima: ListMaxima = {
    history: 0,
    organizationMemberships: 0,
    organizationPartnerships: 0,
    assessments: 0,
    interventions: 0,
    groupMemberships: 0,
    groupPartnerships: 0,
    parties: 0,
    arrangements: 0,
    moves: projection.memberships.mostMoves(),
  };
  for (const { seqs } of projection.streams.values()) {
    maxima.history = Math.max(maxima.history, seqs.length);
  }
  for (const organization of projection.organizationOrder) {
    maxima.organizationMemberships = Math.max(
      maxima.organizationMemberships,
      organization.memberships.length,
    );
    maxima.organizationPartnerships = Math.max(
      maxima.organizationPartnerships,
      organization.partnerships.length,
    );
    maxima.assessments = Math.max(maxima.assessments, organization.assessments.length);
    maxima.interventions = Math.max(maxima.interventions, organization.interventions.length);
  }
  for (const group of projection.groupOrder) {
    maxima.groupMemberships = Math.max(maxima.groupMemberships, group.memberships.length);
    maxima.groupPartnerships = Math.max(maxima.groupPartnerships, group.partnerships.length);
    maxima.interventions = Math.max(maxima.interventions, group.interventions.length);
  }
  for (const partnership of projection.partnershipOrder) {
    maxima.parties = Math.max(maxima.parties, partnership.parties.length);
    maxima.arrangements = Math.max(maxima.arrangements, partnership.arrangements.length);
    maxima.interventions = Math.max(maxima.interventions, partnership.interventions.length);
  }
  return maxima;
}
