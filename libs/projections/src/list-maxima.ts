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

/** No list yet: the figures of an empty projection. */
export function noLists(): ListMaxima {
  return {
    history: 0,
    organizationMemberships: 0,
    organizationPartnerships: 0,
    assessments: 0,
    interventions: 0,
    groupMemberships: 0,
    groupPartnerships: 0,
    parties: 0,
    arrangements: 0,
    moves: 0,
  };
}
