import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Connection } from '@partnerships/projections/cursor';
import { NetworkView } from '@partnerships/projections/network-view';
import {
  GroupNode,
  NetworkStatsNode,
  OrganizationNode,
  PartnershipNode,
  PartnershipStatus,
} from '@partnerships/projections/nodes';
import { Allow } from '../auth/allow.decorator';

/** Everything under `network` is seen at the view's pair of times. */
@Resolver('Network')
@Allow('viewer')
export class NetworkResolver {
  @ResolveField()
  organization(@Parent() view: NetworkView, @Args('id') id: string): OrganizationNode | null {
    return view.organization(id);
  }

  @ResolveField()
  organizations(
    @Parent() view: NetworkView,
    @Args('first') first: number,
    @Args('after') after: string | null,
  ): Connection<OrganizationNode> {
    return view.organizations({ first, after });
  }

  @ResolveField()
  group(@Parent() view: NetworkView, @Args('id') id: string): GroupNode | null {
    return view.group(id);
  }

  @ResolveField()
  groups(
    @Parent() view: NetworkView,
    @Args('first') first: number,
    @Args('after') after: string | null,
  ): Connection<GroupNode> {
    return view.groups({ first, after });
  }

  @ResolveField()
  partnership(@Parent() view: NetworkView, @Args('id') id: string): PartnershipNode | null {
    return view.partnership(id);
  }

  @ResolveField()
  partnerships(
    @Parent() view: NetworkView,
    @Args('status') status: PartnershipStatus | null,
    @Args('organizationId') organizationId: string | null,
    @Args('groupId') groupId: string | null,
    @Args('first') first: number,
    @Args('after') after: string | null,
  ): Connection<PartnershipNode> {
    return view.partnerships({ status, organizationId, groupId }, { first, after });
  }

  @ResolveField()
  stats(@Parent() view: NetworkView): NetworkStatsNode {
    return view.stats();
  }
}
