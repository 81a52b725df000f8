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
import { HASH_BYTES, writeLatin1Hash } from '@partnerships/audit/hashes';
import {
  CheckFailure,
  CheckResult,
  LOG_CHECKS,
  LogCheckName,
  PartitionChecks,
  checkResult,
  repeatedCommand,
  repeatedId,
} from '@partnerships/audit/log-checks';
import { MerkleTree, TreeBuilder } from '@partnerships/audit/merkle-tree';
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
  /** Part 1: rows the log held up to the extent's end, counted in the same transaction. */
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

/**
 * The rows of a part read so far beyond those sent before (rows `from` on), sent while the
 * part is still being read, so that the merge can begin before it ends.
 */
export interface PartChunk {
  readonly kind: 'chunk';
  readonly from: number;
  readonly positions: Float64Array;
  readonly leaves: Uint8Array;
  readonly continues: Uint8Array;
}

/** Rows per PartChunk. */
const CHUNK_ROWS = 1 << 16;

/** The arrays of a PartChunk, to be moved to another thread. */
export function chunkTransferables(chunk: PartChunk): ArrayBuffer[] {
  return [chunk.positions.buffer, chunk.leaves.buffer, chunk.continues.buffer] as ArrayBuffer[];
}

/**
 * A part's keys as copies cut to its rows, with the buffers to move to another thread:
 * the part keeps its own arrays, to find the repeats with them (findRepeats).
 */
export function postableKeys(part: PartKeys): { message: PartKeys; transfer: ArrayBuffer[] } {
  const count = part.count;
  const message: PartKeys = {
    count,
    positions: part.positions.slice(0, count),
    continues: part.continues.slice(0, count),
    idHashes: part.idHashes.slice(0, 2 * count),
    commandHashes: part.commandHashes.slice(0, 2 * count),
  };
  return { message, transfer: buffersOf(Object.values(message)) };
}

/**
 * All a part read, to be posted to another thread: its keys as copies (postableKeys), its
 * leaves moved (the part needs them no more).
 */
export function postableRead(part: PartRead): { message: PartRead; transfer: ArrayBuffer[] } {
  const keys = postableKeys(part);
  return {
    message: { ...part, ...keys.message },
    transfer: [...keys.transfer, ...buffersOf([part.leaves])],
  };
}

