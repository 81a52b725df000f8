/**
 * Growable columns of numbers and compact columns of the log's strings: what the read model
 * keeps per event instead of the event itself (8 bytes for a time, 4 for an index, 16 for
 * an id that is a UUID), so that its memory does not grow with the bytes of the history.
 */

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

  toArray(): Int32Array {
    return this.values.slice(0, this.length);
  }
}

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
 * The positions of the log, by index. Integer positions are kept as numbers; the first
 * position of another form turns the column into strings (positions are opaque: each is
 * given back exactly as the store issued it).
 */
export class PositionColumn {
  private numbers: Float64Column | undefined;
  private strings: string[] | undefined;

  constructor(state?: PositionState) {
    if (state === undefined || state.kind === 'numbers') {
      this.numbers = new Float64Column(state?.values);
    } else {
      this.strings = state.values;
    }
  }

  get length(): number {
    return this.numbers?.length ?? (this.strings as string[]).length;
  }

  push(position: string): void {
    if (this.numbers !== undefined) {
      if (INTEGER.test(position)) {
        this.numbers.push(Number(position));
        return;
      }
      const strings: string[] = [];
      for (let index = 0; index < this.numbers.length; index++) {
        strings.push(String(this.numbers.at(index)));
      }
      this.numbers = undefined;
      this.strings = strings;
    }
    (this.strings as string[]).push(position);
  }

  at(index: number): string {
    return this.numbers !== undefined
      ? String(this.numbers.at(index))
      : (this.strings as string[])[index]!;
  }

  /** The index of a position, searching from the end (a resume is usually near it). */
  indexOf(position: string): number {
    if (this.numbers !== undefined) {
      if (!INTEGER.test(position)) return -1;
      const wanted = Number(position);
      for (let index = this.numbers.length - 1; index >= 0; index--) {
        if (this.numbers.at(index) === wanted) return index;
      }
      return -1;
    }
    return (this.strings as string[]).lastIndexOf(position);
  }

  state(): PositionState {
    return this.numbers !== undefined
      ? { kind: 'numbers', values: this.numbers.toArray() }
      : { kind: 'strings', values: [...(this.strings as string[])] };
  }
}

export type PositionState =
  | { readonly kind: 'numbers'; readonly values: Float64Array }
  | { readonly kind: 'strings'; readonly values: string[] };

const UUID_BYTES = 16;
const UUID_LENGTH = 36;
/** The value of each lowercase hex digit by its character code; -1 for any other. */
const HEX_VALUES = Int8Array.from({ length: 128 }, (_, code) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1,
);

const DASH = 45;

/**
 * Writes a lowercase UUID (8-4-4-4-12 hex digits) as its 16 bytes at `offset`, or returns
 * false for any other string. By hand: it runs once per event of a rebuild.
 */
function writeUuid(id: string, bytes: Uint8Array, offset: number): boolean {
  if (id.length !== UUID_LENGTH) return false;
  let at = offset;
  let index = 0;
  while (index < UUID_LENGTH) {
    if (index === 8 || index === 13 || index === 18 || index === 23) {
      if (id.charCodeAt(index) !== DASH) return false;
      index++;
      continue;
    }
    const high = HEX_VALUES[id.charCodeAt(index)] ?? -1;
    const low = HEX_VALUES[id.charCodeAt(index + 1)] ?? -1;
    if (high < 0 || low < 0) return false;
    bytes[at++] = (high << 4) | low;
    index += 2;
  }
  return true;
}

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
    if (this.count * UUID_BYTES === this.bytes.length) this.bytes = grow(this.bytes, Uint8Array);
    const index = this.count++;
    const offset = index * UUID_BYTES;
    if (writeUuid(id, this.bytes, offset)) {
      if (this.slots !== undefined) this.insert(index);
    } else {
      this.bytes.fill(0, offset, offset + UUID_BYTES);
      this.others.set(index, id);
      if (this.otherIndexes?.has(id) === false) this.otherIndexes.set(id, index);
    }
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
    const slots = this.slots!;
    const mask = slots.length - 1;
    for (let slot = uuidHash(ID_SCRATCH, 0) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === 0) return undefined;
      if (sameUuid(this.bytes, (entry - 1) * UUID_BYTES, ID_SCRATCH)) return entry - 1;
    }
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
    const mask = slots.length - 1;
    let slot = uuidHash(this.bytes, index * UUID_BYTES) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = index + 1;
  }
}

const ID_SCRATCH = new Uint8Array(UUID_BYTES);

/** The 16 bytes of a UUID mixed into 32 bits (each word multiplied in, then avalanched). */
function uuidHash(bytes: Uint8Array, offset: number): number {
  let hash = 0x9e3779b9;
  for (let at = offset; at < offset + UUID_BYTES; at += 4) {
    const word =
      bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
    hash = Math.imul(hash ^ word, 0x85ebca6b);
    hash ^= hash >>> 13;
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

function sameUuid(bytes: Uint8Array, offset: number, uuid: Uint8Array): boolean {
  for (let index = 0; index < UUID_BYTES; index++) {
    if (bytes[offset + index] !== uuid[index]) return false;
  }
  return true;
}

/** Each byte value's two lowercase hex digits, as character codes: byte b at 2b and 2b + 1. */
const HEX_DIGITS = Buffer.from(
  Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0')).join(''),
  'latin1',
);
const UUID_TEXT = Buffer.alloc(UUID_LENGTH);

/**
 * The text of the UUID at `offset`, written into one scratch buffer and read out as one
 * string: a start from a snapshot asks for every id once (the audit tree indexes them), and
 * a hex string cut into five pieces and joined again cost about twice as much.
 */
function uuidText(bytes: Uint8Array, offset: number): string {
  let at = 0;
  for (let index = 0; index < UUID_BYTES; index++) {
    const byte = bytes[offset + index]!;
    UUID_TEXT[at++] = HEX_DIGITS[2 * byte]!;
    UUID_TEXT[at++] = HEX_DIGITS[2 * byte + 1]!;
    if (index === 3 || index === 5 || index === 7 || index === 9) UUID_TEXT[at++] = DASH;
  }
  return UUID_TEXT.toString('latin1', 0, UUID_LENGTH);
}

export interface IdState {
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly others: Map<number, string>;
}
