import { NetworkProjection } from '@partnerships/projections/network-projection';
import { ListMaxima } from '@partnerships/projections/list-maxima';
import { ListSizes } from '../graphql/query-limits';

/**
 * The longest list of each kind in the read model, for the cost estimate. Records only
 * grow (an ended membership is kept), so the current lengths bound every view of the past
 * too. The projection keeps them as events are applied, and its snapshot holds them
 * (`listMaxima`), so each answer is current and costs nothing.
 */
export class ReadModelListSizes implements ListSizes {
  constructor(private readonly projection: NetworkProjection) {}

  longest(typeName: string, fieldName: string): number {
    const maxima = this.projection.listMaxima();
    return Math.max(1, longestOf(maxima, this.projection.organizations.size, typeName, fieldName));
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
}

function longestOf(
  maxima: Readonly<ListMaxima>,
  organizations: number,
  typeName: string,
  fieldName: string,
): number {
  switch (`${typeName}.${fieldName}`) {
    case 'Query.history':
    case 'AuditQuery.history':
    case 'Organization.history':
    case 'Group.history':
    case 'Partnership.history':
      return maxima.history;
    case 'Organization.memberships':
    case 'Relation.groups':
      return maxima.organizationMemberships;
    case 'Organization.partnerships':
    case 'Relation.partnerships':
      return maxima.organizationPartnerships;
    case 'Organization.capabilityHistory':
      return maxima.assessments;
    case 'Group.members':
      return maxima.groupMemberships;
    case 'Group.partnerships':
      return maxima.groupPartnerships;
    // Every membership's positions: the one taken on joining and each later change.
    case 'Membership.positions':
      return 1 + maxima.moves;
    // At most one commitment per party.
    case 'Partnership.parties':
    case 'Arrangement.commitments':
      return maxima.parties;
    case 'Partnership.arrangements':
      return maxima.arrangements;
    case 'Organization.interventions':
    case 'Group.interventions':
    case 'Partnership.interventions':
      return maxima.interventions;
    case 'Organization.relations':
      return relations(maxima, organizations);
    // A list this table does not know: the longest of all.
    default:
      return Math.max(...Object.values(maxima), 1 + maxima.moves, relations(maxima, organizations));
  }
}

/**
 * An organisation's relations are at most the members of its groups and the parties of its
 * partnerships, and never more than the other organisations.
 */
function relations(maxima: Readonly<ListMaxima>, organizations: number): number {
  return Math.min(
    organizations,
    maxima.organizationMemberships * maxima.groupMemberships +
      maxima.organizationPartnerships * maxima.parties,
  );
}
