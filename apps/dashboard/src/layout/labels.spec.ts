import { LabelOptions, PlacedLabel, placeLabels } from './labels';

const OPTIONS: LabelOptions = { dotRadius: 7, height: 13, baseline: 4, gap: 3 };

/** The box a placed name covers, as the picture draws it. */
function boxOf(label: PlacedLabel, width: number) {
  const left =
    label.anchor === 'start'
      ? label.x
      : label.anchor === 'end'
        ? label.x - width
        : label.x - width / 2;
  const middle = label.y - OPTIONS.baseline;
  return {
    left,
    right: left + width,
    top: middle - OPTIONS.height / 2,
    bottom: middle + OPTIONS.height / 2,
  };
}

const overlap = (a: ReturnType<typeof boxOf>, b: ReturnType<typeof boxOf>) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('placeLabels: names beside dots, never over another dot or name', () => {
  it('puts a lone name to the right of its dot', () => {
    expect(placeLabels([{ key: 'a', x: 100, y: 50, width: 60 }], OPTIONS)).toEqual([
      { key: 'a', x: 110, y: 54, anchor: 'start' },
    ]);
  });

  it('moves a name that would cover a neighbour, and leaves out one with no free place', () => {
    // A dot close on the right of another: the first name goes left of its dot.
    const pair = placeLabels(
      [
        { key: 'a', x: 100, y: 50, width: 60 },
        { key: 'b', x: 130, y: 50, width: 60 },
      ],
      OPTIONS,
    );
    expect(pair.find((label) => label.key === 'a')!.anchor).toBe('end');
    expect(pair.find((label) => label.key === 'b')!.anchor).toBe('start');
    // A dot walled in on every side by others: no place is free.
    const walled = [{ key: 'centre', x: 0, y: 0, width: 40 }];
    for (let dx = -80; dx <= 80; dx += 16) {
      for (let dy = -48; dy <= 48; dy += 16) {
        if (dx !== 0 || dy !== 0) walled.push({ key: `${dx},${dy}`, x: dx, y: dy, width: 1 });
      }
    }
    expect(placeLabels(walled, OPTIONS).map((label) => label.key)).not.toContain('centre');
  });

  it('over a crowded random picture, no two names and no name and dot overlap', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const dots = Array.from({ length: 60 }, (_, index) => ({
      key: `d${index}`,
      x: random() * 400,
      y: random() * 300,
      width: 30 + random() * 90,
    }));
    const labels = placeLabels(dots, OPTIONS);
    expect(labels.length).toBeGreaterThan(20);
    const boxes = labels.map((label) => boxOf(label, dots.find((d) => d.key === label.key)!.width));
    boxes.forEach((box, i) => {
      boxes.slice(i + 1).forEach((other) => expect(overlap(box, other)).toBe(false));
      for (const dot of dots) {
        const r = OPTIONS.dotRadius;
        const disc = { left: dot.x - r, right: dot.x + r, top: dot.y - r, bottom: dot.y + r };
        expect(overlap(box, disc)).toBe(false);
      }
    });
  });
});
