import {
  ConcurrencyConflictError,
  DomainError,
  InvalidInputError,
  NotFoundError,
  RuleViolationError,
} from './errors';

describe('domain errors', () => {
  it('carry a stable code and their details as properties', () => {
    const errors = [
      new InvalidInputError('name', 'must not be blank'),
      new NotFoundError('group', 'g1'),
      new RuleViolationError('ALREADY_MEMBER', 'already a member'),
      new ConcurrencyConflictError('group-g1', 2, 3),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(DomainError);
    }
    expect(errors.map((error) => error.code)).toEqual([
      'BAD_USER_INPUT',
      'NOT_FOUND',
      'RULE_VIOLATION',
      'CONCURRENCY_CONFLICT',
    ]);
    const [input, notFound, rule, conflict] = errors as [
      InvalidInputError,
      NotFoundError,
      RuleViolationError,
      ConcurrencyConflictError,
    ];
    expect(input.field).toBe('name');
    expect([notFound.kind, notFound.id]).toEqual(['group', 'g1']);
    expect(rule.rule).toBe('ALREADY_MEMBER');
    expect([conflict.streamId, conflict.expectedVersion, conflict.actualVersion]).toEqual([
      'group-g1',
      2,
      3,
    ]);
  });
});
