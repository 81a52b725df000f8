import { randomUUID } from 'node:crypto';
import { IdColumn } from './columns';

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
});
