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

/** One period of an organisation's membership, in valid time: [from, until). */
export interface MembershipPeriod {
  readonly from: Date;
  readonly until: Date | undefined;
}

export interface GroupState extends StreamState {
  readonly foundedAt: Date | undefined;
  readonly dissolved: boolean;
  readonly dissolvedAt: Date | undefined;
  /** Every membership period of every organisation that ever joined, oldest first. */
  readonly periods: ReadonlyMap<string, readonly MembershipPeriod[]>;
  /** The current members and the position each holds. */
  readonly members: ReadonlyMap<string, Position>;
  readonly interventionIds: ReadonlySet<string>;
}

export const initialGroupState: GroupState = Object.assign({}, emptyStream, {
  foundedAt: undefined,
  dissolved: false,
  dissolvedAt: undefined,
  periods: new Map(),
  members: new Map(),
  interventionIds: new Set(),
} satisfies Omit<GroupState, keyof StreamState>);

export function isFounded(state: GroupState): boolean {
  return state.foundedAt !== undefined;
}

export function evolveGroup(state: GroupState, event: Effective<GroupEvent>): GroupState {
  const next = advance(state, event.effectiveAt);
  switch (event.type) {
    case 'GroupFounded':
      return Object.assign({}, next, { foundedAt: event.effectiveAt });
    case 'OrganizationJoinedGroup': {
      const { organizationId } = event.data;
      const periods = state.periods.get(organizationId) ?? [];
      return Object.assign({}, next, {
        members: new Map(state.members).set(organizationId, event.data.position),
        periods: new Map(state.periods).set(organizationId, [
          ...periods,
          { from: event.effectiveAt, until: undefined },
        ]),
      });
    }
    case 'PositionChanged':
      return Object.assign({}, next, {
        members: new Map(state.members).set(event.data.organizationId, event.data.position),
      });
    case 'OrganizationLeftGroup': {
      const members = new Map(state.members);
      members.delete(event.data.organizationId);
      const periods = new Map(state.periods);
      closePeriod(periods, event.data.organizationId, event.effectiveAt);
      return Object.assign({}, next, { members, periods });
    }
    case 'GroupDissolved': {
      const periods = new Map(state.periods);
      for (const organizationId of state.members.keys()) {
        closePeriod(periods, organizationId, event.effectiveAt);
      }
      return Object.assign({}, next, {
        dissolved: true,
        dissolvedAt: event.effectiveAt,
        members: new Map(),
        periods,
      });
    }
    case 'InterventionRecorded':
      return Object.assign({}, next, {
        interventionIds: new Set(state.interventionIds).add(event.data.interventionId),
      });
    default:
      return assertNever(event);
  }
}

function closePeriod(
  periods: Map<string, readonly MembershipPeriod[]>,
  organizationId: string,
  until: Date,
): void {
  const own = periods.get(organizationId) ?? [];
  const open = own.at(-1);
  if (open === undefined || open.until !== undefined) return;
  periods.set(organizationId, [...own.slice(0, -1), { from: open.from, until }]);
}

/**
 * Whether the organisation was a member at a moment of valid time, as the stream is
 * recorded now; `at` undefined is the moment of recording, after everything recorded.
 */
export function isMemberAt(
  state: GroupState,
  organizationId: string,
  at: Date | undefined,
): boolean {
  if (at === undefined) return state.members.has(organizationId);
  const time = at.getTime();
  return (state.periods.get(organizationId) ?? []).some(
    ({ from, until }) => from.getTime() <= time && (until === undefined || time < until.getTime()),
  );
}

/** Whether the group was dissolved at a moment of valid time (undefined: at recording). */
export function isDissolvedAt(state: GroupState, at: Date | undefined): boolean {
  if (at === undefined || state.dissolvedAt === undefined) return state.dissolved;
  return state.dissolvedAt.getTime() <= at.getTime();
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
