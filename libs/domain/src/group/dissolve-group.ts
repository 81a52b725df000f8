import { Decision, DecisionTime } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { checkExpectedVersion } from '../common/expected-version';
import { NotFoundError } from '../common/errors';
import { LIMITS, optionalDate, optionalText, optionalVersion, requireId } from '../common/input';
import {
  GroupCommandOf,
  GroupEvent,
  GroupState,
  ensureNotDissolved,
  groupStream,
  isFounded,
} from './group';

export type DissolveGroup = GroupCommandOf<
  'DissolveGroup',
  { readonly groupId: string; readonly reason: string | null }
>;

export interface DissolveGroupInput {
  readonly groupId: unknown;
  readonly reason?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseDissolveGroup(input: DissolveGroupInput): DissolveGroup {
  return {
    type: 'DissolveGroup',
    data: {
      groupId: requireId('groupId', input.groupId),
      reason: optionalText('reason', input.reason, LIMITS.longText),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

/** Every membership ends at that moment: GroupDissolved alone ends them. */
export function dissolveGroup(
  command: DissolveGroup,
  state: GroupState,
  { now }: DecisionTime,
): Decision<GroupEvent> {
  const { groupId, reason } = command.data;
  if (!isFounded(state)) throw new NotFoundError('group', groupId);
  checkExpectedVersion(groupStream(groupId), command.data, state);
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  ensureNotDissolved(state, groupId);
  return { effectiveAt, events: [{ type: 'GroupDissolved', data: { groupId, reason } }] };
}
