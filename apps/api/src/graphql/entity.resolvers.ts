import { ResolveField, Resolver } from '@nestjs/graphql';
import type { Position } from '@partnerships/domain/group/group';
import {
  ArrangementNode,
  CapabilityAssessmentNode,
  GroupNode,
  InterventionNode,
  MembershipNode,
  OrganizationNode,
  PartnershipNode,
  PartnershipStatus,
  PositionCounts,
  RecordedEventNode,
  RelationNode,
} from '@partnerships/projections/nodes';
import { Allow } from '../auth/allow.decorator';

/**
 * The fields of an entity that are lists; each is seen at its view's pair of times. Like
 * network.resolver.ts, they take GraphQL's (parent, args) without parameter decorators.
 */
@Resolver('Organization')
@Allow('viewer')
export class OrganizationResolver {
  @ResolveField()
  memberships(
    organization: OrganizationNode,
    { includeEnded }: { includeEnded?: boolean | null },
  ): MembershipNode[] {
    return organization.view.memberships(organization, includeEnded === true);
  }

  @ResolveField()
  partnerships(
    organization: OrganizationNode,
    { status }: { status?: PartnershipStatus | null },
  ): PartnershipNode[] {
    return organization.view.partnershipsOfOrganization(organization, status ?? null);
  }

  @ResolveField()
  @Allow('auditor')
  capabilityHistory(organization: OrganizationNode): CapabilityAssessmentNode[] {
    return organization.view.capabilityHistory(organization);
  }

  @ResolveField()
  interventions(organization: OrganizationNode): InterventionNode[] {
    return organization.view.interventions(organization);
  }

  @ResolveField()
  relations(organization: OrganizationNode): RelationNode[] {
    return organization.view.relations(organization);
  }

  @ResolveField()
  @Allow('auditor')
  history(organization: OrganizationNode): Promise<RecordedEventNode[]> {
    return organization.view.history(organization);
  }
}

@Resolver('Group')
@Allow('viewer')
export class GroupResolver {
  @ResolveField()
  members(
    group: GroupNode,
    { position, includeEnded }: { position?: Position | null; includeEnded?: boolean | null },
  ): MembershipNode[] {
    return group.view.members(group, position ?? null, includeEnded === true);
  }

  @ResolveField()
  membersByPosition(group: GroupNode): PositionCounts {
    return group.view.membersByPosition(group);
  }

  @ResolveField()
  partnerships(
    group: GroupNode,
    { status }: { status?: PartnershipStatus | null },
  ): PartnershipNode[] {
    return group.view.partnershipsOfGroup(group, status ?? null);
  }

  @ResolveField()
  interventions(group: GroupNode): InterventionNode[] {
    return group.view.interventions(group);
  }

  @ResolveField()
  @Allow('auditor')
  history(group: GroupNode): Promise<RecordedEventNode[]> {
    return group.view.history(group);
  }
}

@Resolver('Partnership')
@Allow('viewer')
export class PartnershipResolver {
  @ResolveField()
  parties(partnership: PartnershipNode): OrganizationNode[] {
    return partnership.view.parties(partnership);
  }

  @ResolveField()
  group(partnership: PartnershipNode): GroupNode | null {
    return partnership.view.groupOf(partnership);
  }

  @ResolveField()
  arrangements(partnership: PartnershipNode): Promise<ArrangementNode[]> {
    return partnership.view.arrangements(partnership);
  }

  @ResolveField()
  interventions(partnership: PartnershipNode): InterventionNode[] {
    return partnership.view.interventions(partnership);
  }

  @ResolveField()
  @Allow('auditor')
  history(partnership: PartnershipNode): Promise<RecordedEventNode[]> {
    return partnership.view.history(partnership);
  }
}
