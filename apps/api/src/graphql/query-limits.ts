import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import {
  DocumentNode,
  GraphQLError,
  GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  ValidationRule,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
} from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

export interface QueryLimits {
  /** Deepest selection nesting (GRAPHQL_MAX_DEPTH). */
  readonly depth: number;
  /** Most aliases in one operation (GRAPHQL_MAX_ALIASES). */
  readonly aliases: number;
  /** Most lexical tokens in one document (GRAPHQL_MAX_TOKENS). */
  readonly tokens: number;
  /** Highest estimated cost, where connection and list sizes multiply (GRAPHQL_MAX_COST). */
  readonly cost: number;
  readonly introspection: boolean;
  /** "Did you mean …?" in validation errors: a map of the schema for whoever probes it. */
  readonly fieldSuggestions: boolean;
}

export const DEFAULT_LIMITS = { depth: 12, aliases: 30, tokens: 5_000, cost: 50_000 } as const;

/**
 * The longest a list field can be in the data served now (`Group.members` → the most
 * members any group has), so that the cost of a query is estimated from real sizes, not
 * guessed. The read model knows them (read-model/list-sizes.ts).
 */
export interface ListSizes {
  /** At least 1; for a list field it does not know, the longest list it knows of. */
  longest(typeName: string, fieldName: string): number;
  /**
   * How many items a connection holds in all (`Network.groups` → the groups recorded), or
   * undefined when unknown: a page is never larger than that, whatever its `first` says.
   */
  total?(typeName: string, fieldName: string): number | undefined;
}

/** Sizes for when no data is at hand (unit tests): every list holds 10. */
export const ASSUMED_LIST_SIZES: ListSizes = { longest: () => 10 };

/**
 * What one field costs: an object is 1, plus its selection times the number of items it
 * may return — `first` for a connection, the longest such list in the data for the others.
 */
function connectionsMultiply(sizes: ListSizes): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    // A scalar is read with its object: what costs is reaching objects.
    if (isLeafType(getNamedType(field.type))) return 0;
    // A connection's edges are as many as its `first`, counted on the connection already.
    if (field.name === 'edges' && type.name.endsWith('Connection')) return 1 + childComplexity;
    if (typeof args['first'] === 'number') {
      const total = sizes.total?.(type.name, field.name);
      const page = total === undefined ? args['first'] : Math.min(args['first'], total);
      return 1 + childComplexity * Math.max(page, 1);
    }
    return isListType(getNullableType(field.type))
      ? 1 + childComplexity * Math.max(sizes.longest(type.name, field.name), 1)
      : 1 + childComplexity;
  };
}

export class QueryLimitError extends Error {
  override readonly name = 'QueryLimitError';
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly limit: 'cost' | 'subscriptions' | 'responseBytes' | 'requestTime',
    message: string,
  ) {
    super(message);
  }
}

/** Rules checked once per distinct query text (Mercurius caches their outcome). */
export function validationRules(limits: QueryLimits): ValidationRule[] {
  const rules = [
    maxDepthRule({ n: limits.depth, ignoreIntrospection: true, exposeLimits: true }),
    maxAliasesRule({ n: limits.aliases, exposeLimits: true }),
  ] as unknown as ValidationRule[];
  if (!limits.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/**
 * The cost depends on the variables (`first: $n`) and on the list sizes now, so it is
 * estimated for each request, unless the estimate read no list size: then it is a function
 * of the document and its variables alone, and is remembered for them (a mutation, or
 * `{ __typename }`, is estimated once, not at every request).
 */
export function checkCost(
  limits: QueryLimits,
  sizes: ListSizes,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): void {
  const cost = costOf(sizes, schema, document, variables ?? {}, operationName);
  if (cost > limits.cost) {
    throw new QueryLimitError(
      'cost',
      `query cost ${cost} exceeds the limit of ${limits.cost}: ask for smaller pages or fewer nested lists`,
    );
  }
}

/** Per document (Mercurius parses a query text once), the costs that read no list size. */
const sizeFreeCosts = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();
/** Distinct variables and operation names remembered per document. */
const SIZE_FREE_COSTS_PER_DOCUMENT = 32;

function costOf(
  sizes: ListSizes,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
): number {
  let documents = sizeFreeCosts.get(schema);
  if (documents === undefined) sizeFreeCosts.set(schema, (documents = new WeakMap()));
  const key = JSON.stringify([operationName ?? null, variables]);
  const remembered = documents.get(document)?.get(key);
  if (remembered !== undefined) return remembered;
  let sizesRead = false;
  const watched: ListSizes = {
    longest: (typeName, fieldName) => {
      sizesRead = true;
      return sizes.longest(typeName, fieldName);
    },
    total: (typeName, fieldName) => {
      sizesRead = true;
      return sizes.total?.(typeName, fieldName);
    },
  };
  const cost = getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [connectionsMultiply(watched)],
  });
  if (!sizesRead) {
    let costs = documents.get(document);
    if (costs === undefined) documents.set(document, (costs = new Map()));
    if (costs.size < SIZE_FREE_COSTS_PER_DOCUMENT) costs.set(key, cost);
  }
  return cost;
}

const hideSuggestions = blockFieldSuggestionsPlugin();

/** Applies graphql-armor's suggestion mask to a request's validation errors. */
export function withoutSuggestions(errors: readonly GraphQLError[]): readonly GraphQLError[] {
  let masked: readonly GraphQLError[] = errors;
  const onValidate = hideSuggestions.onValidate as unknown as () => (end: {
    valid: boolean;
    result: readonly GraphQLError[];
    setResult: (result: readonly GraphQLError[]) => void;
  }) => void;
  onValidate()({ valid: false, result: errors, setResult: (result) => (masked = result) });
  return masked;
}
