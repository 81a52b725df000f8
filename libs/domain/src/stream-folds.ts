/**
 * A stream's state folded one event at a time by whoever owns it. The evolve functions are
 * folds of values: a group's evolve returns new member and period maps at every event,
 * which made folding a group of n memberships cost n² and deciding on it cost n after
 * every event. A fold here owns its state and changes it in place, so its owner (the
 * command path's cache of recent streams, the audit's verifier) pays per new event only.
 * stream-folds.spec.ts and libs/audit's stream-fold.spec.ts hold each equal to the evolve
 * functions' fold after every event.
 */
import { Effective, assertNever } from './common/command';
import { GroupEvent, GroupState, MembershipPeriod, Position } from './group/group';
import { OrganizationEvent, OrganizationState } from './organization/organization';
import { PartnershipEvent, PartnershipState } from './partnership/partnership';

export interface StreamFold<State, E> {
  /** The state after every event applied so far; it changes as events are applied. */
  readonly state: State;
  apply(event: Effective<E>): void;
}

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

interface OrganizationFields extends Mutable<OrganizationState> {
  interventionIds: Set<string>;
}
interface GroupFields extends Mutable<GroupState> {
  periods: Map<string, MembershipPeriod[]>;
  members: Map<string, Position>;
  interventionIds: Set<string>;
}
interface PartnershipFields extends Mutable<PartnershipState> {
  partyIds: Set<string>;
  arrangementIds: Set<string>;
  interventionIds: Set<string>;
}

export class OrganizationFold {
  readonly category = 'organization';
  private readonly fields: OrganizationFields = {
    version: 0,
    latestEffectiveAt: undefined,
    registeredAt: undefined,
    interventionIds: new Set(),
  };

  get state(): OrganizationState {
    return this.fields;
  }

  apply(event: Effective<OrganizationEvent>): void {
    const state = this.fields;
    state.version++;
    state.latestEffectiveAt = event.effectiveAt;
    switch (event.type) {
      case 'OrganizationRegistered':
        state.registeredAt = event.effectiveAt;
        return;
      case 'CapabilityAssessed':
        return;
      case 'InterventionRecorded':
        state.interventionIds.add(event.data.interventionId);
        return;
      default:
        return assertNever(event);
    }
  }
}

export class GroupFold {
  readonly category = 'group';
  private readonly fields: GroupFields = {
    version: 0,
    latestEffectiveAt: undefined,
    foundedAt: undefined,
    dissolved: false,
    dissolvedAt: undefined,
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
        const opened: MembershipPeriod = { from: event.effectiveAt, until: undefined };
        const periods = state.periods.get(organizationId);
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

  /** As evolveGroup's: only an open last period is closed; anything else stays as it is. */
  private closePeriod(organizationId: string, until: Date): void {
    const periods = this.fields.periods.get(organizationId);
    const open = periods?.at(-1);
    if (periods === undefined || open === undefined || open.until !== undefined) return;
    periods[periods.length - 1] = { from: open.from, until };
  }
}

export class PartnershipFold {
  readonly category = 'partnership';
  private readonly fields: PartnershipFields = {
    version: 0,
    latestEffectiveAt: undefined,
    formed: false,
    ended: false,
    intendedEndAt: undefined,
    partyIds: new Set(),
    arrangementIds: new Set(),
    interventionIds: new Set(),
  };

  get state(): PartnershipState {
    return this.fields;
  }

  apply(event: Effective<PartnershipEvent>): void {
    const state = this.fields;
    state.version++;
    state.latestEffectiveAt = event.effectiveAt;
    switch (event.type) {
      case 'PartnershipFormed':
        state.formed = true;
        state.intendedEndAt = new Date(event.data.intendedEndAt);
        state.partyIds = new Set(event.data.partyIds);
        return;
      case 'ArrangementAgreed':
        state.arrangementIds.add(event.data.arrangementId);
        return;
      case 'PartnershipExtended':
        state.intendedEndAt = new Date(event.data.intendedEndAt);
        return;
      case 'PartnershipEnded':
        state.ended = true;
        return;
      case 'InterventionRecorded':
        state.interventionIds.add(event.data.interventionId);
        return;
      default:
        return assertNever(event);
    }
  }
}

export function organizationFold(): StreamFold<OrganizationState, OrganizationEvent> {
  return new OrganizationFold();
}

export function groupFold(): StreamFold<GroupState, GroupEvent> {
  return new GroupFold();
}

export function partnershipFold(): StreamFold<PartnershipState, PartnershipEvent> {
  return new PartnershipFold();
}
