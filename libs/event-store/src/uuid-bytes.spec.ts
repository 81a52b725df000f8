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

  it('TextSet: adds each string once, as a Set does, across its growth', () => {
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

  it('IdSet: takes any value a damaged log may hold, as a Set compares them', () => {
    const set = new IdSet();
    for (const id of [7, null, undefined, ['c'], 'generated-1']) expect(set.add(id)).toBe(true);
    expect(set.add(7)).toBe(false);
    expect(set.add(null)).toBe(false);
    expect(set.add(undefined)).toBe(false);
    expect(set.add(['c'])).toBe(true); // An array is itself only, as a Set would hold it.
    expect(set.add('generated-1')).toBe(false);
  });
});
