import { Decision } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { InvalidInputError, NotFoundError, RuleViolationError } from '../common/errors';
import {
  LIMITS,
  optionalDate,
  optionalText,
  requireDate,
  requireId,
  requireText,
} from '../common/input';
import { isDissolvedAt, isFounded, isMemberAt } from '../group/group';
import { isRegistered } from '../organization/organization';
import {
  PartnershipCommandOf,
  PartnershipContext,
  PartnershipEvent,
  PartnershipState,
} from './partnership';

export type FormPartnership = PartnershipCommandOf<
  'FormPartnership',
  {
    readonly partnershipId: string;
    readonly name: string;
    readonly purpose: string | null;
    readonly partyIds: readonly string[];
    readonly groupId: string | null;
    readonly intendedEndAt: Date;
  }
>;

export interface FormPartnershipInput {
  readonly id: string;
  readonly name: unknown;
  readonly purpose?: unknown;
  readonly partyIds: unknown;
  readonly groupId?: unknown;
  readonly intendedEndAt: unknown;
  readonly effectiveAt?: unknown;
}

export function parseFormPartnership(input: FormPartnershipInput): FormPartnership {
  const partyIds = input.partyIds;
  if (!Array.isArray(partyIds)) throw new InvalidInputError('partyIds', 'must be a list of ids');
  if (partyIds.length > LIMITS.parties) {
    throw new InvalidInputError('partyIds', `must hold at most ${LIMITS.parties} parties`);
  }
  return {
    type: 'FormPartnership',
    data: {
      partnershipId: requireId('id', input.id),
      name: requireText('name', input.name, LIMITS.name),
      purpose: optionalText('purpose', input.purpose, LIMITS.longText),
      partyIds: partyIds.map((id: unknown, index) => requireId(`partyIds[${index}]`, id)),
      groupId:
        input.groupId === undefined || input.groupId === null
          ? null
          : requireId('groupId', input.groupId),
      intendedEndAt: requireDate('intendedEndAt', input.intendedEndAt),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function formPartnership(
  command: FormPartnership,
  state: PartnershipState,
  context: PartnershipContext,
): Decision<PartnershipEvent> {
  const { partnershipId, name, purpose, partyIds, groupId, intendedEndAt } = command.data;

  const parties = partyIds.map((id) => {
    const party = context.organization(id);
    if (!isRegistered(party)) throw new NotFoundError('organization', id);
    return party;
  });
  const group = groupId === null ? undefined : context.group(groupId);
  if (groupId !== null && group !== undefined && !isFounded(group)) {
    throw new NotFoundError('group', groupId);
  }

  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, context.now, [
    state.latestEffectiveAt,
    ...parties.map((party) => party.registeredAt),
    group?.foundedAt,
  ]);

  if (state.formed) {
    throw new RuleViolationError(
      'PARTNERSHIP_EXISTS',
      `partnership "${partnershipId}" is already formed`,
    );
  }
  if (partyIds.length < 2) {
    throw new RuleViolationError('TOO_FEW_PARTIES', 'a partnership needs at least two parties');
  }
  const duplicate = partyIds.find((id, index) => partyIds.indexOf(id) !== index);
  if (duplicate !== undefined) {
    throw new RuleViolationError(
      'DUPLICATE_PARTY',
      `organization "${duplicate}" is named as a party more than once`,
    );
  }
  const startsAt = effectiveAt ?? context.now;
  if (intendedEndAt.getTime() <= startsAt.getTime()) {
    throw new RuleViolationError(
      'PARTNERSHIP_MUST_BE_FINITE',
      `intendedEndAt ${intendedEndAt.toISOString()} must lie after the start ${startsAt.toISOString()}`,
    );
  }
  // Judged at the partnership's start: a backdated partnership needs the group as it was then.
  if (groupId !== null && group !== undefined) {
    if (isDissolvedAt(group, effectiveAt)) {
      throw new RuleViolationError(
        'GROUP_DISSOLVED',
        `group "${groupId}" is dissolved at ${startsAt.toISOString()}`,
      );
    }
    const outsider = partyIds.find((id) => !isMemberAt(group, id, effectiveAt));
    if (outsider !== undefined) {
      throw new RuleViolationError(
        'PARTY_NOT_IN_GROUP',
        `organization "${outsider}" is not a member of group "${groupId}" at ${startsAt.toISOString()}`,
      );
    }
  }
  return {
    effectiveAt,
    events: [
      {
        type: 'PartnershipFormed',
        data: {
          partnershipId,
          name,
          purpose,
          partyIds: [...partyIds],
          groupId,
          intendedEndAt: intendedEndAt.toISOString(),
        },
      },
    ],
  };
}
