import { ResolveField, Resolver } from '@nestjs/graphql';
import { Connection } from '@partnerships/projections/cursor';
import { Page } from '@partnerships/projections/paging';
import { NetworkView } from '@partnerships/projections/network-view';
import {
  GroupNode,
  NetworkStatsNode,
  OrganizationNode,
  PartnershipNode,
  PartnershipStatus,
} from '@partnerships/projections/nodes';
import { Allow } from '../auth/allow.decorator';

/**
 * Everything under `network` is seen at the view's pair of times. Field resolvers take
 * GraphQL's (parent, args) as they are: no parameter decorators, so Nest calls them
 * directly; their roles are checked in the schema (auth/field-access.ts).
 */
@Resolver('Network')
@Allow('viewer')
export class NetworkResolver {
  @ResolveField()
  organization(view: NetworkView, { id }: { id: string }): OrganizationNode | null {
    return view.organization(id);
  }

  @ResolveField()
  organizations(view: NetworkView, page: Page): Connection<OrganizationNode> {
    return view.organizations(page);
  }

  @ResolveField()
  group(view: NetworkView, { id }: { id: string }): GroupNode | null {
    return view.group(id);
  }

  @ResolveField()
  groups(view: NetworkView, page: Page): Connection<GroupNode> {
    return view.groups(page);
  }

  @ResolveField()
  partnership(view: NetworkView, { id }: { id: string }): PartnershipNode | null {
    return view.partnership(id);
  }

  @ResolveField()
  partnerships(
    view: NetworkView,
    args: Page & {
      status?: PartnershipStatus | null;
      organizationId?: string | null;
      groupId?: string | null;
    },
  ): Connection<PartnershipNode> {
    return view.partnerships(
      {
        status: args.status ?? null,
        organizationId: args.organizationId ?? null,
        groupId: args.groupId ?? null,
      },
      args,
    );
  }

  @ResolveField()
  stats(view: NetworkView): NetworkStatsNode {
    return view.stats();
  }
}
