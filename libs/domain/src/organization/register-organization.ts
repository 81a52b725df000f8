import { Decision, DecisionTime } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { RuleViolationError } from '../common/errors';
import { LIMITS, optionalDate, requireId, requireText } from '../common/input';
import {
  OrganizationCommandOf,
  OrganizationEvent,
  OrganizationState,
  isRegistered,
} from './organization';

export type RegisterOrganization = OrganizationCommandOf<
  'RegisterOrganization',
  { readonly organizationId: string; readonly name: string }
>;

export interface RegisterOrganizationInput {
  readonly id: string;
  readonly name: unknown;
  readonly effectiveAt?: unknown;
}

export function parseRegisterOrganization(input: RegisterOrganizationInput): RegisterOrganization {
  return {
    type: 'RegisterOrganization',
    data: {
      organizationId: requireId('id', input.id),
      name: requireText('name', input.name, LIMITS.name),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function registerOrganization(
  command: RegisterOrganization,
  state: OrganizationState,
  { now }: DecisionTime,
): Decision<OrganizationEvent> {
  const { organizationId, name } = command.data;
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  if (isRegistered(state)) {
    throw new RuleViolationError(
      'ORGANIZATION_EXISTS',
      `organization "${organizationId}" is already registered`,
    );
  }
  return {
    effectiveAt,
    events: [{ type: 'OrganizationRegistered', data: { organizationId, name } }],
  };
}
