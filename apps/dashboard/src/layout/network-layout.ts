/**
 * Where each group's rings go on the page, and where every dot ends up. Groups are packed
 * in rows, largest first so the rows stay even (or in the given order, so that groups
 * arriving page by page are added after the ones already drawn; these move only when the
 * rows' width estimate changes); organisations in no group form
 * a cluster of their own: a list with room for their names while they are few, a disc
 * when they are many. A group whose members are not loaded is sized by its counts.
 * Pure: the same network always gives the same picture.
 */
import {
  DEFAULT_RING_OPTIONS,
  GroupLayout,
  Position,
  PositionCounts,
  RingOptions,
  layoutBands,
  layoutGroup,
} from './rings';

export interface LayoutGroupInput {
  readonly id: string;
  /** null: not loaded; the group is drawn from `counts`, without dots. */
  readonly members:
    readonly { readonly organizationId: string; readonly position: Position }[] | null;
  readonly counts?: PositionCounts;
}

export interface LayoutOptions {
  readonly rings?: RingOptions;
  /** The narrowest the rows are; wider when the groups need it, so the picture stays squarish. */
  readonly targetWidth?: number;
  /** 'size': largest first; 'given': the input order. */
  readonly order?: 'size' | 'given';
  /** How many groups there will be in all, when only some have arrived (for the width). */
  readonly expectedGroups?: number;
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
  /**
   * The cluster of organisations in no group, when there are any: its centre, its box
   * (a disc's is its square) and the radius the rows of groups make room for.
   */
  readonly loose: {
    readonly cx: number;
    readonly cy: number;
    readonly radius: number;
    readonly width: number;
    readonly height: number;
    readonly shape: 'list' | 'disc';
  } | null;
  readonly width: number;
  readonly height: number;
}

/** At most this many organisations in no group are listed with room for their names. */
export const LOOSE_LIST_MAX = 30;
/** A listed name's row, its column's width (room for about 25 characters), rows per column. */
const LIST_ROW = 22;
const LIST_COLUMN = 170;
const LIST_ROWS = 10;

export const nodeKey = (groupId: string | null, organizationId: string): string =>
  `${groupId ?? ''}|${organizationId}`;

export function layoutNetwork(
  groups: readonly LayoutGroupInput[],
  looseOrganizationIds: readonly string[],
  layoutOptions: LayoutOptions = {},
): NetworkLayout {
  const options = layoutOptions.rings ?? DEFAULT_RING_OPTIONS;
  const margin = 60;
  const laid = groups.map((group) => ({
    id: group.id,
    layout:
      group.members === null
        ? {
            ...layoutBands(group.counts ?? { core: 0, ring: 0, freeSpace: 0 }, options),
            members: [],
          }
        : layoutGroup(
            [...group.members]
              .sort((a, b) => (a.organizationId < b.organizationId ? -1 : 1))
              .map((member) => ({ id: member.organizationId, position: member.position })),
            options,
          ),
  }));
  const loose =
    looseOrganizationIds.length === 0
      ? null
      : looseOrganizationIds.length <= LOOSE_LIST_MAX
        ? { id: null, layout: layoutList([...looseOrganizationIds].sort(), options) }
        : {
            id: null,
            layout: {
              ...layoutGroup(
                [...looseOrganizationIds]
                  .sort()
                  .map((id) => ({ id, position: 'CORE' as Position })),
                { ...options, minBandWidth: 0 },
              ),
              shape: 'disc' as const,
            },
          };
  const boxes: { id: string | null; layout: { radius: number } }[] = [
    ...laid,
    ...(loose === null ? [] : [loose]),
  ];
  if (layoutOptions.order !== 'given') boxes.sort((a, b) => b.layout.radius - a.layout.radius);
  // Rows about as wide as the whole is tall (a little wider, like a screen).
  let area = 0;
  for (const box of boxes) area += (2 * box.layout.radius + margin) ** 2;
  const expected = Math.max(layoutOptions.expectedGroups ?? 0, boxes.length);
  const targetWidth = Math.max(
    layoutOptions.targetWidth ?? 1200,
    1.3 * Math.sqrt((area * expected) / Math.max(boxes.length, 1)),
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
    const { radius, shape } = loose.layout;
    const box = 'width' in loose.layout ? loose.layout : { width: 2 * radius, height: 2 * radius };
    looseCluster = { ...centre, radius, width: box.width, height: box.height, shape };
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

/**
 * Organisations in no group as a list: columns of up to ten dots, each with a column's
 * width to its right for the name. Offsets from the list's centre, as a group's are.
 */
function layoutList(
  ids: readonly string[],
  options: RingOptions,
): {
  members: { id: string; x: number; y: number }[];
  radius: number;
  width: number;
  height: number;
  shape: 'list';
} {
  const rows = Math.min(ids.length, LIST_ROWS);
  const columns = Math.ceil(ids.length / LIST_ROWS);
  const width = columns * LIST_COLUMN;
  const height = (rows - 1) * LIST_ROW + 2 * options.nodeRadius;
  const members = ids.map((id, index) => ({
    id,
    x: -width / 2 + options.nodeRadius + Math.floor(index / LIST_ROWS) * LIST_COLUMN,
    y: -height / 2 + options.nodeRadius + (index % LIST_ROWS) * LIST_ROW,
  }));
  return { members, radius: Math.max(width, height) / 2, width, height, shape: 'list' };
}
