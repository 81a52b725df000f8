import type { Effective } from '@partnerships/domain/common/command';
import type { DomainEvent } from '@partnerships/domain/commands';
import type { GroupEvent } from '@partnerships/domain/group/group';
import type { OrganizationEvent } from '@partnerships/domain/organization/organization';
import type { PartnershipEvent } from '@partnerships/domain/partnership/partnership';
import { GroupFold, OrganizationFold, PartnershipFold } from '@partnerships/domain/stream-folds';

export type Category = 'organization' | 'group' | 'partnership';

/**
 * A stream's state folded in place, one event at a time, by the domain's own folds
 * (libs/domain/src/stream-folds.ts): the same state the domain's evolve functions reach
 * (stream-fold.spec.ts holds the two equal, event by event, on generated histories),
 * without their copies. evolveGroup returns new member and period
 * maps at every event, as a fold of values must; over a million events with groups of
 * hundreds of members those copies were most of what `audit verify` did. The verifier
 * owns its states and never looks back at an old one, so it may fold in place.
 *
 * `apply` takes only what the verifier lets through: an event of a type the category
 * holds, with valid data, upcast to the current shape.
 */
export type StreamFold = OrganizationFold | GroupFold | PartnershipFold;
export { GroupFold, OrganizationFold, PartnershipFold };

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
