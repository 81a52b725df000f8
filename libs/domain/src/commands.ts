/**
 * Every command of the product in one place: which stream it addresses, which other
 * streams it reads, and which decider decides it.
 */
import { Decision, Effective, assertNever } from './common/command';
import {
  InterventionTarget,
  RecordIntervention,
  recordIntervention,
} from './intervention/record-intervention';
import {
  GroupCommand,
  GroupEvent,
  GroupState,
  decideGroup,
  ensureNotDissolved,
  groupStream,
  isFounded,
} from './group/group';
import {
  OrganizationCommand,
  OrganizationEvent,
  OrganizationState,
  decideOrganization,
  isRegistered,
  organizationStream,
} from './organization/organization';
import {
  PartnershipCommand,
  PartnershipEvent,
  PartnershipState,
  decidePartnership,
  ensureActive,
  partnershipStream,
} from './partnership/partnership';
import { StreamFold, groupFold, organizationFold, partnershipFold } from './stream-folds';

export type DomainCommand =
  OrganizationCommand | GroupCommand | PartnershipCommand | RecordIntervention;
export type DomainEvent = OrganizationEvent | GroupEvent | PartnershipEvent;

/** The current state of every stream a command reads, folded by the caller. */
export interface StreamStates {
  organization(organizationId: string): OrganizationState;
  group(groupId: string): GroupState;
  partnership(partnershipId: string): PartnershipState;
}

/** The stream a command records its events in. */
export function addressedStream(command: DomainCommand): string {
  switch (command.type) {
    case 'RegisterOrganization':
    case 'AssessCapability':
      return organizationStream(command.data.organizationId);
    case 'FoundGroup':
    case 'JoinGroup':
    case 'ChangePosition':
    case 'LeaveGroup':
    case 'DissolveGroup':
      return groupStream(command.data.groupId);
    case 'FormPartnership':
    case 'AgreeArrangement':
    case 'ExtendPartnership':
    case 'EndPartnership':
      return partnershipStream(command.data.partnershipId);
    case 'RecordIntervention':
      return targetStream(command.data.target);
    default:
      return assertNever(command);
  }
}

function targetStream({ kind, id }: InterventionTarget): string {
  switch (kind) {
    case 'organization':
      return organizationStream(id);
    case 'group':
      return groupStream(id);
    case 'partnership':
      return partnershipStream(id);
    default:
      return assertNever(kind);
  }
}

/** Every stream a command's decision reads: the addressed one first. */
export function streamsRead(command: DomainCommand): string[] {
  const streams = [addressedStream(command)];
  switch (command.type) {
    case 'JoinGroup':
    case 'ChangePosition':
    case 'LeaveGroup':
      streams.push(organizationStream(command.data.organizationId));
      break;
    case 'FormPartnership':
      streams.push(...new Set(command.data.partyIds.map(organizationStream)));
      if (command.data.groupId !== null) streams.push(groupStream(command.data.groupId));
      break;
    default:
      break;
  }
  return streams;
}

/**
 * The streams other than the addressed one whose later change could change the decision:
 * it is recorded only if they are still at the versions read (docs/domain.md, "Decisions
 * across streams"). An organisation is not among them: the only fact decisions read of it,
 * its registration and when it took effect, never changes once recorded.
 */
export function streamsDecidedOn(command: DomainCommand): string[] {
  if (command.type === 'FormPartnership' && command.data.groupId !== null) {
    return [groupStream(command.data.groupId)];
  }
  return [];
}

export function decideCommand(
  command: DomainCommand,
  states: StreamStates,
  now: Date,
): Decision<DomainEvent> {
  switch (command.type) {
    case 'RegisterOrganization':
    case 'AssessCapability':
      return decideOrganization(command, states.organization(command.data.organizationId), {
        now,
      });
    case 'FoundGroup':
    case 'JoinGroup':
    case 'ChangePosition':
    case 'LeaveGroup':
    case 'DissolveGroup':
      return decideGroup(command, states.group(command.data.groupId), {
        now,
        organization: (id) => states.organization(id),
      });
    case 'FormPartnership':
    case 'AgreeArrangement':
    case 'ExtendPartnership':
    case 'EndPartnership':
      return decidePartnership(command, states.partnership(command.data.partnershipId), {
        now,
        organization: (id) => states.organization(id),
        group: (id) => states.group(id),
      });
    case 'RecordIntervention':
      return decideIntervention(command, states, now);
    default:
      return assertNever(command);
  }
}

/** An intervention is decided against its target's stream, whichever kind it is. */
function decideIntervention(
  command: RecordIntervention,
  states: StreamStates,
  now: Date,
): Decision<DomainEvent> {
  const { kind, id } = command.data.target;
  const streamId = targetStream(command.data.target);
  switch (kind) {
    case 'organization': {
      const state = states.organization(id);
      const target = Object.assign({}, state, { exists: isRegistered(state) });
      return recordIntervention(command, target, streamId, { now }, () => undefined);
    }
    case 'group': {
      const state = states.group(id);
      const target = Object.assign({}, state, { exists: isFounded(state) });
      return recordIntervention(command, target, streamId, { now }, () =>
        ensureNotDissolved(state, id),
      );
    }
    case 'partnership': {
      const state = states.partnership(id);
      const target = Object.assign({}, state, { exists: state.formed });
      return recordIntervention(command, target, streamId, { now }, () => ensureActive(state, id));
    }
    default:
      return assertNever(kind);
  }
}

/** Folds the events of one stream, named by its id, into that stream's state. */
export const fold = {
  organization: (events: readonly Effective<OrganizationEvent>[]): OrganizationState =>
    foldAll(organizationFold(), events),
  group: (events: readonly Effective<GroupEvent>[]): GroupState => foldAll(groupFold(), events),
  partnership: (events: readonly Effective<PartnershipEvent>[]): PartnershipState =>
    foldAll(partnershipFold(), events),
};

function foldAll<State, E>(into: StreamFold<State, E>, events: readonly Effective<E>[]): State {
  for (const event of events) into.apply(event);
  return into.state;
}

/** Splits a stream id into its category and the entity id. */
export function parseStreamId(
  streamId: string,
): { category: 'organization' | 'group' | 'partnership'; id: string } | undefined {
  const match = /^(organization|group|partnership)-(.+)$/.exec(streamId);
  if (match === null) return undefined;
  return { category: match[1] as 'organization' | 'group' | 'partnership', id: match[2] };
}
