import { Decision, DecisionTime } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { RuleViolationError } from '../common/errors';
import { LIMITS, optionalDate, optionalText, requireId, requireText } from '../common/input';
import { GroupCommandOf, GroupEvent, GroupState, isFounded } from './group';

export type FoundGroup = GroupCommandOf<
  'FoundGroup',
  { readonly groupId: string; readonly name: string; readonly purpose: string | null }
>;

export interface FoundGroupInput {
  readonly id: string;
  readonly name: unknown;
  readonly purpose?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseFoundGroup(input: FoundGroupInput): FoundGroup {
  return {
    type: 'FoundGroup',
    data: {
      groupId: requireId('id', input.id),
      name: requireText('name', input.name, LIMITS.name),
      purpose: optionalText('purpose', input.purpose, LIMITS.longText),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function foundGroup(
  command: FoundGroup,
  state: GroupState,
  { now }: DecisionTime,
): Decision<GroupEvent> {
  const { groupId, name, purpose } = command.data;
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  if (isFounded(state)) {
    throw new RuleViolationError('GROUP_EXISTS', `group "${groupId}" is already founded`);
  }
  return { effectiveAt, events: [{ type: 'GroupFounded', data: { groupId, name, purpose } }] };
}
