import { Decision } from '../common/command';
import { RuleViolationError } from '../common/errors';
import { LIMITS, optionalDate, optionalText, optionalVersion, requireId } from '../common/input';
import {
  GroupCommandOf,
  GroupContext,
  GroupEvent,
  GroupState,
  Position,
  ensureNotDissolved,
} from './group';
import { checkMembershipCommand } from './membership-command';

export type LeaveGroup = GroupCommandOf<
  'LeaveGroup',
  { readonly groupId: string; readonly organizationId: string; readonly reason: string | null }
>;

export interface LeaveGroupInput {
  readonly groupId: unknown;
  readonly organizationId: unknown;
  readonly reason?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseLeaveGroup(input: LeaveGroupInput): LeaveGroup {
  return {
    type: 'LeaveGroup',
    data: {
      groupId: requireId('groupId', input.groupId),
      organizationId: requireId('organizationId', input.organizationId),
      reason: optionalText('reason', input.reason, LIMITS.longText),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

/** The position the member holds; NOT_A_MEMBER when it holds none. */
export function ensureMember(state: GroupState, groupId: string, organizationId: string): Position {
  const position = state.members.get(organizationId);
  if (position === undefined) {
    throw new RuleViolationError(
      'NOT_A_MEMBER',
      `organization "${organizationId}" is not a member of group "${groupId}"`,
    );
  }
  return position;
}

export function leaveGroup(
  command: LeaveGroup,
  state: GroupState,
  context: GroupContext,
): Decision<GroupEvent> {
  const { groupId, organizationId, reason } = command.data;
  const effectiveAt = checkMembershipCommand(command.data, state, context);
  ensureNotDissolved(state, groupId);
  ensureMember(state, groupId, organizationId);
  return {
    effectiveAt,
    events: [{ type: 'OrganizationLeftGroup', data: { groupId, organizationId, reason } }],
  };
}
