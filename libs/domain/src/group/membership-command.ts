import { resolveEffectiveTime } from '../common/effective-time';
import { checkExpectedVersion } from '../common/expected-version';
import { NotFoundError } from '../common/errors';
import { CommandOptions } from '../common/command';
import { isRegistered } from '../organization/organization';
import { GroupContext, GroupState, groupStream, isFounded } from './group';

/**
 * Steps 3-5 of the command order for commands about one organisation in one group:
 * both exist, the expected version matches, the valid time is acceptable.
 */
export function checkMembershipCommand(
  data: CommandOptions & { readonly groupId: string; readonly organizationId: string },
  state: GroupState,
  context: GroupContext,
): Date | undefined {
  if (!isFounded(state)) throw new NotFoundError('group', data.groupId);
  const organization = context.organization(data.organizationId);
  if (!isRegistered(organization)) throw new NotFoundError('organization', data.organizationId);
  checkExpectedVersion(groupStream(data.groupId), data, state);
  return resolveEffectiveTime(data.effectiveAt, context.now, [
    state.latestEffectiveAt,
    organization.registeredAt,
  ]);
}
