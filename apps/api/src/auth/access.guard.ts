import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { ACCESS } from './allow.decorator';
import { Credentials } from './credentials';
import { Access, ForbiddenError, Principal, UnauthenticatedError, requireRole } from './principal';

/** What every GraphQL request's context carries about who sent it. */
export interface RequestAuth {
  readonly principal?: Principal;
  /** Why the credentials sent were refused, when they were. */
  readonly authError?: UnauthenticatedError;
}

/** Who sent a request, by the credentials it carries (a header, or a connection's payload). */
export function authenticateRequest(credentials: Credentials, authorization: unknown): RequestAuth {
  try {
    return {
      principal: credentials.authenticate(
        typeof authorization === 'string' ? authorization : undefined,
      ),
    };
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { authError: error };
    throw error;
  }
}

/** Checks every resolver and route against its `@Allow`; refuses those without one. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === undefined) {
      throw new ForbiddenError(`${describe(context)} declares no role, so nobody may use it`);
    }
    if (access === 'public') return true;
    if (context.getType<GqlContextType>() !== 'graphql') {
      throw new ForbiddenError(`${describe(context)}: only GraphQL resolvers take credentials`);
    }
    const graphql = GqlExecutionContext.create(context);
    requireAccess(graphql.getContext<RequestAuth>(), access, describe(context));
    return true;
  }
}

/**
 * Lets a request through to what needs `access` (a role, or `public`), or refuses it: with
 * the reason its credentials were refused when they were, else as unauthenticated or
 * forbidden. `what` names the field or route in the message.
 */
export function requireAccess(auth: RequestAuth, access: Access, what: string): void {
  if (access === 'public') return;
  if (auth.principal === undefined && auth.authError !== undefined) throw auth.authError;
  requireRole(auth.principal, access, what);
}

/** The GraphQL field (Query.history) or the route handler a check is about. */
function describe(context: ExecutionContext): string {
  if (context.getType<GqlContextType>() === 'graphql') {
    const info = GqlExecutionContext.create(context).getInfo<{
      parentType: { name: string };
      fieldName: string;
    }>();
    return `${info.parentType.name}.${info.fieldName}`;
  }
  return `${context.getClass().name}.${context.getHandler().name}`;
}
