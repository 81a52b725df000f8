import { randomUUID } from 'node:crypto';
import { IdColumn, IntList, PositionColumn } from './columns';

describe('IdColumn', () => {
  it('gives back every id exactly, UUIDs kept as bytes and any other id as it was', () => {
    const ids = [
      ...Array.from({ length: 3000 }, () => randomUUID()),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      // Not a lowercase UUID: kept as strings, never folded into bytes.
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      '0123456789abcdef0123456789abcdef0123',
      '01234567-89ab-cdef-0123-456789abcdeg',
      '01234567-89ab-cdef-0123456789abcdef0',
      '01234567-89ab-cdef-0123-456789abcde',
      'évent-1',
      '',
    ];
    const column = new IdColumn();
    for (const id of ids) column.push(id);
    expect(ids.map((_, index) => column.at(index))).toEqual(ids);
    const state = column.state();
    expect(state.others.size).toBe(7);
    const restored = new IdColumn(state);
    expect(ids.map((_, index) => restored.at(index))).toEqual(ids);
  });

  it('finds the first index of an id, whether asked before, during or after the ids grow', () => {
    const uuids = Array.from({ length: 5000 }, () => randomUUID());
    const others = ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'évent-1', ''];
    const column = new IdColumn();
    // Asked before any id: the index is built empty and then kept up by every push.
    expect(column.indexOf(uuids[0]!)).toBeUndefined();
    uuids.slice(0, 2500).forEach((id) => column.push(id));
    others.forEach((id) => column.push(id));
    // A zeroed UUID and a non-UUID (stored as zero bytes) are told apart.
    column.push('00000000-0000-0000-0000-000000000000');
    uuids.slice(2500).forEach((id) => column.push(id));
    // The same id twice: the first index is its index.
    column.push(uuids[10]!);
    column.push('évent-1');

    const indexOfEach = (source: IdColumn) => [
      ...uuids.map((id) => source.indexOf(id)),
      ...others.map((id) => source.indexOf(id)),
      source.indexOf('00000000-0000-0000-0000-000000000000'),
    ];
    const expected = [
      ...uuids.map((_, index) => (index < 2500 ? index : index + 4)),
      2500,
      2501,
      2502,
      2503,
    ];
    expect(indexOfEach(column)).toEqual(expected);
    expect(column.indexOf(randomUUID())).toBeUndefined();
    expect(column.indexOf('not an id')).toBeUndefined();
    // Restored from its state, the index is built at the first question.
    const restored = new IdColumn(column.state());
    expect(indexOfEach(restored)).toEqual(expected);
    restored.push('late-id');
    expect(restored.indexOf('late-id')).toBe(5000 + 4 + 2);
  });
});

describe('IntList', () => {
  it('reads a list from its run of a shared column, and keeps what is pushed after apart', () => {
    const shared = Int32Array.from([9, 9, 4, 7, 11, 9]);
    const list = new IntList(shared, 2, 3);
    expect(list.length).toBe(3);
    expect([list.at(0), list.at(1), list.at(2)]).toEqual([4, 7, 11]);
    list.push(12);
    list.push(15);
    expect(list.length).toBe(5);
    expect([list.at(2), list.at(3), list.at(4)]).toEqual([11, 12, 15]);
    expect(list.toArray()).toEqual([4, 7, 11, 12, 15]);
    // The shared column is only read.
    expect(Array.from(shared)).toEqual([9, 9, 4, 7, 11, 9]);
    const empty = new IntList();
    expect(empty.length).toBe(0);
    empty.push(3);
    expect(empty.toArray()).toEqual([3]);
  });
});

describe('PositionColumn', () => {
  const each = (column: PositionColumn) =>
    Array.from({ length: column.length }, (_, index) => column.at(index));

  it('keeps a run of consecutive integer positions as its first and its length', () => {
    const column = new PositionColumn();
    for (let position = 7; position < 10_007; position++) column.push(String(position));
    const state = column.state();
    expect(state).toMatchObject({ kind: 'numbers', first: 7, dense: 10_000 });
    expect(state.values.length).toBe(0);
    expect(column.at(0)).toBe('7');
    expect(column.at(9_999)).toBe('10006');
    expect(column.indexOf('7')).toBe(0);
    expect(column.indexOf('5006')).toBe(4_999);
    expect(column.indexOf('6')).toBe(-1);
    expect(column.indexOf('10007')).toBe(-1);
    expect(column.indexOf('a:b')).toBe(-1);
  });

  it('keeps the positions after a gap as numbers, and each as issued after a restore', () => {
    const column = new PositionColumn();
    for (const position of ['1', '2', '3', '5', '6', '9']) column.push(position);
    expect(column.state()).toMatchObject({ kind: 'numbers', first: 1, dense: 3 });
    expect(Array.from(column.state().values as Float64Array)).toEqual([5, 6, 9]);
    const restored = new PositionColumn(column.state());
    restored.push('10');
    expect(each(restored)).toEqual(['1', '2', '3', '5', '6', '9', '10']);
    expect(['1', '3', '5', '9', '10', '4'].map((p) => restored.indexOf(p))).toEqual([
      0, 2, 3, 5, 6, -1,
    ]);
  });

  it('turns into strings at the first position that is not an integer, keeping every one', () => {
    const column = new PositionColumn();
    for (const position of ['1', '2', '4']) column.push(position);
    column.push('17:17');
    expect(column.state()).toEqual({ kind: 'strings', values: ['1', '2', '4', '17:17'] });
    expect(column.indexOf('17:17')).toBe(3);
    expect(column.indexOf('2')).toBe(1);
    const fromStrings = new PositionColumn();
    fromStrings.push('0:0');
    fromStrings.push('1');
    expect(each(fromStrings)).toEqual(['0:0', '1']);
  });
});
