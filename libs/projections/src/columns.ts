/**
 * Growable columns of numbers and compact columns of the log's strings: what the read model
 * keeps per event instead of the event itself (8 bytes for a time, 4 for an index, 16 for
 * an id that is a UUID), so that its memory does not grow with the bytes of the history.
 */

import {
  UUID_BYTES,
  placeUuid,
  uuidSlot,
  uuidText,
  writeUuid,
} from '@partnerships/event-store/uuid-bytes';

export class Float64Column {
  private values: Float64Array;
  length = 0;

  constructor(values?: Float64Array) {
    this.values = values ?? new Float64Array(1024);
    this.length = values?.length ?? 0;
  }

  push(value: number): void {
    if (this.length === this.values.length) this.values = grow(this.values, Float64Array);
    this.values[this.length++] = value;
  }

  at(index: number): number {
    return this.values[index] as number;
  }

  /** Replaces the value at `index`, which must be below `length`. */
  set(index: number, value: number): void {
    if (index < 0 || index >= this.length) throw new RangeError(`no value at ${index}`);
    this.values[index] = value;
  }

  /** A copy holding exactly the values pushed. */
  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

export class Int32Column {
  private values: Int32Array;
  length = 0;

  constructor(values?: Int32Array) {
    this.values = values ?? new Int32Array(16);
    this.length = values?.length ?? 0;
  }

  push(value: number): void {
    if (this.length === this.values.length) this.values = grow(this.values, Int32Array);
    this.values[this.length++] = value;
  }

  at(index: number): number {
    return this.values[index] as number;
  }

  /** Replaces the value at `index`, which must be below `length`. */
  set(index: number, value: number): void {
    if (index < 0 || index >= this.length) throw new RangeError(`no value at ${index}`);
    this.values[index] = value;
  }

  toArray(): Int32Array {
    return this.values.slice(0, this.length);
  }
}

/**
 * A list of integers (a stream's log indexes, a partnership's arrangement revisions) that
 * begins as a run of a column shared by many lists, as a snapshot holds them, and keeps
 * what is pushed after in an array of its own: a start reads a snapshot's lists without
 * copying them or making an array for each (at a million events, 1.4M integers in 97k
 * lists).
 */
export class IntList {
  private more: number[] | undefined;

  constructor(
    private readonly shared: Int32Array = NO_INTS,
    private readonly start = 0,
    private readonly sharedLength = 0,
  ) {}

  get length(): number {
    return this.sharedLength + (this.more?.length ?? 0);
  }

  /** The integer at `index`, which must be below `length`. */
  at(index: number): number {
    return index < this.sharedLength
      ? (this.shared[this.start + index] as number)
      : (this.more![index - this.sharedLength] as number);
  }

  push(value: number): void {
    (this.more ??= []).push(value);
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let index = 0; index < this.sharedLength; index++) {
      yield this.shared[this.start + index] as number;
    }
    if (this.more !== undefined) yield* this.more;
  }

  toArray(): number[] {
    const items = Array.from(this.shared.subarray(this.start, this.start + this.sharedLength));
    return this.more === undefined ? items : items.concat(this.more);
  }
}

const NO_INTS = new Int32Array(0);

function grow<A extends Float64Array | Int32Array | Uint8Array>(
  values: A,
  Type: new (length: number) => A,
): A {
  const next = new Type(Math.max(16, values.length * 2));
  next.set(values);
  return next;
}

/** A position as a store issues it: SQLite's are integers, EventStoreDB's `commit:prepare`. */
const INTEGER = /^(0|[1-9]\d{0,14})$/;

/**
 * The positions of the log, by index. Integer positions are kept as numbers, and a run of
 * consecutive ones from the first (SQLite's: 1, 2, 3, ...) as its first and its length
 * only (at 10M events, 80 MB neither held nor in the snapshot); the first position of
 * another form turns the column into strings (positions are opaque: each is given back
 * exactly as the store issued it).
 */
export class PositionColumn {
  /** The first position, when the column is of numbers and not empty. */
  private first = 0;
  /** How many positions from the first on are consecutive integers. */
  private dense = 0;
  /** The integer positions after that run. */
  private numbers: Float64Column | undefined;
  private strings: string[] | undefined;

  constructor(state?: PositionState) {
    if (state === undefined || state.kind === 'numbers') {
      this.first = state?.first ?? 0;
      this.dense = state?.dense ?? 0;
      this.numbers = new Float64Column(state?.values);
    } else {
      this.strings = state.values;
    }
  }

  get length(): number {
    return this.numbers !== undefined
      ? this.dense + this.numbers.length
      : (this.strings as string[]).length;
  }

  /** Adds a position: a number is an integer position the store issued as one. */
  push(position: string | number): void {
    const numbers = this.numbers;
    if (numbers !== undefined) {
      if (typeof position === 'number' || INTEGER.test(position)) {
        const value = Number(position);
        if (this.dense === 0) {
          this.first = value;
          this.dense = 1;
        } else if (numbers.length === 0 && value === this.first + this.dense) {
          this.dense++;
        } else {
          numbers.push(value);
        }
        return;
      }
      const strings: string[] = [];
      for (let index = 0; index < this.length; index++) strings.push(this.at(index));
      this.numbers = undefined;
      this.strings = strings;
    }
    (this.strings as string[]).push(String(position));
  }

