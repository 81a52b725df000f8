import { NetworkProjection } from '@partnerships/projections/network-projection';
import { ListSizes } from '../graphql/query-limits';

/** How stale the measured sizes may be, at most, while events keep arriving. */
const REMEASURE_AFTER_MS = 200;

/**
 * The longest list of each kind in the read model, for the cost estimate. Records only
 * grow (an ended membership is kept), so the current lengths bound every view of the past
 * too. Measured again when events have been applied since, at most every 200 ms: a walk
 * over every record is cheap (about a millisecond per 50,000 records) but not free on
 * every request. In the window a list may have grown a little; the response size limit
 * holds what slips through.
 */
export class ReadModelListSizes implements ListSizes {
  private measuredAt = -Infinity;
  private measuredLength = -1;
  private sizes = new Map<string, number>();
  private largest = 1;

  constructor(private readonly projection: NetworkProjection) {}

  longest(typeName: string, fieldName: string): number {
    this.measureIfStale();
    return this.sizes.get(`${typeName}.${fieldName}`) ?? this.largest;
  }

  total(typeName: string, fieldName: string): number | undefined {
    if (typeName !== 'Query' && typeName !== 'Network') return undefined;
    switch (fieldName) {
      case 'organizations':
        return this.projection.organizations.size;
      case 'groups':
        return this.projection.groups.size;
      case 'partnerships':
        return this.projection.partnerships.size;
      case 'events':
        return this.projection.length;
      default:
        return undefined;
    }
  }

  private measureIfStale(): void {
    const length = this.projection.length;
    if (length === this.measuredLength) return;
    const now = Date.now();
    if (this.measuredLength >= 0 && now - this.measuredAt < REMEASURE_AFTER_MS) return;
    this.measuredAt = now;
    this.measuredLength = length;
    this.sizes = this.measure();
    this.largest = Math.max(1, ...this.sizes.values());
  }

  private measure(): Map<string, number> {
    const { memberships: table, groupOrder } = this.projection;
    let stream = 1;
    for (const { seqs } of this.projection.streams.values()) stream = Math.max(stream, seqs.length);
    let orgMemberships = 0;
    let orgPartnerships = 0;
    let assessments = 0;
    let interventions = 0;
    // An organisation's relations are at most the members of its groups and the parties
    // of its partnerships.
    let relations = 0;
    for (const organization of this.projection.organizations.values()) {
      orgMemberships = Math.max(orgMemberships, organization.memberships.length);
      orgPartnerships = Math.max(orgPartnerships, organization.partnerships.length);
      assessments = Math.max(assessments, organization.assessments.length);
      interventions = Math.max(interventions, organization.interventions.length);
      let reach = 0;
      const memberships = organization.memberships;
      for (let index = 0; index < memberships.length; index++) {
        reach += groupOrder[table.groupOf(memberships.at(index))]!.memberships.length;
      }
      for (const partnership of organization.partnerships) reach += partnership.parties.length;
      relations = Math.max(relations, Math.min(reach, this.projection.organizations.size));
    }
    let groupMemberships = 0;
    let groupPartnerships = 0;
    // Every membership's positions: the one taken on joining and each later change.
    const positions = 1 + table.mostMoves();
    for (const group of this.projection.groups.values()) {
      groupMemberships = Math.max(groupMemberships, group.memberships.length);
      groupPartnerships = Math.max(groupPartnerships, group.partnerships.length);
      interventions = Math.max(interventions, group.interventions.length);
    }
    let parties = 0;
    let arrangements = 0;
    for (const partnership of this.projection.partnerships.values()) {
      parties = Math.max(parties, partnership.parties.length);
      arrangements = Math.max(arrangements, partnership.arrangements.length);
      interventions = Math.max(interventions, partnership.interventions.length);
    }
    return new Map([
      ['Query.history', stream],
      ['AuditQuery.history', stream],
      ['Organization.history', stream],
      ['Group.history', stream],
      ['Partnership.history', stream],
      ['Organization.memberships', orgMemberships],
      ['Organization.partnerships', orgPartnerships],
      ['Organization.capabilityHistory', assessments],
      ['Group.members', groupMemberships],
      ['Group.partnerships', groupPartnerships],
      ['Membership.positions', positions],
      ['Partnership.parties', parties],
      ['Partnership.arrangements', arrangements],
      // At most one commitment per party.
      ['Arrangement.commitments', parties],
      ['Organization.interventions', interventions],
      ['Group.interventions', interventions],
      ['Partnership.interventions', interventions],
      ['Organization.relations', relations],
      ['Relation.partnerships', orgPartnerships],
      ['Relation.groups', orgMemberships],
    ]);
  }
}
