/**
 * Event ids as bytes: the store derives every event id from its command as a lowercase
 * UUID, which fits in 16 bytes instead of a 36-character string. What keeps many of them
 * (the read model's id column, verify's set of ids seen) keeps them this way, and any id
 * of another form as the string it is.
 */

export const UUID_BYTES = 16;
export const UUID_LENGTH = 36;
/** The value of each lowercase hex digit by its character code; -1 for any other. */
const HEX_VALUES = Int8Array.from({ length: 128 }, (_, code) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1,
);

const DASH = 45;

/**
 * Writes a lowercase UUID (8-4-4-4-12 hex digits) as its 16 bytes at `offset`, or returns
 * false for any other string. By hand: it runs once per event of a rebuild.
 */
export function writeUuid(id: string, bytes: Uint8Array, offset: number): boolean {
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

/** The 16 bytes of a UUID mixed into 32 bits (each word multiplied in, then avalanched). */
export function uuidHash(bytes: Uint8Array, offset: number): number {
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

/** Whether the UUIDs at `offset` of `bytes` and at `otherOffset` of `other` are the same. */
export function sameUuid(
  bytes: Uint8Array,
  offset: number,
  other: Uint8Array,
  otherOffset = 0,
): boolean {
  for (let index = 0; index < UUID_BYTES; index++) {
    if (bytes[offset + index] !== other[otherOffset + index]) return false;
  }
  return true;
}

/**
 * Open addressing over UUIDs kept one after the other in `bytes`: a slot holds an entry
 * number (the UUID at (entry - 1) * 16), 0 when empty; `slots` has a power-of-two length
 * and is never full. The slot holding the UUID at `probeOffset` of `probe`, else the empty
 * slot where it would go.
 */
export function uuidSlot(
  slots: Int32Array,
  bytes: Uint8Array,
  probe: Uint8Array,
  probeOffset: number,
): number {
  const mask = slots.length - 1;
  let slot = uuidHash(probe, probeOffset) & mask;
  for (let entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
    if (sameUuid(bytes, (entry - 1) * UUID_BYTES, probe, probeOffset)) return slot;
    slot = (slot + 1) & mask;
  }
  return slot;
}

/** Places `entry` (a UUID of `bytes` that no slot holds yet) in its empty slot. */
export function placeUuid(slots: Int32Array, bytes: Uint8Array, entry: number): void {
  const mask = slots.length - 1;
  let slot = uuidHash(bytes, (entry - 1) * UUID_BYTES) & mask;
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = entry;
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
export function uuidText(bytes: Uint8Array, offset: number): string {
  let at = 0;
  for (let index = 0; index < UUID_BYTES; index++) {
    const byte = bytes[offset + index]!;
    UUID_TEXT[at++] = HEX_DIGITS[2 * byte]!;
    UUID_TEXT[at++] = HEX_DIGITS[2 * byte + 1]!;
    if (index === 3 || index === 5 || index === 7 || index === 9) UUID_TEXT[at++] = DASH;
  }
  return UUID_TEXT.toString('latin1', 0, UUID_LENGTH);
}

/**
 * A set of ids, each a UUID's 16 bytes in one buffer indexed by open addressing (a JS Set
 * of a million 36-character strings hashes each string and rehashes as it grows), any
 * other string in a {@link TextSet}, and any other value (what a damaged log may hold
 * where an id belongs) in a Set, as a Set compares them.
 */
export class IdSet {
  private bytes: Uint8Array = new Uint8Array(UUID_BYTES * 1024);
  private count = 0;
  private slots: Int32Array = new Int32Array(2048);
  private readonly others = new TextSet();
  private readonly strays = new Set<unknown>();

  /** Adds the id; false when it was in the set already. */
  add(id: unknown): boolean {
    if (typeof id !== 'string') {
      const size = this.strays.size;
      return this.strays.add(id).size !== size;
    }
    if (this.count * UUID_BYTES === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    const offset = this.count * UUID_BYTES;
    if (!writeUuid(id, this.bytes, offset)) return this.others.add(id);
    const slot = uuidSlot(this.slots, this.bytes, this.bytes, offset);
    if (this.slots[slot] !== 0) return false;
    this.slots[slot] = ++this.count;
    // At most half full: doubled, every UUID placed again.
    if (this.count * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2);
      for (let entry = 1; entry <= this.count; entry++) placeUuid(this.slots, this.bytes, entry);
    }
    return true;
  }
}

/**
 * A set of strings kept as their UTF-16 code units one after the other in one array,
 * indexed by open addressing. It holds no string: a JS Set would keep each it is given, and
 * a string cut from a longer one (as a regular expression's match is) keeps all of that
 * longer text alive with it; over a million commands' metadata that was hundreds of MB and
 * most of verify's garbage collection.
 */
export class TextSet {
  private units: Uint16Array = new Uint16Array(16 * 1024);
  private used = 0;
  /** Entry n (from 1) spans units ends[n - 1] to ends[n]; ends[0] is 0. */
  private ends: Float64Array = new Float64Array(1025);
  private hashes: Int32Array = new Int32Array(1024);
  private count = 0;
  private slots: Int32Array = new Int32Array(2048);

  get size(): number {
    return this.count;
  }

  /** Adds the text; false when it was in the set already. */
  add(text: string): boolean {
    const hash = textHash(text);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      if (this.hashes[entry - 1] === hash && this.holds(entry, text)) return false;
      slot = (slot + 1) & mask;
    }
    this.append(text, hash);
    this.slots[slot] = this.count;
    // At most half full: doubled, every entry placed again by its kept hash.
    if (this.count * 2 > this.slots.length) {
      const slots = new Int32Array(this.slots.length * 2);
      const grownMask = slots.length - 1;
      for (let entry = 1; entry <= this.count; entry++) {
        let at = this.hashes[entry - 1]! & grownMask;
        while (slots[at] !== 0) at = (at + 1) & grownMask;
        slots[at] = entry;
      }
      this.slots = slots;
    }
    return true;
  }

  private holds(entry: number, text: string): boolean {
    const start = this.ends[entry - 1]!;
    if (this.ends[entry]! - start !== text.length) return false;
    const units = this.units;
    for (let index = 0; index < text.length; index++) {
      if (units[start + index] !== text.charCodeAt(index)) return false;
    }
    return true;
  }

  private append(text: string, hash: number): void {
    if (this.used + text.length > this.units.length) {
      const grown = new Uint16Array(Math.max(this.units.length * 2, this.used + text.length));
      grown.set(this.units);
      this.units = grown;
    }
    if (this.count === this.hashes.length) {
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const ends = new Float64Array(hashes.length + 1);
      ends.set(this.ends);
      this.ends = ends;
    }
    const units = this.units;
    let at = this.used;
    for (let index = 0; index < text.length; index++) units[at++] = text.charCodeAt(index);
    this.used = at;
    this.hashes[this.count] = hash;
    this.ends[++this.count] = at;
  }
}

/** FNV-1a over a string's UTF-16 code units, avalanched. */
function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  return hash ^ (hash >>> 13);
}
