import { GraphQLError, GraphQLFormattedError } from 'graphql';
import {
  ConcurrencyConflictError,
  DomainError,
  InvalidInputError,
  RuleViolationError,
} from '@partnerships/domain/common/errors';

export const MASKED_MESSAGE = 'Internal server error';

/**
 * The one place where errors become what a client sees: domain errors keep their code
 * (and rule, field or versions); errors in the request itself (syntax, validation, a
 * variable of the wrong type) are BAD_USER_INPUT; anything else is masked.
 */
export function toClientError(
  error: GraphQLError,
  report: (error: unknown) => void,
): GraphQLFormattedError {
  const original = error.originalError;
  const where = {
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
  };
  if (original instanceof DomainError) {
    return { message: original.message, ...where, extensions: extensionsOf(original) };
  }
  const fromRequest = error.path === undefined && !isUnexpected(original);
  if (fromRequest) {
    return { message: error.message, ...where, extensions: { code: 'BAD_USER_INPUT' } };
  }
  report(original ?? error);
  return { message: MASKED_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Errors raised by scalars and graphql-js while reading the request are the client's. */
function isUnexpected(original: Error | undefined): boolean {
  return (
    original !== undefined &&
    !(original instanceof GraphQLError) &&
    !(original instanceof TypeError)
  );
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
