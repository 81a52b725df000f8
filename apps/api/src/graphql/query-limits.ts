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
 * The cost depends on the variables (`first: $n`) and on the list sizes now. The estimate
 * is a function of the document, its variables and the sizes it read, so it is remembered
 * with the sizes it read and reused while each of them is still what it was: a repeated
 * query pays a few size lookups, not a walk of its document.
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

/** A size the estimate read, and what it was. */
interface SizeRead {
  readonly total: boolean;
  readonly typeName: string;
  readonly fieldName: string;
  readonly size: number | undefined;
}

interface RememberedCost {
  readonly cost: number;
  readonly reads: readonly SizeRead[];
}

/** Per document (Mercurius parses a query text once), its estimates by variables. */
const rememberedCosts = new WeakMap<
  GraphQLSchema,
  WeakMap<DocumentNode, Map<string, RememberedCost>>
>();
/** Distinct variables and operation names remembered per document. */
const COSTS_PER_DOCUMENT = 32;

function sizeNow(
  sizes: ListSizes,
  total: boolean,
  typeName: string,
  fieldName: string,
): number | undefined {
  return total ? sizes.total?.(typeName, fieldName) : sizes.longest(typeName, fieldName);
}

function costOf(
  sizes: ListSizes,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
): number {
  let documents = rememberedCosts.get(schema);
  if (documents === undefined) rememberedCosts.set(schema, (documents = new WeakMap()));
  let costs = documents.get(document);
  if (costs === undefined) documents.set(document, (costs = new Map()));
  const key = JSON.stringify([operationName ?? null, variables]);
  const remembered = costs.get(key);
  const unchanged = (read: SizeRead): boolean =>
    sizeNow(sizes, read.total, read.typeName, read.fieldName) === read.size;
  if (remembered?.reads.every(unchanged)) {
    return remembered.cost;
  }
  const reads = new Map<string, SizeRead>();
  const read = (total: boolean, typeName: string, fieldName: string): number | undefined => {
    const name = `${total ? 'total' : 'longest'} ${typeName}.${fieldName}`;
    const known = reads.get(name);
    if (known !== undefined) return known.size;
    const size = sizeNow(sizes, total, typeName, fieldName);
    reads.set(name, { total, typeName, fieldName, size });
    return size;
  };
  const watched: ListSizes = {
    longest: (typeName, fieldName) => read(false, typeName, fieldName) as number,
    total: (typeName, fieldName) => read(true, typeName, fieldName),
  };
  const cost = getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [connectionsMultiply(watched)],
  });
  if (remembered !== undefined || costs.size < COSTS_PER_DOCUMENT) {
    costs.set(key, { cost, reads: [...reads.values()] });
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
