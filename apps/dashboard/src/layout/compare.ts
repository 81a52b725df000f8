/**
 * What changed between two pictures of the network: who joined or left a group, who moved
 * position, which partnerships formed or ended. Pure, over the page's own shapes.
 */
import { Position } from './rings';

export interface Snapshot {
  readonly groups: readonly {
    readonly id: string;
    readonly name: string;
    readonly members: readonly {
      readonly organizationId: string;
      readonly name: string;
      readonly position: Position;
    }[];
  }[];
  /** Active partnerships at the snapshot's time. */
  readonly partnerships: readonly { readonly id: string; readonly name: string }[];
}

export type Change =
  | {
      kind: 'joined' | 'left';
      groupId: string;
      groupName: string;
      organizationId: string;
      name: string;
      position: Position;
    }
  | {
      kind: 'moved';
      groupId: string;
      groupName: string;
      organizationId: string;
      name: string;
      from: Position;
      to: Position;
    }
  | { kind: 'formed' | 'ended'; partnershipId: string; name: string };

export function compareSnapshots(before: Snapshot, after: Snapshot): Change[] {
  const changes: Change[] = [];
  const membersOf = (snapshot: Snapshot) => {
    const map = new Map<
      string,
      {
        groupId: string;
        groupName: string;
        organizationId: string;
        name: string;
        position: Position;
      }
    >();
    for (const group of snapshot.groups) {
      for (const member of group.members) {
        map.set(`${group.id}|${member.organizationId}`, {
          groupId: group.id,
          groupName: group.name,
          organizationId: member.organizationId,
          name: member.name,
          position: member.position,
        });
      }
    }
    return map;
  };
  const was = membersOf(before);
  const is = membersOf(after);
  for (const [key, member] of is) {
    const earlier = was.get(key);
    if (earlier === undefined) changes.push({ kind: 'joined', ...member });
    else if (earlier.position !== member.position) {
      const { position, ...rest } = member;
      changes.push({ kind: 'moved', ...rest, from: earlier.position, to: position });
    }
  }
  for (const [key, member] of was) {
    if (!is.has(key)) changes.push({ kind: 'left', ...member });
  }
  const wasActive = new Set(before.partnerships.map((p) => p.id));
  const isActive = new Set(after.partnerships.map((p) => p.id));
  for (const partnership of after.partnerships) {
    if (!wasActive.has(partnership.id)) {
      changes.push({ kind: 'formed', partnershipId: partnership.id, name: partnership.name });
    }
  }
  for (const partnership of before.partnerships) {
    if (!isActive.has(partnership.id)) {
      changes.push({ kind: 'ended', partnershipId: partnership.id, name: partnership.name });
    }
  }
  return changes;
}
