import { deserialize, serialize } from 'node:v8';
import { ExtensionState, ExtensionTable } from './extensions';

const DAY = 86_400_000;

describe('ExtensionTable', () => {
  /** Partnership 3 extended twice, partnership 1 once, partnership 0 never. */
  const filled = (): ExtensionTable => {
    const table = new ExtensionTable();
    table.extend(3, { revision: 2, value: 10 * DAY });
    table.extend(1, { revision: 4, value: 20 * DAY });
    table.extend(3, { revision: 5, value: 30 * DAY });
    return table;
  };
  const lists = (table: ExtensionTable) => [0, 1, 2, 3, 4].map((order) => table.of(order));
  const EXPECTED = [
    undefined,
    [{ revision: 4, value: 20 * DAY }],
    undefined,
    [
      { revision: 2, value: 10 * DAY },
      { revision: 5, value: 30 * DAY },
    ],
    undefined,
  ];

  it('keeps each partnership its extensions in order', () => {
    expect(lists(filled())).toEqual(EXPECTED);
  });

  it('writes its state by partnership, then in order, and reads it back without a list', () => {
    const state = filled().state();
    expect(state).toEqual({
      partnerships: new Int32Array([1, 3, 3]),
      revisions: new Int32Array([4, 2, 5]),
      ends: new Float64Array([20 * DAY, 10 * DAY, 30 * DAY]),
    });
    // Through v8 as a snapshot's state goes.
    const read = new ExtensionTable(deserialize(serialize(state)) as ExtensionState);
    expect(lists(read)).toEqual(EXPECTED);
  });

  it('makes a list at the first question, and goes on from it', () => {
    const read = new ExtensionTable(filled().state());
    const first = read.of(3);
    expect(read.of(3)).toBe(first);
    read.extend(3, { revision: 9, value: 40 * DAY });
    read.extend(0, { revision: 1, value: 5 * DAY });
    expect(read.of(3)?.map(({ revision }) => revision)).toEqual([2, 5, 9]);
    // Its state: the lists asked for, the stored ones never asked for, and the new ones.
    expect(read.state()).toEqual({
      partnerships: new Int32Array([0, 1, 3, 3, 3]),
      revisions: new Int32Array([1, 4, 2, 5, 9]),
      ends: new Float64Array([5 * DAY, 20 * DAY, 10 * DAY, 30 * DAY, 40 * DAY]),
    });
  });

  it('refuses a state whose columns differ in length, are out of order or name nothing', () => {
    const state = (partnerships: number[], revisions: number[], ends: number[]) =>
      new ExtensionTable({
        partnerships: new Int32Array(partnerships),
        revisions: new Int32Array(revisions),
        ends: new Float64Array(ends),
      });
    expect(() => state([1, 2], [1], [DAY, DAY])).toThrow('the extension columns differ in length');
    expect(() => state([2, 1], [1, 1], [DAY, DAY])).toThrow('the extensions are not in order');
    expect(() => state([1, 1], [3, 3], [DAY, DAY])).toThrow('the extensions are not in order');
    expect(() => state([-1], [1], [DAY])).toThrow('an extension names no partnership');
    expect(() => state([1], [1], [NaN])).toThrow('an extension has no intended end');
  });
});
