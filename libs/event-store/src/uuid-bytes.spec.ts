import { randomUUID } from 'node:crypto';
import { IdSet, TextSet, UUID_BYTES, uuidText, writeUuid } from './uuid-bytes';

describe('event ids as bytes', () => {
  it('reads a lowercase UUID into 16 bytes and writes the same text back; refuses any other', () => {
    const bytes = new Uint8Array(UUID_BYTES);
    for (const id of [randomUUID(), '00000000-0000-0000-0000-000000000000']) {
      expect(writeUuid(id, bytes, 0)).toBe(true);
      expect(uuidText(bytes, 0)).toBe(id);
    }
    for (const id of ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'e1', '', `${randomUUID()}0`]) {
      expect(writeUuid(id, bytes, 0)).toBe(false);
    }
  });

  it('IdSet: adds each id once, as a Set of the strings does, across its growth', () => {
    const uuids = Array.from({ length: 20_000 }, () => randomUUID());
    const ids = [
      ...uuids,
      'generated-42-1',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      '00000000-0000-0000-0000-000000000000',
      ...uuids.filter((_, index) => index % 7 === 0),
      'generated-42-1',
      '00000000-0000-0000-0000-000000000000',
    ];
    const set = new IdSet();
    const expected = new Set<string>();
    const added = ids.map((id) => set.add(id));
    const wanted = ids.map((id) => {
      const size = expected.size;
      return expected.add(id).size !== size;
    });
    expect(added).toEqual(wanted);
    expect(added.filter((isNew) => !isNew)).toHaveLength(ids.length - expected.size);
  });

  it('TextSet: adds each string once, as a Set does, across its growth; keeps no string', () => {
    const texts = Array.from({ length: 30_000 }, (_, index) =>
      index % 5 === 0
        ? `generated-42-${index}`
        : `${index.toString(36)}-${'é✓𝄞'.slice(0, index % 4)}`,
    );
    const probes = [
      ...texts,
      '',
      '',
      'ab',
      'ba',
      'a',
      'aa',
      'x'.repeat(70_000),
      'x'.repeat(70_000),
      ...texts.filter((_, index) => index % 3 === 0),
      // A string cut from a longer one, equal to one added before.
      `prefix ${texts[17]} suffix`.slice(7, 7 + texts[17]!.length),
    ];
    const set = new TextSet();
    const expected = new Set<string>();
    const added = probes.map((text) => set.add(text));
    const wanted = probes.map((text) => {
      const size = expected.size;
      return expected.add(text).size !== size;
    });
    expect(added).toEqual(wanted);
    expect(set.size).toBe(expected.size);
  });

  it('IdSet: takes any value a damaged log may hold; names the ids two sets share, with where each first had them', () => {
    const shared = randomUUID();
    const here = new IdSet();
    const there = new IdSet();
    const array = ['c'];
    [shared, 'generated-1', 7, null, array, 'only-here'].forEach((id, index) =>
      expect(here.add(id, 10 + index)).toBe(true),
    );
    expect(here.add(7, 99)).toBe(false);
    expect(here.add(null, 99)).toBe(false);
    expect(here.add(['c'], 99)).toBe(true); // An array is itself only, as a Set would hold it.
    [randomUUID(), 'generated-1', shared, 7, undefined, ['c']].forEach((id, index) =>
      expect(there.add(id, 20 + index)).toBe(true),
    );
    // Handed to another thread: the same set from its parts.
    const moved = new IdSet(structuredClone(there.parts()));
    const found: [number, number][] = [];
    here.forEachShared(moved, (a, b) => found.push([a, b]));
    expect(found.sort((a, b) => a[0] - b[0])).toEqual([
      [10, 22],
      [11, 21],
      [12, 23],
    ]);
    expect(moved.add('generated-1')).toBe(false);
    expect(moved.add(shared)).toBe(false);
  });
});
