import { Decision, DecisionTime } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { checkExpectedVersion } from '../common/expected-version';
import { NotFoundError } from '../common/errors';
import {
  LIMITS,
  optionalDate,
  optionalText,
  optionalVersion,
  requireId,
  requireIntegerIn,
} from '../common/input';
import {
  OrganizationCommandOf,
  OrganizationEvent,
  OrganizationState,
  isRegistered,
  organizationStream,
} from './organization';

export type AssessCapability = OrganizationCommandOf<
  'AssessCapability',
  {
    readonly organizationId: string;
    readonly ambition: number;
    readonly realized: number;
    readonly notes: string | null;
  }
>;

export interface AssessCapabilityInput {
  readonly organizationId: unknown;
  readonly ambition: unknown;
  readonly realized: unknown;
  readonly notes?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseAssessCapability(input: AssessCapabilityInput): AssessCapability {
  return {
    type: 'AssessCapability',
    data: {
      organizationId: requireId('organizationId', input.organizationId),
      ambition: requireIntegerIn('ambition', input.ambition, 1, 5),
      realized: requireIntegerIn('realized', input.realized, 1, 5),
      notes: optionalText('notes', input.notes, LIMITS.longText),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function assessCapability(
  command: AssessCapability,
  state: OrganizationState,
  { now }: DecisionTime,
): Decision<OrganizationEvent> {
  const { organizationId, ambition, realized, notes } = command.data;
  if (!isRegistered(state)) throw new NotFoundError('organization', organizationId);
  checkExpectedVersion(organizationStream(organizationId), command.data, state);
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  return {
    effectiveAt,
    events: [{ type: 'CapabilityAssessed', data: { organizationId, ambition, realized, notes } }],
  };
}
