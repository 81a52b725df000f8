/**
 * Where the names beside the dots go: each name tries the places around its dot in turn
 * (right, left, above, below, then the diagonals) and takes the first that covers no
 * other dot and no name already placed; a name with no free place is left out (its dot
 * still names itself on hover). Dots are taken in the order given, so put first the
 * ones whose names matter most. Pure: no DOM, widths are measured by the caller.
 */

export interface LabelledDot {
  readonly key: string;
  /** The dot's centre. */
  readonly x: number;
  readonly y: number;
  /** The name's width when drawn. */
  readonly width: number;
}

export interface PlacedLabel {
  readonly key: string;
  /** Where the text is drawn: `x` with `anchor`, `y` its baseline. */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'middle' | 'end';
}

export interface LabelOptions {
  readonly dotRadius: number;
  /** The text's height, and how far below its middle the baseline is. */
  readonly height: number;
  readonly baseline: number;
  /** Room between a dot and its name. */
  readonly gap: number;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

const overlaps = (a: Box, b: Box): boolean =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

export function placeLabels(dots: readonly LabelledDot[], options: LabelOptions): PlacedLabel[] {
  const { dotRadius: r, height: h, baseline, gap } = options;
  const taken: Box[] = dots.map((dot) => ({
    left: dot.x - r,
    top: dot.y - r,
    right: dot.x + r,
    bottom: dot.y + r,
  }));
  const placed: PlacedLabel[] = [];
  dots.forEach((dot, index) => {
    const w = dot.width;
    const side = r + gap;
    const diagonal = r * Math.SQRT1_2 + gap;
    // The text's left edge, the middle of its height, and how it is anchored, in order of
    // preference: a name left of its dot ends at the dot and one above or below is centred
    // on it, so that a width measured a little wrong never runs the name into its dot.
    const places: [number, number, PlacedLabel['anchor']][] = [
      [dot.x + side, dot.y, 'start'],
      [dot.x - side - w, dot.y, 'end'],
      [dot.x - w / 2, dot.y - side - h / 2, 'middle'],
      [dot.x - w / 2, dot.y + side + h / 2, 'middle'],
      [dot.x + diagonal, dot.y - diagonal - h / 2, 'start'],
      [dot.x + diagonal, dot.y + diagonal + h / 2, 'start'],
      [dot.x - diagonal - w, dot.y - diagonal - h / 2, 'end'],
      [dot.x - diagonal - w, dot.y + diagonal + h / 2, 'end'],
    ];
    for (const [left, middle, anchor] of places) {
      const box = { left, top: middle - h / 2, right: left + w, bottom: middle + h / 2 };
      if (!taken.every((other, at) => at === index || !overlaps(box, other))) continue;
      taken.push(box);
      const x = anchor === 'start' ? left : anchor === 'end' ? left + w : left + w / 2;
      placed.push({ key: dot.key, x, y: middle + baseline, anchor });
      return;
    }
  });
  return placed;
}
