import { Decision } from '../common/command';
import { RuleViolationError } from '../common/errors';
import { optionalDate, optionalVersion, requireId, requireOneOf } from '../common/input';
import {
  GroupCommandOf,
  GroupContext,
  GroupEvent,
  GroupState,
  POSITIONS,
  Position,
  ensureNotDissolved,
} from './group';
import { checkMembershipCommand } from './membership-command';

export type JoinGroup = GroupCommandOf<
  'JoinGroup',
  { readonly groupId: string; readonly organizationId: string; readonly position: Position }
>;

export interface JoinGroupInput {
  readonly groupId: unknown;
  readonly organizationId: unknown;
  readonly position: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseJoinGroup(input: JoinGroupInput): JoinGroup {
  return {
    type: 'JoinGroup',
    data: {
      groupId: requireId('groupId', input.groupId),
      organizationId: requireId('organizationId', input.organizationId),
      position: requireOneOf('position', input.position, POSITIONS),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

/** Leaving and joining again later is a new membership period. */
export function joinGroup(
  command: JoinGroup,
  state: GroupState,
  context: GroupContext,
): Decision<GroupEvent> {
  const { groupId, organizationId, position } = command.data;
  const effectiveAt = checkMembershipCommand(command.data, state, context);
  ensureNotDissolved(state, groupId);
  if (state.members.has(organizationId)) {
    throw new RuleViolationError(
      'ALREADY_MEMBER',
      `organization "${organizationId}" is already a member of group "${groupId}"`,
    );
  }
  return {
    effectiveAt,
    events: [{ type: 'OrganizationJoinedGroup', data: { groupId, organizationId, position } }],
  };
}
