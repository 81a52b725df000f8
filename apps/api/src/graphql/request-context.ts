import { RequestAuth } from '../auth/access.guard';
import { BudgetedContext } from './request-budget';

/** A GraphQL request's context: its credentials, the request's budget, and what others add. */
export interface RequestContext extends RequestAuth, BudgetedContext {
  [key: string]: unknown;
}

/**
 * A GraphQL request's context, made with every key it will get, so that filling them in
 * only sets values: Nest's Mercurius driver adds the request, Mercurius its reply, app,
 * errors, query and hooks, and the server the request's budget (queries only). Made with
 * its credentials' keys alone, each context turned into a dictionary as Mercurius added
 * its keys one by one: with `{ __typename }` under load that cost 6.6 KB of allocation a
 * request, and 3.5 KB of it lived long enough to be promoted out of the young generation
 * (0.35 KB now).
 */
export function requestContext(auth: RequestAuth): RequestContext {
  return {
    principal: auth.principal,
    authError: auth.authError,
    req: undefined,
    reply: undefined,
    app: undefined,
    pubsub: undefined,
    __currentQuery: undefined,
    errors: undefined,
    preParsing: undefined,
    preValidation: undefined,
    preExecution: undefined,
    onResolution: undefined,
    preSubscriptionParsing: undefined,
    preSubscriptionExecution: undefined,
    onSubscriptionResolution: undefined,
    onSubscriptionEnd: undefined,
    budget: undefined,
  };
}
