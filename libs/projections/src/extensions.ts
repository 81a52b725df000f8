/**
 * The extensions of the partnerships' intended ends, kept apart from the partnerships'
 * records. A snapshot holds them as three columns (the partnership by its place in the
 * order of partnerships, the revision, the new intended end), by partnership and then in
 * order, and a start reads them as they lie: a partnership's list is made at the first
 * question about it (a view's, or the next extension applied). At 10M events 251k of the
 * 428k partnerships had been extended: a list each and an object per extension, which a
 * start made in 0.3 s of the 5.6 s its records took to decode (a CPU profile).
 */
import { Float64Column, Int32Column, firstAtLeast } from './columns';
import type { Revised } from './records';

/** The table as plain typed arrays, for a snapshot. */
export interface ExtensionState {
  /** Each extension's partnership, by its place in the order of partnerships: ascending. */
  readonly partnerships: Int32Array;
  /** Each extension's revision: ascending within a partnership. */
  readonly revisions: Int32Array;
  /** Each extension's new intended end, in milliseconds. */
  readonly ends: Float64Array;
}

const NONE = new Int32Array(0);

export class ExtensionTable {
  private readonly storedPartnerships: Int32Array;
  private readonly storedRevisions: Int32Array;
  private readonly storedEnds: Float64Array;
  /** Each partnership's extensions as a list, in order: those read and those applied so far. */
  private readonly lists = new Map<number, Revised<number>[]>();

  constructor(state?: ExtensionState) {
    const partnerships = state?.partnerships ?? NONE;
    const revisions = state?.revisions ?? NONE;
    const ends = state?.ends ?? new Float64Array(0);
    if (revisions.length !== partnerships.length || ends.length !== partnerships.length) {
      throw new RangeError('the extension columns differ in length');
    }
    for (let at = 0; at < partnerships.length; at++) {
      const partnership = partnerships[at]!;
      if (partnership < 0) throw new RangeError('an extension names no partnership');
      if (!Number.isFinite(ends[at]!)) throw new RangeError('an extension has no intended end');
      if (at === 0) continue;
      const previous = partnerships[at - 1]!;
      if (
        partnership < previous ||
        (partnership === previous && revisions[at]! <= revisions[at - 1]!)
      ) {
        throw new RangeError('the extensions are not in order');
      }
    }
    this.storedPartnerships = partnerships;
    this.storedRevisions = revisions;
    this.storedEnds = ends;
  }

  /** The partnership's extensions, in order; undefined while it has none. */
  of(partnership: number): readonly Revised<number>[] | undefined {
    const list = this.lists.get(partnership);
    if (list !== undefined) return list;
    const [from, to] = this.storedRun(partnership);
    if (from === to) return undefined;
    const read = this.storedList(from, to);
    this.lists.set(partnership, read);
    return read;
  }

  /** One more extension of the partnership, after all it has. */
  extend(partnership: number, extension: Revised<number>): void {
    const list = this.of(partnership) as Revised<number>[] | undefined;
    if (list === undefined) this.lists.set(partnership, [extension]);
    else list.push(extension);
  }

  /** Every extension, by partnership and in order; it shares no memory with the table. */
  state(): ExtensionState {
    const partnerships = new Int32Column();
    const revisions = new Int32Column();
    const ends = new Float64Column();
    const extended = new Set(this.lists.keys());
    for (const partnership of this.storedPartnerships) extended.add(partnership);
    for (const partnership of [...extended].sort((a, b) => a - b)) {
      // Those never asked for are copied from the columns, not made into a list.
      const [from, to] = this.storedRun(partnership);
      const extensions = this.lists.get(partnership) ?? this.storedList(from, to);
      for (const { revision, value } of extensions) {
        partnerships.push(partnership);
        revisions.push(revision);
        ends.push(value);
      }
    }
    return {
      partnerships: partnerships.toArray(),
      revisions: revisions.toArray(),
      ends: ends.toArray(),
    };
  }

  /** Where the partnership's stored extensions lie in the columns: [from, to). */
  private storedRun(partnership: number): [number, number] {
    const partnerships = this.storedPartnerships;
    const low = firstAtLeast(partnerships, partnership);
    let to = low;
    while (to < partnerships.length && partnerships[to] === partnership) to++;
    return [low, to];
  }

  private storedList(from: number, to: number): Revised<number>[] {
    const list: Revised<number>[] = [];
    for (let at = from; at < to; at++) {
      list.push({ revision: this.storedRevisions[at]!, value: this.storedEnds[at]! });
    }
    return list;
  }
}
