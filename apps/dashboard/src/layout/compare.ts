/**
 * What changed between two pictures of the network: who joined or left a group, who moved
 * position, which partnerships formed or ended. Pure, over the page's own shapes.
 */
import { Position } from './rings';

export interface Snapshot {
  readonly groups: readonly {
    readonly id: string;
    readonly name: string;
    /** null: not loaded; such a group is compared in neither snapshot. */
    readonly members:
      | readonly {
          readonly organizationId: string;
          readonly name: string;
          readonly position: Position;
        }[]
      | null;
  }[];
  /** Active partnerships at the snapshot's time (of the loaded groups, in a large network). */
  readonly partnerships: readonly {
    readonly id: string;
    readonly name: string;
    readonly groupId: string | null;
  }[];
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

/**
 * Only what both snapshots hold is compared: a group whose members were loaded in one of
 * them only (a large network's overview) says nothing about who joined or left it, and
 * then only the partnerships of groups loaded in both are compared.
 */
export function compareSnapshots(before: Snapshot, after: Snapshot): Change[] {
  const changes: Change[] = [];
  const loadedIn = (snapshot: Snapshot) =>
    new Set(snapshot.groups.filter((group) => group.members !== null).map((group) => group.id));
  const partial = [...before.groups, ...after.groups].some((group) => group.members === null);
  const earlier = loadedIn(before);
  const compared = new Set([...loadedIn(after)].filter((id) => earlier.has(id)));
  const beforeIds = new Set(before.groups.map((group) => group.id));
  // A group founded in between is compared whole: everyone in it joined.
  for (const group of after.groups) {
    if (group.members !== null && !beforeIds.has(group.id)) compared.add(group.id);
  }
  const partnershipsOf = (snapshot: Snapshot) =>
    partial
      ? snapshot.partnerships.filter((p) => p.groupId !== null && compared.has(p.groupId))
      : snapshot.partnerships;
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
      if (group.members === null || (partial && !compared.has(group.id))) continue;
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
  const wasActive = new Set(partnershipsOf(before).map((p) => p.id));
  const isActive = new Set(partnershipsOf(after).map((p) => p.id));
  for (const partnership of partnershipsOf(after)) {
    if (!wasActive.has(partnership.id)) {
      changes.push({ kind: 'formed', partnershipId: partnership.id, name: partnership.name });
    }
  }
  for (const partnership of partnershipsOf(before)) {
    if (!isActive.has(partnership.id)) {
      changes.push({ kind: 'ended', partnershipId: partnership.id, name: partnership.name });
    }
  }
  return changes;
}
