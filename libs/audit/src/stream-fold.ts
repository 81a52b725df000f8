import { Effective, assertNever } from '@partnerships/domain/common/command';
import type { DomainEvent } from '@partnerships/domain/commands';
import type {
  GroupEvent,
  GroupState,
  MembershipPeriod,
  Position,
} from '@partnerships/domain/group/group';
import type {
  OrganizationEvent,
  OrganizationState,
} from '@partnerships/domain/organization/organization';
import type {
  PartnershipEvent,
  PartnershipState,
} from '@partnerships/domain/partnership/partnership';

export type Category = 'organization' | 'group' | 'partnership';

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

/**
 * A stream's state folded in place, one event at a time: the same state the domain's
 * evolve functions reach (stream-fold.spec.ts holds the two equal, event by event, on
 * generated histories), without their copies. evolveGroup returns new member and period
 * maps at every event, as a fold of values must; over a million events with groups of
 * hundreds of members those copies were most of what `audit verify` did. The verifier
 * owns its states and never looks back at an old one, so it may fold in place.
 *
 * `apply` takes only what the verifier lets through: an event of a type the category
 * holds, with valid data, upcast to the current shape.
 */
export type StreamFold = OrganizationFold | GroupFold | PartnershipFold;

export function foldFor(category: Category): StreamFold {
  switch (category) {
    case 'organization':
      return new OrganizationFold();
    case 'group':
      return new GroupFold();
    case 'partnership':
      return new PartnershipFold();
  }
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

/** Applies an event of any category to the fold of its stream's category. */
export function applyTo(fold: StreamFold, event: Effective<DomainEvent>): void {
  switch (fold.category) {
    case 'organization':
      return fold.apply(event as Effective<OrganizationEvent>);
    case 'group':
      return fold.apply(event as Effective<GroupEvent>);
    case 'partnership':
      return fold.apply(event as Effective<PartnershipEvent>);
  }
}
