import { BANDS, DEFAULT_RING_OPTIONS, Position, layoutGroup, trackCapacity } from './rings';

function members(core: number, ring: number, free: number) {
  const list: { id: string; position: Position }[] = [];
  const add = (n: number, position: Position) => {
    for (let i = 0; i < n; i++) list.push({ id: `${position}-${i}`, position });
  };
  add(core, 'CORE');
  add(ring, 'RING');
  add(free, 'FREE_SPACE');
  return list;
}

function closestPair(points: readonly { x: number; y: number }[]): number {
  let best = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      best = Math.min(best, Math.hypot(points[i]!.x - points[j]!.x, points[i]!.y - points[j]!.y));
    }
  }
  return best;
}

describe('the ring layout', () => {
  const { nodeRadius } = DEFAULT_RING_OPTIONS;

  it('places every member exactly once, in its own band', () => {
    const layout = layoutGroup(members(3, 10, 40));
    expect(layout.members.map((m) => m.id).sort()).toEqual(
      members(3, 10, 40)
        .map((m) => m.id)
        .sort(),
    );
    for (const member of layout.members) {
      const band = layout.bands.find((b) => b.position === member.position)!;
      const distance = Math.hypot(member.x, member.y);
      // The dot lies wholly inside its band (the core's centre dot included).
      expect(distance + nodeRadius).toBeLessThanOrEqual(band.outer + 1e-9);
      if (band.inner > 0) expect(distance - nodeRadius).toBeGreaterThanOrEqual(band.inner - 1e-9);
    }
  });

  it('keeps the bands in order core, ring, free space, each visible when empty', () => {
    const layout = layoutGroup([]);
    expect(layout.bands.map((b) => b.position)).toEqual(BANDS);
    for (const [index, band] of layout.bands.entries()) {
      expect(band.outer - band.inner).toBeGreaterThanOrEqual(DEFAULT_RING_OPTIONS.minBandWidth);
      if (index > 0) expect(band.inner).toBe(layout.bands[index - 1]!.outer);
    }
    expect(layout.radius).toBe(layout.bands[2]!.outer);
  });

  it.each([
    [1, 0, 0],
    [2, 2, 2],
    [7, 13, 29],
    [200, 0, 0],
    [0, 200, 0],
    [0, 0, 200],
    [200, 200, 200],
    [1, 200, 1],
    [199, 3, 200],
  ])('never overlaps two dots with %i core, %i ring, %i free-space members', (core, ring, free) => {
    const layout = layoutGroup(members(core, ring, free));
    expect(layout.members).toHaveLength(core + ring + free);
    expect(closestPair(layout.members)).toBeGreaterThanOrEqual(2 * nodeRadius);
  });

  it('never overlaps for any count from 0 to 200 in one ring', () => {
    for (let n = 0; n <= 200; n++) {
      for (const position of BANDS) {
        const layout = layoutGroup(
          members(
            position === 'CORE' ? n : 1,
            position === 'RING' ? n : 1,
            position === 'FREE_SPACE' ? n : 1,
          ),
        );
        expect(closestPair(layout.members)).toBeGreaterThanOrEqual(2 * nodeRadius);
      }
    }
  });

  it('fits as many dots on a track as its circumference allows, and no more', () => {
    const spacing = 20;
    for (const radius of [10, 25, 60, 300]) {
      const n = trackCapacity(radius, spacing);
      expect(2 * radius * Math.sin(Math.PI / n)).toBeGreaterThanOrEqual(spacing - 1e-9);
      expect(2 * radius * Math.sin(Math.PI / (n + 1))).toBeLessThan(spacing);
    }
  });
});
