/**
 * `audit verify` on a SQLite store, on two threads that each read half of the log: every
 * stream's rows are in one part (SqliteLogRows.readPart), so each thread runs the stream
 * checks of its streams whole and hashes its rows' leaves, from one reading and one parse
 * of each row. What only the whole log shows (positions in order, an id or a command in
 * both parts, a command continued in one part across an event of the other) is found by
 * merging the two parts by position, which also puts the leaves in log order for the tree.
 *
 * The result is the one LogChecks gives over the whole log in order (the same failing
 * events per check, the same first one); a row the STRICT table would refuse makes a part
 * answer `not plain`, and verify then reads the log on one thread as before.
 */
import { HASH_BYTES } from '@partnerships/audit/hashes';
import {
  CheckFailure,
  CheckResult,
  LOG_CHECKS,
  LogCheckName,
  PartitionChecks,
  repeatedCommand,
  repeatedId,
} from '@partnerships/audit/log-checks';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import {
  LogExtent,
  LogRow,
  RowReader,
  SqliteLogRows,
  eventOfRow,
  isPlainRow,
} from './sqlite-log-rows';

/** One part as read: its rows' positions, leaves and flags, its checks' state. */
export interface PartRead {
  readonly kind: 'read';
  /** Rows read. */
  readonly count: number;
  /** Part 0: rows the log held up to the extent's end, counted in the same transaction. */
  readonly logCount: number | undefined;
  readonly positions: Float64Array;
  /** Each row's leaf hash, 32 bytes after another. */
  readonly leaves: Uint8Array;
  /** 1 where a row continues the command of the part's previous row. */
  readonly continues: Uint8Array;
  /** Two hashes of each row's event id (PartitionChecks). */
  readonly idHashes: Int32Array;
  /** Two hashes of each row's commandId. */
  readonly commandHashes: Int32Array;
  readonly failures: [LogCheckName, { first: CheckFailure; count: number }][];
  readonly streams: number;
}

export type PartAnswer =
  PartRead | { readonly kind: 'not plain' } | { readonly kind: 'failed'; readonly message: string };

