/**
 * The ring layout: a group drawn as three concentric bands (the core in the middle, then
 * the ring, then the free space), each member placed on a circular track inside its band.
 * Pure maths, no DOM: the drawing only reads the numbers this returns.
 *
 * Why it never overlaps: members on one track are spread evenly, and a track takes at most
 * as many as fit with a chord of `spacing` between neighbours; tracks inside a band are
 * `spacing` apart radially, and bands are separated by at least `spacing`. So any two
 * centres are at least `spacing` (> 2 × nodeRadius) apart.
 */

export type Position = 'CORE' | 'RING' | 'FREE_SPACE';

/** Inside-out order of the bands. */
export const BANDS: readonly Position[] = ['CORE', 'RING', 'FREE_SPACE'];

export interface RingOptions {
  /** Radius of a member's dot. */
  readonly nodeRadius: number;
  /** Free room between two neighbouring dots' edges. */
  readonly gap: number;
  /** Thinnest a band is drawn, so an empty band is still visible. */
  readonly minBandWidth: number;
}

export const DEFAULT_RING_OPTIONS: RingOptions = { nodeRadius: 7, gap: 6, minBandWidth: 26 };

export interface RingMember {
  readonly id: string;
  readonly position: Position;
}

export interface Band {
  readonly position: Position;
  readonly inner: number;
  readonly outer: number;
}

export interface PlacedMember {
  readonly id: string;
  readonly position: Position;
  /** Offsets from the group's centre. */
  readonly x: number;
  readonly y: number;
}

export interface GroupLayout {
  readonly bands: readonly Band[];
  readonly members: readonly PlacedMember[];
  /** The outer radius of the free-space band. */
  readonly radius: number;
}

/** How many dots fit on a circle of radius r with centres at least `spacing` apart. */
export function trackCapacity(radius: number, spacing: number): number {
  if (radius <= 0) return 1;
  if (spacing >= 2 * radius) return radius * 2 >= spacing ? 2 : 1;
  // Chord between neighbours: 2 r sin(π / n) >= spacing  ⇔  n <= π / asin(spacing / 2r).
  return Math.max(1, Math.floor(Math.PI / Math.asin(spacing / (2 * radius)) + 1e-9));
}

/**
 * The tracks of one band starting at `inner` for `count` members: each track's radius and
 * how many members it holds. The core's first track may be the centre itself.
 */
export function bandTracks(
  inner: number,
  count: number,
  spacing: number,
  centreAllowed: boolean,
): { radius: number; count: number }[] {
  if (count === 0) return [];
  const radii: number[] = [];
  const capacities: number[] = [];
  let radius = centreAllowed ? 0 : inner + spacing / 2;
  let room = 0;
  while (room < count) {
    const capacity = trackCapacity(radius, spacing);
    radii.push(radius);
    capacities.push(capacity);
    room += capacity;
    radius += spacing;
  }
  // Spread members over the tracks in proportion to their room, never above it, so the
  // outer tracks are not crowded while the inner ones are half empty.
  const counts = capacities.map((capacity) => Math.floor((capacity * count) / room));
  let left = count - counts.reduce((sum, n) => sum + n, 0);
  for (
    let index = capacities.length - 1;
    left > 0;
    index = (index + capacities.length - 1) % capacities.length
  ) {
    if (counts[index]! < capacities[index]!) {
      counts[index]!++;
      left--;
    }
  }
  return radii.map((r, index) => ({ radius: r, count: counts[index]! })).filter((t) => t.count > 0);
}

export interface PositionCounts {
  readonly core: number;
  readonly ring: number;
  readonly freeSpace: number;
}

const countOf = (counts: PositionCounts, position: Position): number =>
  position === 'CORE' ? counts.core : position === 'RING' ? counts.ring : counts.freeSpace;

/**
 * The bands (and their tracks) for so many members in each position. The bands' size
 * depends only on the counts, so a group drawn from its counts alone has the rings it will
 * have once its members are drawn in it.
 */
export function layoutBands(
  counts: PositionCounts,
  options: RingOptions = DEFAULT_RING_OPTIONS,
): { bands: Band[]; tracks: { radius: number; count: number }[][]; radius: number } {
  const spacing = 2 * options.nodeRadius + options.gap;
  const bands: Band[] = [];
  const tracksOf: { radius: number; count: number }[][] = [];
  let inner = 0;
  for (const position of BANDS) {
    const tracks = bandTracks(inner, countOf(counts, position), spacing, position === 'CORE');
    const lastTrack = tracks.length > 0 ? tracks[tracks.length - 1]!.radius : inner;
    const outer = Math.max(
      inner + options.minBandWidth,
      tracks.length > 0 ? lastTrack + spacing / 2 : inner,
    );
    bands.push({ position, inner, outer });
    tracksOf.push(tracks);
    inner = outer;
  }
  return { bands, tracks: tracksOf, radius: inner };
}

/** Lays out one group. Members keep their input order within a band (sort them first). */
export function layoutGroup(
  members: readonly RingMember[],
  options: RingOptions = DEFAULT_RING_OPTIONS,
): GroupLayout {
  const spacing = 2 * options.nodeRadius + options.gap;
  const byBand = BANDS.map((position) => members.filter((member) => member.position === position));
  const { bands, tracks, radius } = layoutBands(
    { core: byBand[0]!.length, ring: byBand[1]!.length, freeSpace: byBand[2]!.length },
    options,
  );
  const placed: PlacedMember[] = [];
  BANDS.forEach((position, band) => {
    const inBand = byBand[band]!;
    let next = 0;
    for (const track of tracks[band]!) {
      // Each track starts at a slightly different angle so that tracks do not line up.
      const offset = (track.radius / spacing) * 0.5 - Math.PI / 2;
      for (let index = 0; index < track.count; index++) {
        const angle = offset + (2 * Math.PI * index) / track.count;
        const member = inBand[next++]!;
        placed.push({
          id: member.id,
          position,
          x: track.radius * Math.cos(angle),
          y: track.radius * Math.sin(angle),
        });
      }
    }
  });
  return { bands, members: placed, radius };
}
