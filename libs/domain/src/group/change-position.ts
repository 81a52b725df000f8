import { Decision } from '../common/command';
import { RuleViolationError } from '../common/errors';
import {
  LIMITS,
  optionalDate,
  optionalText,
  optionalVersion,
  requireId,
  requireOneOf,
} from '../common/input';
import {
  GroupCommandOf,
  GroupContext,
  GroupEvent,
  GroupState,
  POSITIONS,
  Position,
  ensureNotDissolved,
} from './group';
import { ensureMember } from './leave-group';
import { checkMembershipCommand } from './membership-command';

export type ChangePosition = GroupCommandOf<
  'ChangePosition',
  {
    readonly groupId: string;
    readonly organizationId: string;
    readonly position: Position;
    readonly reason: string | null;
  }
>;

export interface ChangePositionInput {
  readonly groupId: unknown;
  readonly organizationId: unknown;
  readonly position: unknown;
  readonly reason?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseChangePosition(input: ChangePositionInput): ChangePosition {
  return {
    type: 'ChangePosition',
    data: {
      groupId: requireId('groupId', input.groupId),
      organizationId: requireId('organizationId', input.organizationId),
      position: requireOneOf('position', input.position, POSITIONS),
      reason: optionalText('reason', input.reason, LIMITS.longText),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function changePosition(
  command: ChangePosition,
  state: GroupState,
  context: GroupContext,
): Decision<GroupEvent> {
  const { groupId, organizationId, position, reason } = command.data;
  const effectiveAt = checkMembershipCommand(command.data, state, context);
  ensureNotDissolved(state, groupId);
  const previousPosition = ensureMember(state, groupId, organizationId);
  if (previousPosition === position) {
    throw new RuleViolationError(
      'SAME_POSITION',
      `organization "${organizationId}" already holds position ${position} in group "${groupId}"`,
    );
  }
  return {
    effectiveAt,
    events: [
      {
        type: 'PositionChanged',
        data: { groupId, organizationId, position, previousPosition, reason },
      },
    ],
  };
}