/** The arrays of a PartRead, to be moved (not copied) to another thread. */
export function transferablesOf(read: PartRead): ArrayBuffer[] {
  const buffers = [
    read.positions,
    read.leaves,
    read.continues,
    read.idHashes,
    read.commandHashes,
  ].map((array) => array.buffer);
  return [...new Set(buffers)].filter(
    (buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer,
  );
}

/**
 * Reads part `part` of the log up to `extent` and checks it; `read` counts its rows as
 * they are read (for a progress bar on another thread).
 */
export function readPart(
  rows: SqliteLogRows,
  extent: LogExtent,
  part: 0 | 1,
  progress: (rows: number) => void,
): PartRead | { readonly kind: 'not plain' } {
  // At most the whole log in one part: room for it, touched only as far as it is used.
  const positions = new Float64Array(extent.count);
  const leaves = Buffer.alloc(extent.count * HASH_BYTES);
  const continues = new Uint8Array(extent.count);
  const checks = new PartitionChecks(extent.count);
  const reader = new RowReader();
  let count = 0;
  let plain = true;
  const logCount = rows.readPart(extent, part, (page: readonly LogRow[]) => {
    if (!plain) return;
    for (const row of page) {
      if (!isPlainRow(row) || count === extent.count) {
        plain = false;
        return;
      }
      const event = reader.read(row);
      const position = event.position as number;
      leaves.write(reader.leafHash(), count * HASH_BYTES, HASH_BYTES, 'latin1');
      if (checks.check(event, position)) continues[count] = 1;
      positions[count] = position;
      count++;
    }
    progress(count);
  });
  if (!plain) return { kind: 'not plain' };
  return {
    kind: 'read',
    count,
    logCount,
    positions,
    leaves,
    continues,
    idHashes: checks.idHashes,
    commandHashes: checks.commandHashes,
    failures: checks.failures.entries(),
    streams: checks.streamCount,
  };
}

/** The whole log's checks and tree, as verify reports them. */
export interface CheckedLog {
  readonly results: CheckResult[];
  readonly streamCount: number;
  readonly tree: MerkleTree;
}

/**
 * Merges the two parts by position into the log's order: the tree of their leaves, and
 * every check's result as LogChecks gives it over the whole log. `rows` reads the rows a
 * failure found here names (the parts keep no strings).
 */
export function mergeParts(parts: readonly [PartRead, PartRead], rows: SqliteLogRows): CheckedLog {
  const [a, b] = parts;
  const size = a.count + b.count;
  if (a.logCount !== size) {
    throw new Error(
      `the log changed while it was read: its two halves hold ${a.count} and ${b.count} events ` +
        `where it held ${a.logCount}; run verify again`,
    );
  }
  const found = new FoundFailures();
  const leaves = Buffer.allocUnsafe(size * HASH_BYTES);
  // A part from another thread arrives as a Uint8Array: a Buffer over the same bytes.
  const [leavesA, leavesB] = parts.map(({ leaves: bytes }) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
  const positions = new Float64Array(size);
  let i = 0;
  let j = 0;
  let previousPart = -1;
  for (let index = 0; index < size; index++) {
    const fromA = j >= b.count || (i < a.count && a.positions[i]! < b.positions[j]!);
    const part = fromA ? a : b;
    const row = fromA ? i++ : j++;
    const position = part.positions[row]!;
    if (index > 0 && position <= positions[index - 1]!) {
      found.add('positions', position, positions[index - 1]);
    }
    positions[index] = position;
    // Continued in its part, but an event of the other part came in between: in the log
    // it starts its command again.
    const partIndex = fromA ? 0 : 1;
    if (part.continues[row] === 1 && previousPart !== partIndex) {
      found.add('commands', position);
    }
    previousPart = partIndex;
    (fromA ? leavesA : leavesB).copy(
      leaves,
      index * HASH_BYTES,
      row * HASH_BYTES,
      (row + 1) * HASH_BYTES,
    );
  }
  // An id, and a command started, that an earlier event of either part had: found by their
  // hashes sorted, then compared exactly.
  const ids = new RepeatFinder(
    parts,
    (part) => part.idHashes,
    rows,
    (event) => event.id,
  );
  ids.find(
    () => true,
    (position) => found.add('ids', position),
  );
  const commands = new RepeatFinder(
    parts,
    (part) => part.commandHashes,
    rows,
    (event) => event.metadata.commandId,
  );
  commands.find(
    (part, row) => part.continues[row] !== 1,
    (position) => found.add('commands', position),
  );

  const leafIndexOf = (position: number): number => {
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (positions[middle]! < position) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const results = (Object.keys(LOG_CHECKS) as LogCheckName[]).map((name): CheckResult => {
    const candidates: { first: CheckFailure; count: number }[] = [];
    for (const part of parts) {
      const failed = part.failures.find(([check]) => check === name);
      if (failed !== undefined) candidates.push(failed[1]);
    }
    const merged = found.of(name, rows);
    if (merged !== undefined) candidates.push(merged);
    if (candidates.length === 0) {
      return { name, description: LOG_CHECKS[name], ok: true, failures: 0 };
    }
    // Every part's first failure is recorded by position: the earliest is the log's first.
    const first = candidates.reduce((earliest, next) =>
      next.first.at.leafIndex < earliest.first.at.leafIndex ? next : earliest,
    ).first;
    return {
      name,
      description: LOG_CHECKS[name],
      ok: false,
      first: {
        at: { ...first.at, leafIndex: leafIndexOf(first.at.leafIndex) },
        problem: first.problem,
      },
      failures: candidates.reduce((sum, next) => sum + next.count, 0),
    };
  });
  return {
    results,
    streamCount: a.streams + b.streams,
    tree: MerkleTree.ofLeaves(leaves, size),
  };
}

/**
 * Finds the events whose value (an id, a commandId) an earlier event of either part had.
 * Each event is given by its two 32-bit hashes; sorting the first hashes (each with its
 * event's number) brings equal ones together, the second hash sorts out most of those, and
 * the events left are read back from the log and compared exactly (as a Set compares its
 * members: an array or an object equals only itself), so that equal hashes of different
 * values fail nothing.
 */
class RepeatFinder {
  constructor(
    private readonly parts: readonly [PartRead, PartRead],
    private readonly hashesOf: (part: PartRead) => Int32Array,
    private readonly rows: SqliteLogRows,
    private readonly valueOf: (event: RecordedEvent) => unknown,
  ) {}

  /** Calls `repeated` with the position of every event `included` whose value came before. */
  find(
    included: (part: PartRead, row: number) => boolean,
    repeated: (position: number) => void,
  ): void {
    const [a, b] = this.parts;
    const keys = new BigUint64Array(a.count + b.count);
    // Each key: the first hash above, the event's number (a's rows, then b's) below.
    const words = new Uint32Array(keys.buffer);
    let count = 0;
    for (const [offset, part] of [
      [0, a],
      [a.count, b],
    ] as const) {
      const hashes = this.hashesOf(part);
      for (let row = 0; row < part.count; row++) {
        if (!included(part, row)) continue;
        words[2 * count] = offset + row;
        words[2 * count + 1] = hashes[2 * row]!;
        count++;
      }
    }
    const sorted = keys.subarray(0, count).sort();
    const sortedWords = new Uint32Array(sorted.buffer, 0, 2 * count);
    for (let start = 0; start < count;) {
      let end = start + 1;
      while (end < count && sortedWords[2 * end + 1] === sortedWords[2 * start + 1]) end++;
      if (end - start > 1) {
        const numbers = [];
        for (let at = start; at < end; at++) numbers.push(sortedWords[2 * at]!);
        this.compareExactly(numbers, repeated);
      }
      start = end;
    }
  }

  /** Events with the same first hash: those whose values are equal, all but the first. */
  private compareExactly(numbers: readonly number[], repeated: (position: number) => void): void {
    const [a] = this.parts;
    const located = numbers.map((number) => {
      const part = number < a.count ? a : this.parts[1];
      const row = number < a.count ? number : number - a.count;
      return {
        part,
        row,
        position: part.positions[row]!,
        second: this.hashesOf(part)[2 * row + 1]!,
      };
    });
    const bySecond = new Map<number, typeof located>();
    for (const event of located) {
      const same = bySecond.get(event.second);
      if (same === undefined) bySecond.set(event.second, [event]);
      else same.push(event);
    }
    for (const same of bySecond.values()) {
      if (same.length < 2) continue;
      const events = same
        .map(({ position }) => ({ position, value: this.valueAt(position) }))
        .sort((x, y) => x.position - y.position);
      const seen = new Set<unknown>();
      for (const { position, value } of events) {
        if (seen.has(value)) repeated(position);
        else seen.add(value);
      }
    }
  }

  private valueAt(position: number): unknown {
    const row = this.rows.rowAt(position);
    if (row === undefined) {
      throw new Error(
        `the log changed while it was read: position ${position} is gone; run verify again`,
      );
    }
    return this.valueOf(eventOfRow(row));
  }
}

/** The failures only the merge finds: per check, how many and the earliest. */
class FoundFailures {
  private readonly byCheck = new Map<
    LogCheckName,
    { position: number; count: number; previous: number | undefined }
  >();

  /** That the event at `position` fails `check` (`previous`: the position before it, for 'positions'). */
  add(check: LogCheckName, position: number, previous?: number): void {
    const known = this.byCheck.get(check);
    if (known === undefined) {
      this.byCheck.set(check, { position, count: 1, previous });
      return;
    }
    known.count++;
    if (position < known.position) {
      known.position = position;
      known.previous = previous;
    }
  }

  /** As Failures keeps them (by position), the first one's event read back from the log. */
  of(check: LogCheckName, rows: SqliteLogRows): { first: CheckFailure; count: number } | undefined {
    const known = this.byCheck.get(check);
    if (known === undefined) return undefined;
    const row = rows.rowAt(known.position);
    if (row === undefined) {
      throw new Error(
        `the log changed while it was read: position ${known.position} is gone; run verify again`,
      );
    }
    const event = eventOfRow(row);
    const problem =
      check === 'ids'
        ? repeatedId(event.id)
        : check === 'commands'
          ? repeatedCommand(event.metadata.commandId)
          : `position ${known.position} is not after ${known.previous}`;
    const at = {
      leafIndex: known.position,
      eventId: event.id,
      streamId: event.streamId,
      revision: event.revision,
    };
    return { first: { at, problem }, count: known.count };
  }
}
