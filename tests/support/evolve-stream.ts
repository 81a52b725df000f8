/**
 * The domain's evolve functions for a stream category, folded one event at a time: what
 * the in-place folds (the audit's, the generator's world) are held equal to.
 */
import { evolveGroup, initialGroupState } from '@partnerships/domain/group/group';
import {
  evolveOrganization,
  initialOrganizationState,
} from '@partnerships/domain/organization/organization';
import {
  evolvePartnership,
  initialPartnershipState,
} from '@partnerships/domain/partnership/partnership';

/** The state after `event`, from `state` (undefined: the category's initial state). */
export function evolveStream(category: string, state: unknown, event: unknown): unknown {
  switch (category) {
    case 'organization':
      return evolveOrganization((state ?? initialOrganizationState) as never, event as never);
    case 'group':
      return evolveGroup((state ?? initialGroupState) as never, event as never);
    default:
      return evolvePartnership((state ?? initialPartnershipState) as never, event as never);
  }
}
