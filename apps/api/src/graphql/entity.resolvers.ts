import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { Position } from '@partnerships/domain/group/group';
import {
  ArrangementNode,
  CapabilityAssessmentNode,
  GroupNode,
  MembershipNode,
  OrganizationNode,
  PartnershipNode,
  PartnershipStatus,
  RecordedEventNode,
} from '@partnerships/projections/network-view';

/** The fields of an entity that are lists; each is seen at its view's pair of times. */
@Resolver('Organization')
export class OrganizationResolver {
  @ResolveField()
  memberships(
    @Parent() organization: OrganizationNode,
    @Args('includeEnded') includeEnded: boolean | null,
  ): MembershipNode[] {
    return organization.view.memberships(organization, includeEnded === true);
  }

  @ResolveField()
  partnerships(
    @Parent() organization: OrganizationNode,
    @Args('status') status: PartnershipStatus | null,
  ): PartnershipNode[] {
    return organization.view.partnershipsOfOrganization(organization, status);
  }

  @ResolveField()
  capabilityHistory(@Parent() organization: OrganizationNode): CapabilityAssessmentNode[] {
    return organization.view.capabilityHistory(organization);
  }

  @ResolveField()
  history(@Parent() organization: OrganizationNode): RecordedEventNode[] {
    return organization.view.history(organization);
  }
}

@Resolver('Group')
export class GroupResolver {
  @ResolveField()
  members(
    @Parent() group: GroupNode,
    @Args('position') position: Position | null,
    @Args('includeEnded') includeEnded: boolean | null,
  ): MembershipNode[] {
    return group.view.members(group, position, includeEnded === true);
  }

  @ResolveField()
  partnerships(
    @Parent() group: GroupNode,
    @Args('status') status: PartnershipStatus | null,
  ): PartnershipNode[] {
    return group.view.partnershipsOfGroup(group, status);
  }

  @ResolveField()
  history(@Parent() group: GroupNode): RecordedEventNode[] {
    return group.view.history(group);
  }
}

@Resolver('Partnership')
export class PartnershipResolver {
  @ResolveField()
  parties(@Parent() partnership: PartnershipNode): OrganizationNode[] {
    return partnership.view.parties(partnership);
  }

  @ResolveField()
  group(@Parent() partnership: PartnershipNode): GroupNode | null {
    return partnership.view.groupOf(partnership);
  }

  @ResolveField()
  arrangements(@Parent() partnership: PartnershipNode): ArrangementNode[] {
    return partnership.view.arrangements(partnership);
  }

  @ResolveField()
  history(@Parent() partnership: PartnershipNode): RecordedEventNode[] {
    return partnership.view.history(partnership);
  }
}
