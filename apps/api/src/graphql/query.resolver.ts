import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { Connection } from '@partnerships/projections/cursor';
import { NetworkView } from '@partnerships/projections/network-view';
import { logPage } from '@partnerships/projections/paging';
import {
  GroupNode,
  OrganizationNode,
  PartnershipNode,
  PartnershipStatus,
  RecordedEventNode,
} from '@partnerships/projections/nodes';
import { Allow } from '../auth/allow.decorator';
import { RequestAuth } from '../auth/access.guard';
import { requireRole } from '../auth/principal';
import { ReadModel } from '../read-model/read-model';

/** Current state: as of now, as known now. */
@Resolver('Query')
@Allow('viewer')
export class QueryResolver {
  constructor(private readonly readModel: ReadModel) {}

  @Query()
  organization(@Args('id') id: string): OrganizationNode | null {
    return this.readModel.current().organization(id);
  }

  @Query()
  organizations(
    @Args('first') first: number,
    @Args('after') after: string | null,
  ): Connection<OrganizationNode> {
    return this.readModel.current().organizations({ first, after });
  }

  @Query()
  group(@Args('id') id: string): GroupNode | null {
    return this.readModel.current().group(id);
  }

  @Query()
  groups(@Args('first') first: number, @Args('after') after: string | null): Connection<GroupNode> {
    return this.readModel.current().groups({ first, after });
  }

  @Query()
  partnership(@Args('id') id: string): PartnershipNode | null {
    return this.readModel.current().partnership(id);
  }

  @Query()
  partnerships(
    @Args('status') status: PartnershipStatus | null,
    @Args('organizationId') organizationId: string | null,
    @Args('groupId') groupId: string | null,
    @Args('first') first: number,
    @Args('after') after: string | null,
  ): Connection<PartnershipNode> {
    return this.readModel
      .current()
      .partnerships({ status, organizationId, groupId }, { first, after });
  }

  @Query()
  network(
    @Args('asOf') asOf: Date | null,
    @Args('knownAt') knownAt: Date | null,
    @Context() auth: RequestAuth,
  ): NetworkView {
    // Looking at any other time than now is time travel: an auditor's right.
    if (asOf != null || knownAt != null) {
      requireRole(auth.principal, 'auditor', 'Query.network(asOf, knownAt)');
    }
    return this.readModel.at(asOf, knownAt);
  }

  @Query()
  @Allow('auditor')
  history(@Args('streamId') streamId: string): Promise<RecordedEventNode[]> {
    return this.readModel.current().streamHistory(streamId);
  }

  @Query()
  @Allow('auditor')
  events(
    @Args('first') first: number,
    @Args('after') after: string | null,
    @Args('types') types: string[] | null,
  ): Promise<Omit<Connection<RecordedEventNode>, 'totalCount'>> {
    return logPage(this.readModel.projection, this.readModel.store, { first, after }, types);
  }
}
