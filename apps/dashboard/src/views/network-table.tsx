/** The same data as the picture, as tables: for screen readers and for copying. */
import { NetworkData } from '../network-data';
import { Change } from '../layout/compare';
import { POSITION_LABEL, TERM_STYLE } from './palette';

export function NetworkTable({
  network,
  changes,
  onSelect,
  onShowMembers,
}: {
  network: NetworkData;
  changes: readonly Change[];
  onSelect: (selected: string) => void;
  /** A large network: asks for a group's members to be loaded (and drawn). */
  onShowMembers: (groupId: string) => void;
}) {
  const names = (id: string) => network.organizations.get(id)?.name ?? id;
  const changeOf = (groupId: string, organizationId: string) =>
    changes.find(
      (change) =>
        (change.kind === 'joined' || change.kind === 'moved') &&
        change.groupId === groupId &&
        change.organizationId === organizationId,
    )?.kind ?? '';
  return (
    <div class="tables">
      {network.large && (
        <table aria-label="Groups" class="group-summary">
          <caption>
            Groups ({network.groups.length} active
            {network.dissolvedGroups > 0 ? `, ${network.dissolvedGroups} dissolved` : ''}): members
            by position. The members of a group are listed below once shown.
          </caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">{POSITION_LABEL.CORE}</th>
              <th scope="col">{POSITION_LABEL.RING}</th>
              <th scope="col">{POSITION_LABEL.FREE_SPACE}</th>
              <th scope="col">Members</th>
            </tr>
          </thead>
          <tbody>
            {network.groups.map((group) => (
              <tr key={group.id} data-group={group.id}>
                <td>
                  <button class="link-button" onClick={() => onSelect(`group:${group.id}`)}>
                    {group.name}
                  </button>
                </td>
                <td data-position="CORE">{group.counts.core}</td>
                <td data-position="RING">{group.counts.ring}</td>
                <td data-position="FREE_SPACE">{group.counts.freeSpace}</td>
                <td>
                  {group.members === null ? (
                    <button class="link-button" onClick={() => onShowMembers(group.id)}>
                      Show members
                    </button>
                  ) : (
                    'listed below'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {network.groups.map(
        (group) =>
          group.members !== null && (
            <table key={group.id} aria-label={`Members of ${group.name}`} data-group={group.id}>
              <caption>
                <button class="link-button" onClick={() => onSelect(`group:${group.id}`)}>
                  {group.name}
                </button>{' '}
                ({group.members.length} members)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Position</th>
                  <th scope="col">Joined</th>
                  <th scope="col">In this position since</th>
                  {changes.length > 0 && <th scope="col">Change</th>}
                </tr>
              </thead>
              <tbody>
                {group.members.map((member) => (
                  <tr key={member.organizationId} data-organization={member.organizationId}>
                    <td>
                      <button
                        class="link-button"
                        onClick={() => onSelect(`organization:${member.organizationId}`)}
                      >
                        {member.name}
                      </button>
                    </td>
                    <td data-position={member.position}>{POSITION_LABEL[member.position]}</td>
                    <td>{day(member.joinedAt)}</td>
                    <td>{day(member.positionSince)}</td>
                    {changes.length > 0 && <td>{changeOf(group.id, member.organizationId)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          ),
      )}
      {network.loose.length > 0 && (
        <table aria-label="Organisations in no group">
          <caption>In no group</caption>
          <thead>
            <tr>
              <th scope="col">Organisation</th>
            </tr>
          </thead>
          <tbody>
            {network.loose.map((id) => (
              <tr key={id} data-organization={id}>
                <td>{names(id)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table aria-label="Active partnerships">
        <caption>
          Active partnerships{network.large ? ' of the groups shown (with their members)' : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Partnership</th>
            <th scope="col">Parties</th>
            <th scope="col">Term</th>
            <th scope="col">Intended end</th>
          </tr>
        </thead>
        <tbody>
          {network.partnerships.map((partnership) => (
            <tr key={partnership.id} data-partnership={partnership.id}>
              <td>
                <button
                  class="link-button"
                  onClick={() => onSelect(`partnership:${partnership.id}`)}
                >
                  {partnership.name}
                </button>
              </td>
              <td>{partnership.partyIds.map(names).join(', ')}</td>
              <td>{TERM_STYLE[partnership.termStatus].label}</td>
              <td>{day(partnership.intendedEndAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function day(iso: string | null | undefined): string {
  return iso === null || iso === undefined ? '' : iso.slice(0, 10);
}
