import { GraphQLError, GraphQLFormattedError, Kind, parse, visit } from 'graphql';
import {
  ConcurrencyConflictError,
  DomainError,
  InvalidInputError,
  RuleViolationError,
} from '@partnerships/domain/common/errors';

import { ForbiddenError, UnauthenticatedError } from '../auth/principal';
import { QueryLimitError, withoutSuggestions } from './query-limits';

export const MASKED_MESSAGE = 'Internal server error';

/** HTTP-level refusals (body too large, not JSON, wrong method) carry a 4xx status. */
interface HttpRefusal extends Error {
  readonly statusCode: number;
}

/**
 * The one place where errors become what a client sees: domain errors keep their code
 * (and rule, field or versions); errors in the request itself (syntax, validation, a
 * variable of the wrong type, a body that is too large or not JSON) are BAD_USER_INPUT;
 * anything else is masked and reported.
 */
export function toClientErrors(
  error: GraphQLError,
  report: (error: unknown) => void,
  options: { readonly fieldSuggestions: boolean } = { fieldSuggestions: true },
): GraphQLFormattedError[] {
  const original = error.originalError;
  // Mercurius gathers the validation errors of a request in one error.
  const gathered = (original as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(gathered)) {
    const errors = options.fieldSuggestions ? gathered : withoutSuggestions(gathered);
    return errors.map((inner: unknown) =>
      inner instanceof GraphQLError
        ? badRequest(inner.message, inner)
        : badRequest(inner instanceof Error ? inner.message : String(inner)),
    );
  }
  if (original instanceof QueryLimitError) {
    return [
      { message: original.message, extensions: { code: original.code, limit: original.limit } },
    ];
  }
  if (original instanceof UnauthenticatedError || original instanceof ForbiddenError) {
    return [
      Object.assign({ message: original.message }, whereOf(error), {
        extensions: { code: original.code },
      }),
    ];
  }
  if (original instanceof DomainError) {
    return [
      Object.assign({ message: original.message }, whereOf(error), {
        extensions: extensionsOf(original),
      }),
    ];
  }
  if (isHttpRefusal(original)) return [badRequest(original.message)];
  if (error.path === undefined && (original === undefined || isFromReading(original))) {
    const [shown] = options.fieldSuggestions ? [error] : withoutSuggestions([error]);
    return [badRequest(shown.message, error)];
  }
  report(original ?? error);
  return [
    Object.assign({ message: MASKED_MESSAGE }, whereOf(error), {
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    }),
  ];
}

function badRequest(message: string, error?: GraphQLError): GraphQLFormattedError {
  const field = error === undefined ? undefined : fieldOf(error);
  return Object.assign(
    { message: field === undefined ? message : `${field}: ${message}` },
    error ? whereOf(error) : {},
    {
      extensions:
        field === undefined ? { code: 'BAD_USER_INPUT' } : { code: 'BAD_USER_INPUT', field },
    },
  );
}

/**
 * The argument or input field whose literal value the error points at, so that the
 * message names it (graphql-js names a variable's path, but not a literal's field).
 */
function fieldOf(error: GraphQLError): string | undefined {
  const position = error.positions?.[0];
  if (error.source === undefined || position === undefined) return undefined;
  let field: string | undefined;
  try {
    visit(parse(error.source), {
      enter(node) {
        if (
          (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) &&
          node.value.kind !== Kind.VARIABLE &&
          node.value.loc?.start === position
        ) {
          field = node.name.value;
        }
      },
    });
  } catch {
    // A request that does not parse has no field to name.
  }
  return field;
}

function whereOf(error: GraphQLError): Pick<GraphQLFormattedError, 'locations' | 'path'> {
  return {
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
  };
}

function isHttpRefusal(error: Error | undefined): error is HttpRefusal {
  const status = (error as Partial<HttpRefusal> | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Scalars and graphql-js raise these while reading the request's values. */
function isFromReading(original: Error): boolean {
  return original instanceof GraphQLError || original instanceof TypeError;
}

function extensionsOf(error: DomainError): Record<string, unknown> {
  if (error instanceof RuleViolationError) return { code: error.code, rule: error.rule };
  if (error instanceof ConcurrencyConflictError) {
    return {
      code: error.code,
      expectedVersion: error.expectedVersion,
      actualVersion: error.actualVersion,
    };
  }
  if (error instanceof InvalidInputError) return { code: error.code, field: error.field };
  return { code: error.code };
}
