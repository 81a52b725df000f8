/**
 * A stream's state folded one event at a time by whoever owns it. The evolve functions are
 * folds of values: a group's evolve returns new member and period maps at every event,
 * which made folding a group of n memberships cost n² and deciding on it cost n after
 * every event. A fold here owns its state and changes it in place, so its owner (the
 * command path's cache of recent streams) pays per new event only. stream-folds.spec.ts
 * checks each against the evolve functions' fold.
 */
import { Effective, assertNever } from './common/command';
import {
  GroupEvent,
  GroupState,
  MembershipPeriod,
  Position,
  initialGroupState,
} from './group/group';
import {
  OrganizationEvent,
  OrganizationState,
  evolveOrganization,
  initialOrganizationState,
} from './organization/organization';
import {
  PartnershipEvent,
  PartnershipState,
  evolvePartnership,
  initialPartnershipState,
} from './partnership/partnership';

export interface StreamFold<State, E> {
  /** The state after every event applied so far; it changes as events are applied. */
  readonly state: State;
  apply(event: Effective<E>): void;
}

/** A fold through an evolve function, for states whose copies are small. */
class ValueFold<State, E> implements StreamFold<State, E> {
  constructor(
    private readonly evolve: (state: State, event: Effective<E>) => State,
    public state: State,
  ) {}

  apply(event: Effective<E>): void {
    this.state = this.evolve(this.state, event);
  }
}

export function organizationFold(): StreamFold<OrganizationState, OrganizationEvent> {
  return new ValueFold(evolveOrganization, initialOrganizationState);
}

export function partnershipFold(): StreamFold<PartnershipState, PartnershipEvent> {
  return new ValueFold(evolvePartnership, initialPartnershipState);
}

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

interface GroupFields extends Mutable<GroupState> {
  periods: Map<string, MembershipPeriod[]>;
  members: Map<string, Position>;
  interventionIds: Set<string>;
}

/** A group folded in place: what evolveGroup does, without copying the maps. */
class GroupFold implements StreamFold<GroupState, GroupEvent> {
  private readonly fields: GroupFields = {
    ...initialGroupState,
    periods: new Map(),
    members: new Map(),
    interventionIds: new Set(),
  };

  get state(): GroupState {
    return this.fields;
  }

  apply(event: Effective<GroupEvent>): void {
    const state = this.fields;
    state.version++;
    state.latestEffectiveAt = event.effectiveAt;
    switch (event.type) {
      case 'GroupFounded':
        state.foundedAt = event.effectiveAt;
        return;
      case 'OrganizationJoinedGroup': {
        const { organizationId, position } = event.data;
        state.members.set(organizationId, position);
        const periods = state.periods.get(organizationId);
        const opened = { from: event.effectiveAt, until: undefined };
        if (periods === undefined) state.periods.set(organizationId, [opened]);
        else periods.push(opened);
        return;
      }
      case 'PositionChanged':
        state.members.set(event.data.organizationId, event.data.position);
        return;
      case 'OrganizationLeftGroup':
        state.members.delete(event.data.organizationId);
        this.closePeriod(event.data.organizationId, event.effectiveAt);
        return;
      case 'GroupDissolved':
        for (const organizationId of state.members.keys()) {
          this.closePeriod(organizationId, event.effectiveAt);
        }
        state.members.clear();
        state.dissolved = true;
        state.dissolvedAt = event.effectiveAt;
        return;
      case 'InterventionRecorded':
        state.interventionIds.add(event.data.interventionId);
        return;
      default:
        return assertNever(event);
    }
  }

  private closePeriod(organizationId: string, until: Date): void {
    const periods = this.fields.periods.get(organizationId);
    const open = periods?.at(-1);
    if (periods === undefined || open === undefined || open.until !== undefined) return;
    periods[periods.length - 1] = { from: open.from, until };
  }
}

export function groupFold(): StreamFold<GroupState, GroupEvent> {
  return new GroupFold();
}
