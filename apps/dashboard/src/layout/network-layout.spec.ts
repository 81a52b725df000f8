import { DEFAULT_RING_OPTIONS } from './rings';
import { layoutNetwork, nodeKey } from './network-layout';

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
});