/** The memory of each typed array among `values`, to be moved. */
function buffersOf(values: readonly unknown[]): ArrayBuffer[] {
  return values.flatMap((value) =>
    ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer ? [value.buffer] : [],
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
  chunk?: (chunk: PartChunk) => void,
  chunkRows = CHUNK_ROWS,
): PartRead | { readonly kind: 'not plain' } {
  // At most the whole log in one part: room for it, touched only as far as it is used.
  const positions = new Float64Array(extent.room);
  const leaves = Buffer.alloc(extent.room * HASH_BYTES);
  const continues = new Uint8Array(extent.room);
  const checks = new PartitionChecks(extent.room);
  const reader = new RowReader();
  let count = 0;
  let sent = 0;
  let plain = true;
  const logCount = rows.readPart(extent, part, (page: readonly LogRow[]) => {
    if (!plain) return;
    for (const row of page) {
      if (!isPlainRow(row) || count === extent.room) {
        plain = false;
        return;
      }
      const event = reader.read(row);
      const position = event.position as number;
      writeLatin1Hash(reader.leafHash(), leaves, count * HASH_BYTES);
      if (checks.check(event, position)) continues[count] = 1;
      positions[count] = position;
      count++;
      if (chunk !== undefined && count - sent >= chunkRows) {
        chunk({
          kind: 'chunk',
          from: sent,
          positions: positions.slice(sent, count),
          // A copy (a Buffer's slice is a view, whose memory would go with it).
          leaves: new Uint8Array(leaves.subarray(sent * HASH_BYTES, count * HASH_BYTES)),
          continues: continues.slice(sent, count),
        });
        sent = count;
      }
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
 * every check's result as LogChecks gives it over the whole log. The first part is given
 * whole; the second as its rows arrive (PartChunk), so that the merge follows its reading,
 * and at the end whole (finish). `rows` reads the rows a failure found here names (the
 * parts keep no strings).
 */
export class LogMerge {
  private readonly found = new FoundFailures();
  /** The log's leaves in order, as far as merged (and as words: leaves are copied as 8). */
  private readonly leaves: Buffer;
  private readonly leafWords: Uint32Array;
  /** The tree over them, grown as they are merged (while the other half is still read). */
  private readonly builder: TreeBuilder;
  /** The log's positions in order, as far as merged. */
  private readonly positions: Float64Array;
  private readonly leavesA: Uint32Array;
  /** The second part's rows as far as they arrived. */
  private positionsB: Float64Array;
  private leavesB: Uint32Array;
  private continuesB: Uint8Array;
  private arrived = 0;
  /** The second part (all its rows arrived) and the tree, once finished. */
  private b: PartRead | undefined;
  private tree: MerkleTree | undefined;
  private i = 0;
  private j = 0;
  private index = 0;
  private previousPart = -1;

  /** `capacity`: room for the events the log held when its reading began (LogExtent.room). */
  constructor(
    private readonly a: PartRead,
    private readonly capacity: number,
    private readonly rows: SqliteLogRows,
  ) {
    this.leaves = Buffer.alloc(capacity * HASH_BYTES);
    this.leafWords = wordsOf(this.leaves);
    this.builder = new TreeBuilder(this.leaves, capacity);
    this.positions = new Float64Array(capacity);
    this.leavesA = wordsOf(a.leaves);
    const room = Math.max(0, capacity - a.count);
    this.positionsB = new Float64Array(room);
    this.leavesB = new Uint32Array((room * HASH_BYTES) / 4);
    this.continuesB = new Uint8Array(room);
  }

  /** Rows of the second part, from `chunk.from` on. */
  add(chunk: PartChunk): void {
    const end = chunk.from + chunk.positions.length;
    if (chunk.from !== this.arrived || end > this.positionsB.length) {
      throw new Error('the log changed while it was read: its second half grew; run verify again');
    }
    this.positionsB.set(chunk.positions, chunk.from);
    this.leavesB.set(wordsOf(chunk.leaves), (chunk.from * HASH_BYTES) / 4);
    this.continuesB.set(chunk.continues, chunk.from);
    this.arrived = end;
    this.merge();
  }

  /**
   * The whole second part: the merge's last rows, then the tree over the log's leaves
   * (checked gives the checks, with what was found repeated meanwhile).
   */
  finish(b: PartRead): void {
    const a = this.a;
    const size = a.count + b.count;
    if (b.logCount !== size || size > this.capacity) {
      throw new Error(
        `the log changed while it was read: its two halves hold ${a.count} and ${b.count} events ` +
          `where it held ${b.logCount}; run verify again`,
      );
    }
    this.b = b;
    this.positionsB = b.positions;
    this.leavesB = wordsOf(b.leaves);
    this.continuesB = b.continues;
    this.arrived = b.count;
    this.merge();
    this.tree = this.builder.tree(size);
  }

  /**
   * After finish: every check's result over the whole log, with the ids and commands
   * `repeats` found repeated (findRepeats over both parts), and the tree.
   */
  checked(repeats: Repeats): CheckedLog {
    const { a, b, tree } = this;
    if (b === undefined || tree === undefined) throw new Error('the merge is not finished');
    for (const position of repeats.ids) this.found.add('ids', position);
    for (const position of repeats.commands) this.found.add('commands', position);
    return {
      results: this.results([a, b], a.count + b.count),
      streamCount: a.streams + b.streams,
      tree,
    };
  }

  /** Takes rows in position order while it is known which comes next. */
  private merge(): void {
    const a = this.a;
    const positionsA = a.positions;
    const positionsB = this.positionsB;
    for (;;) {
      let fromA: boolean;
      if (this.j < this.arrived) {
        fromA = this.i < a.count && positionsA[this.i]! < positionsB[this.j]!;
      } else if (this.b !== undefined && this.i < a.count) {
        fromA = true;
      } else {
        this.builder.grow(this.index);
        return;
      }
      const row = fromA ? this.i++ : this.j++;
      const position = fromA ? positionsA[row]! : positionsB[row]!;
      const index = this.index++;
      if (index > 0 && position <= this.positions[index - 1]!) {
        this.found.add('positions', position, this.positions[index - 1]);
      }
      this.positions[index] = position;
      // Continued in its part, but an event of the other part came in between: in the
      // log it starts its command again.
      const part = fromA ? 0 : 1;
      const continues = fromA ? a.continues[row] : this.continuesB[row];
      if (continues === 1 && this.previousPart !== part) this.found.add('commands', position);
      this.previousPart = part;
      const leaves = fromA ? this.leavesA : this.leavesB;
      const from = row * WORDS_PER_HASH;
      const to = index * WORDS_PER_HASH;
      for (let i = 0; i < WORDS_PER_HASH; i++) this.leafWords[to + i] = leaves[from + i]!;
    }
  }

  private results(parts: readonly [PartRead, PartRead], size: number): CheckResult[] {
    const positions = this.positions;
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
    return (Object.keys(LOG_CHECKS) as LogCheckName[]).map((name): CheckResult => {
      const candidates: { first: CheckFailure; count: number }[] = [];
      for (const part of parts) {
        const failed = part.failures.find(([check]) => check === name);
        if (failed !== undefined) candidates.push(failed[1]);
      }
      const merged = this.found.of(name, this.rows);
      if (merged !== undefined) candidates.push(merged);
      if (candidates.length === 0) return checkResult(name, undefined);
      // Every part's first failure is recorded by position: the earliest is the log's first.
      const first = candidates.reduce((earliest, next) =>
        next.first.at.leafIndex < earliest.first.at.leafIndex ? next : earliest,
      ).first;
      return checkResult(name, {
        first: {
          at: { ...first.at, leafIndex: leafIndexOf(first.at.leafIndex) },
          problem: first.problem,
        },
        count: candidates.reduce((sum, next) => sum + next.count, 0),
      });
    });
  }
}

const WORDS_PER_HASH = HASH_BYTES / 4;

/**
 * Hashes as 32-bit words, to be copied 8 at a time (a copy of the bytes where they do not
 * start on a 4-byte boundary). Copied word for word, the bytes keep their order.
 */
function wordsOf(bytes: Uint8Array): Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4));
}

/** What finding repeated ids and commands takes of a part (PartRead). */
export type PartKeys = Pick<
  PartRead,
  'count' | 'positions' | 'continues' | 'idHashes' | 'commandHashes'
>;

/** The positions of the events whose id, or whose command started, came before in the log. */
export interface Repeats {
  readonly ids: readonly number[];
  readonly commands: readonly number[];
}

/**
 * The events of the two parts whose id an earlier event of either had, and those that
 * start a command an earlier event had (by their hashes sorted, then compared exactly);
 * `rows` reads back the events whose hashes are equal.
 */
export function findRepeats(parts: readonly [PartKeys, PartKeys], rows: SqliteLogRows): Repeats {
  const ids: number[] = [];
  const commands: number[] = [];
  new RepeatFinder(
    parts,
    (part) => part.idHashes,
    rows,
    (event) => event.id,
  ).find(
    () => true,
    (position) => ids.push(position),
  );
  new RepeatFinder(
    parts,
    (part) => part.commandHashes,
    rows,
    (event) => event.metadata.commandId,
  ).find(
    (part, row) => part.continues[row] !== 1,
    (position) => commands.push(position),
  );
  return { ids, commands };
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
    private readonly parts: readonly [PartKeys, PartKeys],
    private readonly hashesOf: (part: PartKeys) => Int32Array,
    private readonly rows: SqliteLogRows,
    private readonly valueOf: (event: RecordedEvent) => unknown,
  ) {}

  /** Calls `repeated` with the position of every event `included` whose value came before. */
  find(
    included: (part: PartKeys, row: number) => boolean,
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
