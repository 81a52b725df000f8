/**
 * Domain errors carry a stable code (and, for rule violations, the rule's name); the API
 * maps them to GraphQL `extensions` in one place.
 */

export type RuleName =
  | 'ORGANIZATION_EXISTS'
  | 'GROUP_EXISTS'
  | 'GROUP_DISSOLVED'
  | 'ALREADY_MEMBER'
  | 'NOT_A_MEMBER'
  | 'SAME_POSITION'
  | 'PARTNERSHIP_EXISTS'
  | 'TOO_FEW_PARTIES'
  | 'DUPLICATE_PARTY'
  | 'PARTNERSHIP_MUST_BE_FINITE'
  | 'PARTY_NOT_IN_GROUP'
  | 'PARTNERSHIP_ENDED'
  | 'ARRANGEMENT_EXISTS'
  | 'ARRANGEMENT_ENDS_BEFORE_AGREED'
  | 'ARRANGEMENT_OUTLIVES_PARTNERSHIP'
  | 'NOT_A_PARTY'
  | 'EXTENSION_NOT_LATER'
  | 'EXTENSION_ALREADY_PASSED'
  | 'NOT_YET_EXPIRED'
  | 'INTERVENTION_EXISTS'
  | 'COMMAND_ID_REUSED'
  | 'EFFECTIVE_TIME_IN_FUTURE'
  | 'EFFECTIVE_TIME_BEFORE_HISTORY';

export type DomainErrorCode =
  'BAD_USER_INPUT' | 'NOT_FOUND' | 'RULE_VIOLATION' | 'CONCURRENCY_CONFLICT';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/** Malformed or out-of-range input; `field` names the offending input field. */
export class InvalidInputError extends DomainError {
  override readonly name = 'InvalidInputError';
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export type EntityKind = 'organization' | 'group' | 'partnership';

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(
    readonly kind: EntityKind,
    readonly id: string,
  ) {
    super(`${kind} "${id}" does not exist`);
  }
}

export class RuleViolationError extends DomainError {
  override readonly name = 'RuleViolationError';
  readonly code = 'RULE_VIOLATION';
  constructor(
    readonly rule: RuleName,
    message: string,
  ) {
    super(message);
  }
}

export class ConcurrencyConflictError extends DomainError {
  override readonly name = 'ConcurrencyConflictError';
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `${streamId} is at version ${actualVersion}, not the expected version ${expectedVersion}`,
    );
  }
}
