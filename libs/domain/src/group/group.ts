import {
  Command,
  CommandOptions,
  Decision,
  DecisionTime,
  Effective,
  Event,
  StreamState,
  advance,
  assertNever,
  emptyStream,
} from '../common/command';
import { RuleViolationError } from '../common/errors';
import { InterventionRecorded } from '../intervention/record-intervention';
import { OrganizationState } from '../organization/organization';
import { ChangePosition, changePosition } from './change-position';
import { DissolveGroup, dissolveGroup } from './dissolve-group';
import { FoundGroup, foundGroup } from './found-group';
import { JoinGroup, joinGroup } from './join-group';
import { LeaveGroup, leaveGroup } from './leave-group';

export const groupStream = (groupId: string): string => `group-${groupId}`;

/** Where an organisation stands in a group: the core, the ring, or the free space. */
export const POSITIONS = ['CORE', 'RING', 'FREE_SPACE'] as const;
export type Position = (typeof POSITIONS)[number];

export type GroupFounded = Event<
  'GroupFounded',
  { readonly groupId: string; readonly name: string; readonly purpose: string | null }
>;

export type OrganizationJoinedGroup = Event<
  'OrganizationJoinedGroup',
  { readonly groupId: string; readonly organizationId: string; readonly position: Position }
>;

export type PositionChanged = Event<
  'PositionChanged',
  {
    readonly groupId: string;
    readonly organizationId: string;
    readonly position: Position;
    readonly previousPosition: Position;
    readonly reason: string | null;
  }
>;

export type OrganizationLeftGroup = Event<
  'OrganizationLeftGroup',
  { readonly groupId: string; readonly organizationId: string; readonly reason: string | null }
>;

/** Ends every membership of the group at that moment; the group's partnerships go on. */
export type GroupDissolved = Event<
  'GroupDissolved',
  { readonly groupId: string; readonly reason: string | null }
>;

export type GroupEvent =
  | GroupFounded
  | OrganizationJoinedGroup
  | PositionChanged
  | OrganizationLeftGroup
  | GroupDissolved
  | InterventionRecorded;

export type GroupCommand = FoundGroup | JoinGroup | ChangePosition | LeaveGroup | DissolveGroup;

export type GroupCommandOf<Type extends string, Data> = Command<Type, Data & CommandOptions>;

export interface GroupState extends StreamState {
  readonly foundedAt: Date | undefined;
  readonly dissolved: boolean;
  /** The current members and the position each holds. */
  readonly members: ReadonlyMap<string, Position>;
  readonly interventionIds: ReadonlySet<string>;
}

export const initialGroupState: GroupState = {
  ...emptyStream,
  foundedAt: undefined,
  dissolved: false,
  members: new Map(),
  interventionIds: new Set(),
};

export function isFounded(state: GroupState): boolean {
  return state.foundedAt !== undefined;
}

export function evolveGroup(state: GroupState, event: Effective<GroupEvent>): GroupState {
  const next = advance(state, event.effectiveAt);
  switch (event.type) {
    case 'GroupFounded':
      return { ...next, foundedAt: event.effectiveAt };
    case 'OrganizationJoinedGroup':
      return {
        ...next,
        members: new Map(state.members).set(event.data.organizationId, event.data.position),
      };
    case 'PositionChanged':
      return {
        ...next,
        members: new Map(state.members).set(event.data.organizationId, event.data.position),
      };
    case 'OrganizationLeftGroup': {
      const members = new Map(state.members);
      members.delete(event.data.organizationId);
      return { ...next, members };
    }
    case 'GroupDissolved':
      return { ...next, dissolved: true, members: new Map() };
    case 'InterventionRecorded':
      return {
        ...next,
        interventionIds: new Set(state.interventionIds).add(event.data.interventionId),
      };
    default:
      return assertNever(event);
  }
}

/** What group decisions read from other streams. */
export interface GroupContext extends DecisionTime {
  organization(organizationId: string): OrganizationState;
}

export function decideGroup(
  command: GroupCommand,
  state: GroupState,
  context: GroupContext,
): Decision<GroupEvent> {
  switch (command.type) {
    case 'FoundGroup':
      return foundGroup(command, state, context);
    case 'JoinGroup':
      return joinGroup(command, state, context);
    case 'ChangePosition':
      return changePosition(command, state, context);
    case 'LeaveGroup':
      return leaveGroup(command, state, context);
    case 'DissolveGroup':
      return dissolveGroup(command, state, context);
    default:
      return assertNever(command);
  }
}

export function ensureNotDissolved(state: GroupState, groupId: string): void {
  if (state.dissolved) {
    throw new RuleViolationError('GROUP_DISSOLVED', `group "${groupId}" is dissolved`);
  }
}
