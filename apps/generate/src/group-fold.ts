import { Effective, assertNever } from '@partnerships/domain/common/command';
import {
  GroupEvent,
  GroupState,
  MembershipPeriod,
  Position,
  initialGroupState,
} from '@partnerships/domain/group/group';
import { PickList } from './pick-list';

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

interface GroupFields extends Mutable<GroupState> {
  periods: Map<string, MembershipPeriod[]>;
  members: Map<string, Position>;
  interventionIds: Set<string>;
}

/**
 * A group's state, folded in place. The domain's evolveGroup returns a new state with new
 * member and period maps at every event, as a fold of values must; for the simulation,
 * which owns its states and never looks at an old one, that copying (and collecting) was
 * most of the time a generated history took. The decisions still go through the domain's
 * deciders on a GroupState; simulation.spec.ts checks that this fold and evolveGroup's
 * agree on every group of a generated history.
 */
export class GroupFold {
  private readonly fields: GroupFields = {
    ...initialGroupState,
    periods: new Map(),
    members: new Map(),
    interventionIds: new Set(),
  };
  /** The current members, to pick from at random. */
  readonly memberIds = new PickList();

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
        this.memberIds.push(organizationId);
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
        this.memberIds.remove(event.data.organizationId);
        this.closePeriod(event.data.organizationId, event.effectiveAt);
        return;
      case 'GroupDissolved':
        for (const organizationId of state.members.keys()) {
          this.closePeriod(organizationId, event.effectiveAt);
          this.memberIds.remove(organizationId);
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
