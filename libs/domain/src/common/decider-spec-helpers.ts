/**
 * Test support for the decider specs: fold given events into state, build the context a
 * decision reads, and assert on the domain error a command fails with (by its properties,
 * never by its message). Test-only: nothing outside `*.spec.ts` imports this file.
 */
import { Effective } from './command';
import {
  ConcurrencyConflictError,
  DomainError,
  EntityKind,
  InvalidInputError,
  NotFoundError,
  RuleName,
  RuleViolationError,
} from './errors';
import { GroupEvent, Position, evolveGroup, initialGroupState } from '../group/group';
import {
  OrganizationEvent,
  evolveOrganization,
  initialOrganizationState,
} from '../organization/organization';
import { PartnershipContext, PartnershipEvent } from '../partnership/partnership';

/** The server's clock in every spec; the real clock is never read. */
export const NOW = new Date('2026-06-01T12:00:00.000Z');

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;

export function at(iso: string): Date {
  return new Date(iso);
}

export function plus(base: Date, milliseconds: number): Date {
  return new Date(base.getTime() + milliseconds);
}

/** The state a stream reaches after the given events, folded with its evolve function. */
export function given<S, E>(
  evolve: (state: S, event: E) => S,
  initial: S,
  ...events: readonly E[]
): S {
  return events.reduce((state, event) => evolve(state, event), initial);
}

/** The other streams a decision may read, as their events. */
export interface World {
  readonly organizations?: Readonly<Record<string, readonly Effective<OrganizationEvent>[]>>;
  readonly groups?: Readonly<Record<string, readonly Effective<GroupEvent>[]>>;
}

function eventsOf<E>(streams: Readonly<Record<string, readonly E[]>> | undefined, id: string) {
  return streams !== undefined && Object.hasOwn(streams, id) ? (streams[id] ?? []) : [];
}

/** A context for any decider (it satisfies DecisionTime and GroupContext too). */
export function contextAt(now: Date, world: World = {}): PartnershipContext {
  return {
    now,
    organization: (id) =>
      given(evolveOrganization, initialOrganizationState, ...eventsOf(world.organizations, id)),
    group: (id) => given(evolveGroup, initialGroupState, ...eventsOf(world.groups, id)),
  };
}

// Event builders for the facts most specs start from.

export function registered(
  organizationId: string,
  effectiveAt: Date,
  name = `Organization ${organizationId}`,
): Effective<OrganizationEvent> {
  return { type: 'OrganizationRegistered', data: { organizationId, name }, effectiveAt };
}

export function founded(
  groupId: string,
  effectiveAt: Date,
  name = `Group ${groupId}`,
): Effective<GroupEvent> {
  return { type: 'GroupFounded', data: { groupId, name, purpose: null }, effectiveAt };
}

export function joined(
  groupId: string,
  organizationId: string,
  position: Position,
  effectiveAt: Date,
): Effective<GroupEvent> {
  return {
    type: 'OrganizationJoinedGroup',
    data: { groupId, organizationId, position },
    effectiveAt,
  };
}

export function left(
  groupId: string,
  organizationId: string,
  effectiveAt: Date,
): Effective<GroupEvent> {
  return {
    type: 'OrganizationLeftGroup',
    data: { groupId, organizationId, reason: null },
    effectiveAt,
  };
}

export function dissolved(groupId: string, effectiveAt: Date): Effective<GroupEvent> {
  return { type: 'GroupDissolved', data: { groupId, reason: null }, effectiveAt };
}

export function formed(
  partnershipId: string,
  effectiveAt: Date,
  intendedEndAt: Date,
  partyIds: readonly string[] = ['acme', 'globex'],
  groupId: string | null = null,
): Effective<PartnershipEvent> {
  return {
    type: 'PartnershipFormed',
    data: {
      partnershipId,
      name: `Partnership ${partnershipId}`,
      purpose: null,
      partyIds,
      groupId,
      intendedEndAt: intendedEndAt.toISOString(),
    },
    effectiveAt,
  };
}

export function agreed(
  partnershipId: string,
  arrangementId: string,
  effectiveAt: Date,
  validUntil: Date | null = null,
): Effective<PartnershipEvent> {
  return {
    type: 'ArrangementAgreed',
    data: {
      partnershipId,
      arrangementId,
      title: `Arrangement ${arrangementId}`,
      terms: 'We share what we learn.',
      validUntil: validUntil?.toISOString() ?? null,
      commitments: [],
    },
    effectiveAt,
  };
}

export function extended(
  partnershipId: string,
  effectiveAt: Date,
  previousIntendedEndAt: Date,
  intendedEndAt: Date,
): Effective<PartnershipEvent> {
  return {
    type: 'PartnershipExtended',
    data: {
      partnershipId,
      intendedEndAt: intendedEndAt.toISOString(),
      previousIntendedEndAt: previousIntendedEndAt.toISOString(),
    },
    effectiveAt,
  };
}

export function ended(partnershipId: string, effectiveAt: Date): Effective<PartnershipEvent> {
  return {
    type: 'PartnershipEnded',
    data: { partnershipId, reason: 'COMPLETED', note: null },
    effectiveAt,
  };
}

// "Then" assertions: the command fails, and the error says why through its properties.

/** The domain error the action throws; fails the test when it throws none. */
export function failureOf(action: () => unknown): DomainError {
  let outcome: unknown;
  try {
    outcome = action();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`expected a domain error, but the action returned ${JSON.stringify(outcome)}`);
}

export function expectRule(action: () => unknown, rule: RuleName): RuleViolationError {
  const error = failureOf(action);
  expect(error).toBeInstanceOf(RuleViolationError);
  expect(error.code).toBe('RULE_VIOLATION');
  expect((error as RuleViolationError).rule).toBe(rule);
  return error as RuleViolationError;
}

export function expectNotFound(action: () => unknown, kind: EntityKind, id: string): NotFoundError {
  const error = failureOf(action);
  expect(error).toBeInstanceOf(NotFoundError);
  expect(error.code).toBe('NOT_FOUND');
  expect({ kind: (error as NotFoundError).kind, id: (error as NotFoundError).id }).toEqual({
    kind,
    id,
  });
  return error as NotFoundError;
}

export function expectConflict(
  action: () => unknown,
  expectedVersion: number,
  actualVersion: number,
): ConcurrencyConflictError {
  const error = failureOf(action);
  expect(error).toBeInstanceOf(ConcurrencyConflictError);
  expect(error.code).toBe('CONCURRENCY_CONFLICT');
  const conflict = error as ConcurrencyConflictError;
  expect({
    expectedVersion: conflict.expectedVersion,
    actualVersion: conflict.actualVersion,
  }).toEqual({ expectedVersion, actualVersion });
  return conflict;
}

export function expectBadInput(action: () => unknown, field: string): InvalidInputError {
  const error = failureOf(action);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error.code).toBe('BAD_USER_INPUT');
  expect((error as InvalidInputError).field).toBe(field);
  return error as InvalidInputError;
}
