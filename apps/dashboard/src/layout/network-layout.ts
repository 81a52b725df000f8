/**
 * Where each group's rings go on the page, and where every dot ends up. Groups are packed
 * in rows, largest first so the rows stay even; organisations in no group form a cluster
 * of their own. Pure: the same network always gives the same picture.
 */
import { DEFAULT_RING_OPTIONS, GroupLayout, Position, RingOptions, layoutGroup } from './rings';

export interface LayoutGroupInput {
  readonly id: string;
  readonly members: readonly { readonly organizationId: string; readonly position: Position }[];
}

export interface PlacedGroup {
  readonly id: string;
  readonly cx: number;
  readonly cy: number;
  readonly layout: GroupLayout;
}

export interface PlacedNode {
  /** `<groupId>|<organizationId>`, or `|<organizationId>` outside every group. */
  readonly key: string;
  readonly groupId: string | null;
  readonly organizationId: string;
  readonly position: Position | null;
  readonly x: number;
  readonly y: number;
}

export interface NetworkLayout {
  readonly groups: readonly PlacedGroup[];
  readonly nodes: readonly PlacedNode[];
  /** The cluster of organisations in no group, when there are any. */
  readonly loose: { readonly cx: number; readonly cy: number; readonly radius: number } | null;
  readonly width: number;
  readonly height: number;
}

export const nodeKey = (groupId: string | null, organizationId: string): string =>
  `${groupId ?? ''}|${organizationId}`;

export function layoutNetwork(
  groups: readonly LayoutGroupInput[],
  looseOrganizationIds: readonly string[],
  options: RingOptions = DEFAULT_RING_OPTIONS,
  targetWidth = 1200,
): NetworkLayout {
  const margin = 60;
  const laid = groups.map((group) => ({
    id: group.id,
    layout: layoutGroup(
      [...group.members]
        .sort((a, b) => (a.organizationId < b.organizationId ? -1 : 1))
        .map((member) => ({ id: member.organizationId, position: member.position })),
      options,
    ),
  }));
  const loose =
    looseOrganizationIds.length > 0
      ? {
          id: null,
          layout: layoutGroup(
            [...looseOrganizationIds].sort().map((id) => ({ id, position: 'CORE' as Position })),
            { ...options, minBandWidth: 0 },
          ),
        }
      : null;
  const boxes = [...laid, ...(loose === null ? [] : [loose])].sort(
    (a, b) => b.layout.radius - a.layout.radius,
  );
  const centres = new Map<string | null, { cx: number; cy: number }>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const box of boxes) {
    const size = 2 * box.layout.radius + margin;
    if (x > 0 && x + size > targetWidth) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    centres.set(box.id, { cx: x + size / 2, cy: y + size / 2 });
    x += size;
    rowHeight = Math.max(rowHeight, size);
    width = Math.max(width, x);
  }
  const placedGroups = laid.map((group) => ({ ...group, ...centres.get(group.id)! }));
  const nodes: PlacedNode[] = [];
  for (const group of placedGroups) {
    for (const member of group.layout.members) {
      nodes.push({
        key: nodeKey(group.id, member.id),
        groupId: group.id,
        organizationId: member.id,
        position: member.position,
        x: group.cx + member.x,
        y: group.cy + member.y,
      });
    }
  }
  let looseCluster: NetworkLayout['loose'] = null;
  if (loose !== null) {
    const centre = centres.get(null)!;
    looseCluster = { ...centre, radius: loose.layout.radius };
    for (const member of loose.layout.members) {
      nodes.push({
        key: nodeKey(null, member.id),
        groupId: null,
        organizationId: member.id,
        position: null,
        x: centre.cx + member.x,
        y: centre.cy + member.y,
      });
    }
  }
  return { groups: placedGroups, nodes, loose: looseCluster, width, height: y + rowHeight };
}
