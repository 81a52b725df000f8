import { GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';
import { QueryLimitError } from './query-limits';

/** What a query stopped by its time is left waiting on: nothing of it runs again. */
const STOPPED: Promise<never> = new Promise(() => undefined);

/**
 * The time a query may take, spent by its resolvers as they run. Execution is synchronous
 * between awaits, so a large answer would hold the event loop until it is built: every
 * `sliceMs` of work, or every `callsPerTurn` resolvers, the budget hands back a pause (one
 * turn of the event loop), so other requests are served meanwhile. (Resolvers behind Nest's
 * guards only start their work in a later microtask: a thousand siblings are called in no
 * time and then run all at once, so the count bounds what one turn can queue.) Past `limitMs` the query is answered at once with a clear
 * error (`stop`) and its execution is abandoned: every resolver still to run waits on a
 * promise that never settles, so no more of its work is done and nothing of it is kept
 * (throwing instead would have graphql-js build an error for each of them, thousands in a
 * runaway query, in one stretch that holds the event loop).
 */
export class RequestBudget {
  private readonly deadline: number;
  private sliceEnd: number;
  /** The one pause every resolver reached in a spent slice waits for. */
  private pause: Promise<void> | undefined;
  private stopped = false;
  private calls = 0;

  constructor(
    readonly limitMs: number,
    private readonly sliceMs: number,
    private readonly callsPerTurn: number,
    private readonly stop: (error: QueryLimitError) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    const started = now();
    this.deadline = started + limitMs;
    this.sliceEnd = started + sliceMs;
  }

  /**
   * Called before each resolver: nothing when it may run now (the common case), or a promise
   * to wait for first. A resolver given a pause asks again after it: graphql-js goes on with
   * the siblings of a field that returned a promise, so many wait on one pause, and those
   * beyond the next slice must wait for the pause after it (a turn of the event loop each).
   */
  spend(): Promise<void> | undefined {
    if (this.stopped) return STOPPED;
    const now = this.now();
    if (now >= this.deadline) {
      this.stopped = true;
      this.pause = undefined;
      this.stop(
        new QueryLimitError(
          'requestTime',
          `the query ran for over ${this.limitMs} ms, the limit: ask for smaller pages or fewer nested lists`,
        ),
      );
      return STOPPED;
    }
    if (now < this.sliceEnd && (this.calls += 1) <= this.callsPerTurn) return undefined;
    this.pause ??= new Promise((resolve) =>
      setImmediate(() => {
        this.pause = undefined;
        this.calls = 0;
        this.sliceEnd = this.now() + this.sliceMs;
        resolve();
      }),
    );
    return this.pause;
  }
}

/** Where a request's budget is kept in its GraphQL context (queries only). */
export interface BudgetedContext {
  budget?: RequestBudget;
}

/**
 * Makes every field that has a resolver of its own (the ones that do work: lists, lookups,
 * the view at a pair of times) spend the request's budget first; fields read from their
 * parent's properties cost nothing and are left alone, and so are mutations (a recorded
 * command is answered, never cut short) and subscriptions (they have no budget). The
 * schema's resolvers are replaced in place; the schema is returned for Nest's
 * `transformSchema`.
 */
export function budgetedSchema(schema: GraphQLSchema): GraphQLSchema {
  const unbudgeted = new Set([schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || unbudgeted.has(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve !== undefined) field.resolve = spending(field.resolve);
    }
  }
  return schema;
}

function spending(
  resolve: GraphQLFieldResolver<unknown, BudgetedContext>,
): GraphQLFieldResolver<unknown, BudgetedContext> {
  return (source, args, context, info) => {
    const budget = context?.budget;
    if (budget === undefined) return resolve(source, args, context, info);
    const run = (): unknown => {
      const pause = budget.spend();
      return pause === undefined ? resolve(source, args, context, info) : pause.then(run);
    };
    return run();
  };
}
