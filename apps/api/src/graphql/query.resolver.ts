import { Args, Query, Resolver } from '@nestjs/graphql';
import { Connection } from '@partnerships/projections/cursor';
import {
  GroupNode,
  NetworkView,
  OrganizationNode,
  PartnershipNode,
  PartnershipStatus,
  RecordedEventNode,
  logPage,
} from '@partnerships/projections/network-view';
import { ReadModel } from '../read-model/read-model';

/** Current state: as of now, as known now. */
@Resolver('Query')
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
  network(@Args('asOf') asOf: Date | null, @Args('knownAt') knownAt: Date | null): NetworkView {
    return this.readModel.at(asOf, knownAt);
  }

  @Query()
  history(@Args('streamId') streamId: string): RecordedEventNode[] {
    return this.readModel.current().streamHistory(streamId);
  }

  @Query()
  events(
    @Args('first') first: number,
    @Args('after') after: string | null,
    @Args('types') types: string[] | null,
  ): Omit<Connection<RecordedEventNode>, 'totalCount'> {
    return logPage(this.readModel.projection, { first, after }, types);
  }
}
