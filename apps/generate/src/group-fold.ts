import { Effective } from '@partnerships/domain/common/command';
import { GroupEvent, GroupState } from '@partnerships/domain/group/group';
import { StreamFold, groupFold } from '@partnerships/domain/stream-folds';
import { PickList } from './pick-list';

/**
 * A group's state for the simulation: the domain's in-place fold (evolveGroup copies the
 * member and period maps at every event, which was most of the time a generated history
 * took), plus the current members in a list to pick from at random. The decisions still go
 * through the domain's deciders on a GroupState; simulation.spec.ts checks that this state
 * and evolveGroup's agree on every group of a generated history.
 */
export class GroupFold {
  private readonly fold: StreamFold<GroupState, GroupEvent> = groupFold();
  /** The current members, to pick from at random. */
  readonly memberIds = new PickList();

  get state(): GroupState {
    return this.fold.state;
  }

  apply(event: Effective<GroupEvent>): void {
    switch (event.type) {
      case 'OrganizationJoinedGroup':
        this.memberIds.push(event.data.organizationId);
        break;
      case 'OrganizationLeftGroup':
        this.memberIds.remove(event.data.organizationId);
        break;
      case 'GroupDissolved':
        for (const organizationId of this.fold.state.members.keys()) {
          this.memberIds.remove(organizationId);
        }
        break;
      default:
        break;
    }
    this.fold.apply(event);
  }
}
