import {
  RESOLVER_NAME_METADATA,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_TYPE_METADATA,
} from '@nestjs/graphql';
import { GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';
import { RequestAuth, requireAccess } from './access.guard';
import { ACCESS } from './allow.decorator';
import { Access } from './principal';

/** A resolver class, as Nest's decorators see it. */
type ResolverClass = abstract new (...args: never[]) => unknown;

/**
 * The role each field resolver of an entity type declares (`@Allow` on the method, else on
 * its class), by `Type.field`; undefined where neither declares one.
 */
export function fieldAccesses(
  resolverClasses: readonly ResolverClass[],
): Map<string, Access | undefined> {
  const accesses = new Map<string, Access | undefined>();
  for (const resolverClass of resolverClasses) {
    const typeName: unknown = Reflect.getMetadata(RESOLVER_TYPE_METADATA, resolverClass);
    if (typeof typeName !== 'string') continue;
    const prototype = resolverClass.prototype as Record<string, unknown>;
    for (const methodName of Object.getOwnPropertyNames(prototype)) {
      const method = prototype[methodName];
      if (typeof method !== 'function') continue;
      if (Reflect.getMetadata(RESOLVER_PROPERTY_METADATA, method) !== true) continue;
      // `@ResolveField()` without a name resolves the field named as the method.
      const fieldName =
        (Reflect.getMetadata(RESOLVER_NAME_METADATA, method) as string | undefined) ?? methodName;
      accesses.set(
        `${typeName}.${fieldName}`,
        (Reflect.getMetadata(ACCESS, method) ?? Reflect.getMetadata(ACCESS, resolverClass)) as
          Access | undefined,
      );
    }
  }
  return accesses;
}

/**
 * Checks every entity field's resolver against the role it declares, in the schema itself:
 * the field resolvers run as plain functions, without a guard pipeline (and its promise) for
 * every field of every answer. The root fields (Query, Mutation, Subscription) keep the
 * AccessGuard. A resolver that declares no role stops the server from starting (deny by
 * default), as does a declared role for a field the schema does not have.
 */
export function guardedFields(
  schema: GraphQLSchema,
  accesses: ReadonlyMap<string, Access | undefined>,
): GraphQLSchema {
  const roots = new Set([
    schema.getQueryType(),
    schema.getMutationType(),
    schema.getSubscriptionType(),
  ]);
  const unused = new Set(accesses.keys());
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || roots.has(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve === undefined) continue;
      const what = `${type.name}.${field.name}`;
      unused.delete(what);
      const access = accesses.get(what);
      if (access === undefined) {
        throw new Error(
          `${what} has a resolver that declares no role (@Allow), so nobody may use it`,
        );
      }
      field.resolve = checking(field.resolve, access, what);
    }
  }
  if (unused.size > 0) {
    throw new Error(
      `field resolvers for fields the schema does not have: ${[...unused].join(', ')}`,
    );
  }
  return schema;
}

function checking(
  resolve: GraphQLFieldResolver<unknown, RequestAuth>,
  access: Access,
  what: string,
): GraphQLFieldResolver<unknown, RequestAuth> {
  if (access === 'public') return resolve;
  return (source, args, context, info) => {
    requireAccess(context, access, what);
    return resolve(source, args, context, info);
  };
}
