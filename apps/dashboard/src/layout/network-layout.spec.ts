import { DEFAULT_RING_OPTIONS } from './rings';
import { LOOSE_LIST_MAX, layoutNetwork, nodeKey } from './network-layout';

describe('the network layout', () => {
  const groups = [
    {
      id: 'west',
      members: [
        { organizationId: 'acme', position: 'CORE' as const },
        { organizationId: 'north', position: 'RING' as const },
      ],
    },
    {
      id: 'east',
      members: Array.from({ length: 120 }, (_, i) => ({
        organizationId: `org-${i}`,
        position: (['CORE', 'RING', 'FREE_SPACE'] as const)[i % 3]!,
      })).concat([{ organizationId: 'acme', position: 'FREE_SPACE' }]),
    },
  ];

  it('draws an organisation once in every group it belongs to, and loose ones apart', () => {
    const layout = layoutNetwork(groups, ['solo']);
    const keys = layout.nodes.map((n) => n.key);
    expect(keys).toContain(nodeKey('west', 'acme'));
    expect(keys).toContain(nodeKey('east', 'acme'));
    expect(keys).toContain(nodeKey(null, 'solo'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(layout.nodes).toHaveLength(2 + 121 + 1);
  });

  it('never lets two groups, or the loose cluster, overlap', () => {
    const layout = layoutNetwork(
      [...groups, ...groups.map((g) => ({ ...g, id: `${g.id}-2` }))],
      ['solo'],
    );
    const circles = [
      ...layout.groups.map((g) => ({ x: g.cx, y: g.cy, r: g.layout.radius })),
      { x: layout.loose!.cx, y: layout.loose!.cy, r: layout.loose!.radius },
    ];
    for (let i = 0; i < circles.length; i++) {
      for (let j = i + 1; j < circles.length; j++) {
        const a = circles[i]!;
        const b = circles[j]!;
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(a.r + b.r);
      }
    }
    for (const node of layout.nodes) {
      expect(node.x - DEFAULT_RING_OPTIONS.nodeRadius).toBeGreaterThanOrEqual(0);
      expect(node.y - DEFAULT_RING_OPTIONS.nodeRadius).toBeGreaterThanOrEqual(0);
      expect(node.x).toBeLessThanOrEqual(layout.width);
      expect(node.y).toBeLessThanOrEqual(layout.height);
    }
  });

  it('gives the same picture for the same network in any input order', () => {
    const shuffled = groups.map((g) => ({ ...g, members: [...g.members].reverse() }));
    expect(layoutNetwork(shuffled, []).nodes).toEqual(layoutNetwork(groups, []).nodes);
  });

  it('draws a group from its counts with the rings it has once its members are in', () => {
    const east = groups[1]!;
    const counts = { core: 0, ring: 0, freeSpace: 0 };
    for (const member of east.members) {
      if (member.position === 'CORE') counts.core++;
      else if (member.position === 'RING') counts.ring++;
      else counts.freeSpace++;
    }
    const full = layoutNetwork([east], [], { order: 'given' });
    const summary = layoutNetwork([{ id: 'east', members: null, counts }], [], { order: 'given' });
    expect(summary.groups[0]!.layout.bands).toEqual(full.groups[0]!.layout.bands);
    expect(summary.groups[0]!.cx).toBe(full.groups[0]!.cx);
    expect(summary.nodes).toEqual([]);
  });

  it('in the given order, rows as wide as before, groups arriving later leave the others in place', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      id: `g${i}`,
      members: null,
      counts: { core: i % 7, ring: (3 * i) % 11, freeSpace: 40 + i },
    }));
    const options = { order: 'given' as const, expectedGroups: many.length };
    const early = layoutNetwork(many.slice(0, 10), [], options);
    const late = layoutNetwork(many, [], options);
    for (const group of early.groups) {
      const again = late.groups.find((g) => g.id === group.id)!;
      expect([again.cx, again.cy]).toEqual([group.cx, group.cy]);
    }
  });

  it('lists a few organisations in no group with room for their names, packs many as a disc', () => {
    const few = layoutNetwork([], ['e', 'd', 'c', 'b', 'a']).loose!;
    expect(few.shape).toBe('list');
    const listed = layoutNetwork([], ['e', 'd', 'c', 'b', 'a']).nodes;
    // One column, in name order, a row apart, all at the same x.
    expect(listed.map((node) => node.organizationId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(new Set(listed.map((node) => node.x)).size).toBe(1);
    expect(listed[1]!.y - listed[0]!.y).toBeGreaterThanOrEqual(20);
    // The box leaves a column's room for the names right of the dots.
    expect(few.cx + few.width / 2 - listed[0]!.x).toBeGreaterThanOrEqual(150);
    const many = layoutNetwork(
      [],
      Array.from({ length: LOOSE_LIST_MAX + 1 }, (_, i) => `org-${i}`),
    ).loose!;
    expect(many.shape).toBe('disc');
    expect(many.width).toBe(2 * many.radius);
  });
});
