import {
  DocumentNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  OperationTypeNode,
  ValidationRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import {
  ListSizes,
  QueryLimitError,
  QueryLimits,
  checkCost,
  validationRules,
} from './query-limits';

/** What a client sends, over either door, before anything of it is trusted. */
export interface GraphQLRequestText {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
}

export type Admission =
  | {
      readonly admitted: true;
      readonly document: DocumentNode;
      readonly operation: OperationDefinitionNode;
      readonly variables: Record<string, unknown>;
      readonly operationName: string | undefined;
    }
  | { readonly admitted: false; readonly errors: readonly GraphQLError[] };

/**
 * Every validation rule a request passes, for both doors: graphql-js' own rules (among them
 * "a subscription selects exactly one root field") and the depth/alias/introspection limits.
 * HTTP hands them to Mercurius, the WebSocket door to `admit` below.
 */
export function requestRules(limits: QueryLimits): ValidationRule[] {
  return [...specifiedRules, ...validationRules(limits)];
}

/**
 * The one decision about a request that both doors share after parsing and validation:
 * which operation it runs (a document of several operations must name one) and what it
 * costs. Throws a GraphQLError (BAD_USER_INPUT through client-errors.ts) when refused.
 */
export function admitOperation(
  limits: QueryLimits,
  sizes: ListSizes,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): OperationDefinitionNode {
  const operation = selectOperation(document, operationName);
  try {
    checkCost(limits, sizes, schema, document, variables, operation.name?.value);
  } catch (error) {
    if (error instanceof QueryLimitError)
      throw new GraphQLError(error.message, { originalError: error });
    throw error;
  }
  return operation;
}

/**
 * The whole gate for a door that has no GraphQL server of its own in front (the WebSocket
 * door): shape of the message, parse with the token limit, the same validation rules, then
 * `admitOperation`. Only `kinds` of operation are admitted.
 */
export function admit(
  limits: QueryLimits,
  sizes: ListSizes,
  schema: GraphQLSchema,
  request: GraphQLRequestText,
  kinds: readonly OperationTypeNode[],
): Admission {
  const { query, variables, operationName } = request;
  if (typeof query !== 'string')
    return refused('query: must be a string holding a GraphQL document');
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return refused('variables: must be an object');
  }
  if (operationName != null && typeof operationName !== 'string') {
    return refused('operationName: must be a string');
  }
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.tokens });
  } catch (error) {
    if (error instanceof GraphQLError) return { admitted: false, errors: [error] };
    throw error;
  }
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, requestRules(limits));
  } catch (error) {
    // graphql-armor's limits stop validation by throwing their error.
    if (error instanceof GraphQLError) return { admitted: false, errors: [error] };
    throw error;
  }
  if (errors.length > 0) return { admitted: false, errors };
  try {
    const name = operationName ?? undefined;
    const values = (variables ?? {}) as Record<string, unknown>;
    const operation = admitOperation(limits, sizes, schema, document, values, name);
    if (!kinds.includes(operation.operation)) {
      return refused(
        `${operation.operation}: this door serves only ${kinds.join(' and ')} operations`,
      );
    }
    return { admitted: true, document, operation, variables: values, operationName: name };
  } catch (error) {
    if (error instanceof GraphQLError) return { admitted: false, errors: [error] };
    throw error;
  }
}

function selectOperation(
  document: DocumentNode,
  operationName: string | undefined,
): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === undefined) {
    if (operations.length === 1) return operations[0];
    throw new GraphQLError(
      operations.length === 0
        ? 'the document holds no operation'
        : 'operationName: required when the document holds several operations',
    );
  }
  const named = operations.find((operation) => operation.name?.value === operationName);
  if (named === undefined) {
    throw new GraphQLError(`operationName: no operation named "${operationName}" in the document`);
  }
  return named;
}

function refused(message: string): Admission {
  return { admitted: false, errors: [new GraphQLError(message)] };
}
