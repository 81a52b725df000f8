import { AuditResolver } from './audit.resolver';
import { GroupResolver, OrganizationResolver, PartnershipResolver } from './entity.resolvers';
import { MutationResolver } from './mutation.resolver';
import { NetworkResolver } from './network.resolver';
import { QueryResolver } from './query.resolver';
import { SubscriptionResolver } from './subscription.resolver';

/** Every resolver the API serves; each declares the least role it needs (see auth/). */
export const resolvers = [
  QueryResolver,
  NetworkResolver,
  OrganizationResolver,
  GroupResolver,
  PartnershipResolver,
  MutationResolver,
  SubscriptionResolver,
  AuditResolver,
];