  at(index: number): string {
    if (this.numbers === undefined) return (this.strings as string[])[index]!;
    return String(index < this.dense ? this.first + index : this.numbers.at(index - this.dense));
  }

  /** The index of a position, searching from the end (a resume is usually near it). */
  indexOf(position: string): number {
    const numbers = this.numbers;
    if (numbers !== undefined) {
      if (!INTEGER.test(position)) return -1;
      const wanted = Number(position);
      for (let index = numbers.length - 1; index >= 0; index--) {
        if (numbers.at(index) === wanted) return this.dense + index;
      }
      const offset = wanted - this.first;
      return offset >= 0 && offset < this.dense ? offset : -1;
    }
    return (this.strings as string[]).lastIndexOf(position);
  }

  state(): PositionState {
    return this.numbers !== undefined
      ? { kind: 'numbers', first: this.first, dense: this.dense, values: this.numbers.toArray() }
      : { kind: 'strings', values: [...(this.strings as string[])] };
  }
}

export type PositionState =
  | {
      readonly kind: 'numbers';
      /** The first position and how many consecutive ones follow from it (itself included). */
      readonly first: number;
      readonly dense: number;
      /** The positions after that run. */
      readonly values: Float64Array;
    }
  | { readonly kind: 'strings'; readonly values: string[] };

/**
 * The event ids of the log, by index: a lowercase UUID (what the store derives from a
 * commandId) in 16 bytes, any other id as its string. An event's index by its id comes
 * from a hash index over those bytes, built at the first such question (an inclusion
 * proof by event id) rather than at every start: a start from a snapshot then reads no
 * id at all.
 */
export class IdColumn {
  private bytes: Uint8Array;
  private count: number;
  private readonly others: Map<number, string>;
  /** Open addressing by the UUID's bytes: slot -> index + 1 (0 is empty); UUIDs only. */
  private slots: Int32Array | undefined;
  /** The index of each id that is not a UUID. */
  private otherIndexes: Map<string, number> | undefined;

  constructor(state?: IdState) {
    this.bytes = state?.bytes ?? new Uint8Array(UUID_BYTES * 1024);
    this.count = state?.count ?? 0;
    this.others = state?.others ?? new Map();
  }

  push(id: string): void {
    const index = this.next();
    this.placed(index, writeUuid(id, this.bytes, index * UUID_BYTES), id);
  }

  /** Adds the id at a row of a page of the log, taking a UUID's bytes without its text. */
  pushRow(page: IdRows, row: number): void {
    const index = this.next();
    const uuid = page.copyUuid(row, this.bytes, index * UUID_BYTES);
    this.placed(index, uuid, uuid ? undefined : page.id(row));
  }

  /** The index of the next id, with room for its bytes. */
  private next(): number {
    if (this.count * UUID_BYTES === this.bytes.length) this.bytes = grow(this.bytes, Uint8Array);
    return this.count++;
  }

  /** Indexes the id just written at `index`: its bytes if a UUID, else `other` itself. */
  private placed(index: number, uuid: boolean, other: string | undefined): void {
    if (uuid) {
      if (this.slots !== undefined) this.insert(index);
      return;
    }
    const offset = index * UUID_BYTES;
    this.bytes.fill(0, offset, offset + UUID_BYTES);
    this.others.set(index, other!);
    if (this.otherIndexes?.has(other!) === false) this.otherIndexes.set(other!, index);
  }

  at(index: number): string {
    const other = this.others.get(index);
    if (other !== undefined) return other;
    return uuidText(this.bytes, index * UUID_BYTES);
  }

  /** The index of the first event with this id, or undefined. */
  indexOf(id: string): number | undefined {
    if (this.slots === undefined || this.otherIndexes === undefined) this.buildIndex();
    if (!writeUuid(id, ID_SCRATCH, 0)) return this.otherIndexes!.get(id);
    const entry = this.slots![uuidSlot(this.slots!, this.bytes, ID_SCRATCH, 0)]!;
    return entry === 0 ? undefined : entry - 1;
  }

  state(): IdState {
    return {
      bytes: this.bytes.slice(0, this.count * UUID_BYTES),
      count: this.count,
      others: new Map(this.others),
    };
  }

  private buildIndex(): void {
    let size = 1 << 12;
    // At most three quarters full: 64 MB of slots for ten million ids.
    while (size * 0.75 < this.count + 1) size *= 2;
    this.slots = new Int32Array(size);
    for (let index = 0; index < this.count; index++) {
      if (!this.others.has(index)) this.insert(index);
    }
    this.otherIndexes = new Map();
    for (const [index, id] of this.others) {
      if (!this.otherIndexes.has(id)) this.otherIndexes.set(id, index);
    }
  }

  /** Adds the UUID at `index` (one already counted) to the slots; rebuilt when 3/4 full. */
  private insert(index: number): void {
    const slots = this.slots!;
    if ((index + 1) * 4 > slots.length * 3) {
      this.buildIndex();
      return;
    }
    placeUuid(slots, this.bytes, index + 1);
  }
}

const ID_SCRATCH = new Uint8Array(UUID_BYTES);

/** A page's ids by row (the log's `LogPage`). */
export interface IdRows {
  id(row: number): string;
  copyUuid(row: number, bytes: Uint8Array, offset: number): boolean;
}

export interface IdState {
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly others: Map<number, string>;
}

/** The first index of an ascending array whose value is `value` or more (its length if none). */
export function firstAtLeast(values: Int32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
