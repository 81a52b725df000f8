import { readSync } from 'node:fs';
import {
  EMPTY_ROOT,
  HASH_BYTES,
  nodeHash,
  sha256Latin1,
  splitPoint,
  writeLatin1Hash,
} from './hashes';

/** Where a list's first hashes lie in a file: read when asked for, never held. */
export interface HashesInFile {
  readonly fd: number;
  /** The byte offset of the list's first hash. */
  readonly offset: number;
  /** How many hashes lie there. */
  readonly count: number;
}

/**
 * A growable array of 32-byte hashes in one buffer: a million leaves take 32 MB and no
 * per-hash object. A list may begin in a file (a checkpoint's level, HashList.inFile): its
 * first hashes are read from there when asked for, and only what is pushed after is held.
 */
export class HashList {
  private buffer: Buffer;
  /** The hashes that lie in the file, before those in `buffer`. */
  private inFile = 0;
  private file: HashesInFile | undefined;
  length = 0;

  constructor(capacity = 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 16) * HASH_BYTES);
  }

  /**
   * The first `count` hashes of `bytes`, in place; the rest of `bytes` is room for more
   * (once it is full, a push copies them into a larger buffer).
   */
  static over(bytes: Buffer, count: number): HashList {
    if (bytes.length < count * HASH_BYTES) throw new RangeError(`${count} hashes need more bytes`);
    const list = new HashList(0);
    list.buffer = bytes;
    list.length = count;
    return list;
  }

  /** The hashes the list holds, then its room (HashList.over takes it back). */
  get memory(): Buffer {
    return this.buffer;
  }

  /** The hashes that lie in a file, read from it when asked for; pushes are held. */
  static inFile(file: HashesInFile): HashList {
    const list = new HashList(0);
    list.file = file;
    list.inFile = list.length = file.count;
    return list;
  }

  /** `count` hashes written by `fill` into the list's own buffer, which has room to grow. */
  static filled(count: number, fill: (target: Buffer) => void): HashList {
    const list = new HashList(count + Math.max(1024, Math.ceil(count / 8)));
    fill(list.buffer.subarray(0, count * HASH_BYTES));
    list.length = count;
    return list;
  }

  /** How many of the list's first hashes are read from a file. */
  get readFromFileCount(): number {
    return this.inFile;
  }

  /** The file the list's first hashes are read from, if any. */
  get fileDescriptor(): number | undefined {
    return this.inFile > 0 ? this.file?.fd : undefined;
  }

  /**
   * Takes the list's first `file.count` hashes as lying in `file` from now on (a checkpoint
   * just written holds them), and lets go of the memory that held them: what remains held
   * moves into a buffer of its own size. At least the hashes it reads from a file now.
   */
  moveToFile(file: HashesInFile): void {
    if (file.count < this.inFile || file.count > this.length) {
      throw new RangeError(`cannot move ${file.count} of ${this.length} hashes to a file`);
    }
    const from = (file.count - this.inFile) * HASH_BYTES;
    const held = this.length - file.count;
    const buffer = Buffer.allocUnsafe(Math.max(1024, held + Math.ceil(held / 4)) * HASH_BYTES);
    this.buffer.copy(buffer, 0, from, from + held * HASH_BYTES);
    this.buffer = buffer;
    this.file = file;
    this.inFile = file.count;
  }

  get(index: number): Buffer {
    if (index < this.inFile) {
      const hash = Buffer.allocUnsafe(HASH_BYTES);
      this.readFromFile(index, hash, 0);
      return hash;
    }
    const start = (index - this.inFile) * HASH_BYTES;
    return this.buffer.subarray(start, start + HASH_BYTES);
  }

  push(hash: Uint8Array): void {
    this.makeRoom();
    this.buffer.set(hash, (this.length - this.inFile) * HASH_BYTES);
    this.length++;
  }

  /** Pushes a hash given as 32 latin1 characters (sha256Latin1), without a Buffer for it. */
  pushLatin1(hash: string): void {
    if (hash.length !== HASH_BYTES) throw new RangeError('a hash is 32 latin1 characters');
    this.makeRoom();
    writeLatin1Hash(hash, this.buffer, (this.length - this.inFile) * HASH_BYTES);
    this.length++;
  }

  /**
   * Writes hashes `index` and `index + 1` into `target` at `offset` (64 bytes): the two
   * children of a node, without a view of each.
   */
  copyPair(index: number, target: Uint8Array, offset: number): void {
    if (index < this.inFile) {
      this.readFromFile(index, target, offset);
      if (index + 1 < this.inFile) this.readFromFile(index + 1, target, offset + HASH_BYTES);
      else this.copyHeld(index + 1, 1, target, offset + HASH_BYTES);
      return;
    }
    this.copyHeld(index, 2, target, offset);
  }

  /** Copies `count` held hashes from `index` on, byte by byte (cheaper than a view for 64). */
  private copyHeld(index: number, count: number, target: Uint8Array, offset: number): void {
    const buffer = this.buffer;
    const start = (index - this.inFile) * HASH_BYTES;
    for (let i = 0; i < count * HASH_BYTES; i++) target[offset + i] = buffer[start + i]!;
  }

  private readFromFile(index: number, target: Uint8Array, offset: number): void {
    const file = this.file!;
    const read = readSync(file.fd, target, offset, HASH_BYTES, file.offset + index * HASH_BYTES);
    // The server replaces a checkpoint by renaming a new file over it, which leaves this
    // one whole: a file cut short under it was changed by something else.
    if (read !== HASH_BYTES) throw new Error('the audit tree checkpoint changed under the server');
  }

  private makeRoom(): void {
    const held = this.length - this.inFile;
    if ((held + 1) * HASH_BYTES > this.buffer.length) {
      // A quarter more at a time: a million leaves do not double into 64 MB at once.
      const capacity = held + Math.max(1024, Math.ceil(held / 4));
      const grown = Buffer.allocUnsafe(capacity * HASH_BYTES);
      this.buffer.copy(grown, 0, 0, held * HASH_BYTES);
      this.buffer = grown;
    }
  }

  truncate(length: number): void {
    this.length = Math.min(this.length, length);
    this.inFile = Math.min(this.inFile, this.length);
  }

  /**
   * The first `count` hashes as consecutive pieces of at most `pieceBytes` bytes, those
   * in the file read into one reused buffer (copy a piece before asking for the next);
   * those held, views of them.
   */
  *pieces(count = this.length, pieceBytes = 1 << 20): Generator<Buffer> {
    const fromFile = Math.min(count, this.inFile);
    if (fromFile > 0) {
      const file = this.file!;
      const piece = Buffer.allocUnsafe(Math.min(pieceBytes, fromFile * HASH_BYTES));
      for (let offset = 0; offset < fromFile * HASH_BYTES; offset += piece.length) {
        const bytes = piece.subarray(0, Math.min(piece.length, fromFile * HASH_BYTES - offset));
        const read = readSync(file.fd, bytes, 0, bytes.length, file.offset + offset);
        if (read !== bytes.length) {
          throw new Error('the audit tree checkpoint changed under the server');
        }
        yield bytes;
      }
    }
    const held = this.buffer.subarray(0, (count - fromFile) * HASH_BYTES);
    for (let offset = 0; offset < held.length; offset += pieceBytes) {
      yield held.subarray(offset, offset + pieceBytes);
    }
  }

  /** The first `count` hashes, as one buffer (the held ones shared, not copied). */
  bytes(count = this.length): Buffer {
    if (this.inFile === 0) return this.buffer.subarray(0, count * HASH_BYTES);
    return Buffer.concat([...this.pieces(count)].map((piece) => Buffer.from(piece)));
  }
}

// eslint-disable-next-line require-yield
function* empty(): Generator<Buffer> {
  return;
}

/**
 * 0x01, then the two children of the node being hashed, as one buffer; the children start
 * on a 4-byte boundary, so that they can be copied in as 16 words (NODE_WORDS).
 */
const NODE_MEMORY = new ArrayBuffer(4 + 2 * HASH_BYTES);
const NODE = Buffer.from(NODE_MEMORY, 3, 1 + 2 * HASH_BYTES).fill(0x01, 0, 1);
const NODE_WORDS = new Uint32Array(NODE_MEMORY, 4, (2 * HASH_BYTES) / 4);

/**
 * The Merkle tree of RFC 9162 over a list of leaf hashes. Level k keeps the root of every
 * complete, aligned subtree of 2^k leaves, so any subtree the RFC's recursion meets is
 * found in O(log n) and roots and proofs at a million leaves take microseconds.
 *
 * `size` is the number of leaves the tree stands for; levels may hold more (loaded from a
 * checkpoint and not yet confirmed by the log), which `advance` accepts one by one.
 */
export class MerkleTree {
  private readonly levels: HashList[];
  size = 0;

  constructor(levels: HashList[] = [new HashList()]) {
    this.levels = levels;
  }

  /**
   * An empty tree with room for `leaves` leaves at every level: a tree grown by a quarter
   * at a time copies each level about five times over (at 1M leaves, seconds of `audit
   * verify` spent copying).
   */
  static withRoomFor(leaves: number): MerkleTree {
    const levels = [new HashList(leaves + 1)];
    for (let count = Math.floor(leaves / 2); count >= 1; count = Math.floor(count / 2)) {
      levels.push(new HashList(count + 1));
    }
    return new MerkleTree(levels);
  }

  /** The hashes its levels hold in memory (not read from a file). */
  get heldHashes(): number {
    return this.levels.reduce((sum, level) => sum + level.length - level.readFromFileCount, 0);
  }

  /** The files its levels read hashes from. */
  get fileDescriptors(): Set<number> {
    const descriptors = new Set<number>();
    for (const level of this.levels) {
      if (level.fileDescriptor !== undefined) descriptors.add(level.fileDescriptor);
    }
    return descriptors;
  }

  /**
   * Takes each level's first hashes as lying in a file (a checkpoint of the first `files[0].count`
   * leaves just written), one entry per level; false, and nothing moved, when a level reads
   * more from a file now than that file would hold.
   */
  moveToFiles(files: readonly HashesInFile[]): boolean {
    const fits = files.every((file, level) => {
      const list = this.levels[level];
      return (
        list !== undefined && file.count >= list.readFromFileCount && file.count <= list.length
      );
    });
    if (!fits) return false;
    files.forEach((file, level) => this.levels[level].moveToFile(file));
    return true;
  }

  /** Leaves held beyond `size`: loaded, waiting for the log to reach them. */
  get held(): number {
    return this.levels[0].length;
  }

  leaf(index: number): Buffer {
    return this.levels[0].get(index);
  }

  /** Appends a leaf hash at `size`, dropping anything held beyond it. */
  append(leafHash: Uint8Array): void {
    if (this.levels[0].length > this.size) this.truncate(this.size);
    this.levels[0].push(leafHash);
    this.completePairs();
  }

  /** append, for a leaf hash given as sha256Latin1 gives it (leafHashLatin1OfText). */
  appendLatin1(leafHash: string): void {
    if (this.levels[0].length > this.size) this.truncate(this.size);
    this.levels[0].pushLatin1(leafHash);
    this.completePairs();
  }

  /** After a leaf was pushed at `size`: counts it, and hashes the pairs it completes. */
  private completePairs(): void {
    let index = this.size;
    this.size++;
    // Each odd index completes a pair: the parent one level up, SHA-256(0x01 || left ||
    // right), hashed from one buffer the pair is copied into.
    for (let level = 0; index % 2 === 1; level++) {
      this.levels[level].copyPair(index - 1, NODE, 1);
      this.levels[level + 1] ??= new HashList();
      this.levels[level + 1].pushLatin1(sha256Latin1(NODE));
      index = (index - 1) / 2;
    }
  }

  /** Accepts the next held leaf (and the subtrees it completes) as part of the tree. */
  advance(): void {
    if (this.size >= this.levels[0].length) throw new RangeError('no held leaf to advance to');
    this.size++;
  }

  /** advance, up to `size` leaves at once. */
  advanceTo(size: number): void {
    if (!Number.isSafeInteger(size) || size < this.size || size > this.levels[0].length) {
      throw new RangeError(`cannot advance from ${this.size} to ${size} leaves`);
    }
    this.size = size;
  }

  /** Forgets every leaf from `size` on, with the subtrees that covered them. */
  truncate(size: number): void {
    this.size = Math.min(this.size, size);
    for (let level = 0; level < this.levels.length; level++) {
      this.levels[level].truncate(Math.floor(size / 2 ** level));
    }
  }

  /** The root hash of the first n leaves (RFC 9162 §2.1.1). */
  root(n = this.size): Buffer {
    this.checkSize(n);
    return n === 0 ? EMPTY_ROOT : this.subtree(0, n);
  }

  /** RFC 9162 §2.1.3.1: the audit path of leaf m in the tree of the first n leaves. */
  inclusionProof(m: number, n = this.size): Buffer[] {
    this.checkSize(n);
    if (!Number.isSafeInteger(m) || m < 0 || m >= n) {
      throw new RangeError(`leaf ${m} is not in a tree of ${n} leaves`);
    }
    const path: Buffer[] = [];
    let start = 0;
    let end = n;
    // Walk down from the root; the siblings met are the path, leaf side first.
    while (end - start > 1) {
      const k = splitPoint(end - start);
      if (m - start < k) {
        path.push(this.subtree(start + k, end));
        end = start + k;
      } else {
        path.push(this.subtree(start, start + k));
        start += k;
      }
    }
    return path.reverse();
  }

  /** RFC 9162 §2.1.4.1: the consistency proof from the first m leaves to the first n. */
  consistencyProof(m: number, n = this.size): Buffer[] {
    this.checkSize(n);
    if (!Number.isSafeInteger(m) || m < 0 || m > n) {
      throw new RangeError(`tree size ${m} is not between 0 and ${n}`);
    }
    if (m === 0 || m === n) return [];
    const proof: Buffer[] = [];
    let start = 0;
    let end = n;
    let complete = true;
    // SUBPROOF(m, D[start:end], complete), unrolled; the nodes come out root side first.
    for (;;) {
      if (m === end - start) {
        if (!complete) proof.push(this.subtree(start, end));
        break;
      }
      const k = splitPoint(end - start);
      if (m <= k) {
        proof.push(this.subtree(start + k, end));
        end = start + k;
      } else {
        proof.push(this.subtree(start, start + k));
        m -= k;
        start += k;
        complete = false;
      }
    }
    return proof.reverse();
  }

  /**
   * Every level's hashes for the first n leaves, leaves first, each as pieces of at most
   * `pieceBytes` (see HashList.pieces: copy a piece before asking for the next): what a
   * checkpoint keeps, written without holding it whole.
   */
  *levelPieces(n = this.size, pieceBytes = 1 << 20): Generator<Generator<Buffer>> {
    for (let level = 0; 2 ** level <= Math.max(n, 1); level++) {
      const count = Math.floor(n / 2 ** level);
      const list = this.levels[level];
      yield list === undefined || count === 0 ? empty() : list.pieces(count, pieceBytes);
    }
  }

  /** Every level's hashes for the first n leaves, leaves first, each as one buffer. */
  levelBytes(n = this.size): Buffer[] {
    const out: Buffer[] = [];
    for (let level = 0; 2 ** level <= Math.max(n, 1); level++) {
      const count = Math.floor(n / 2 ** level);
      out.push(this.levels[level]?.bytes(count) ?? Buffer.alloc(0));
    }
    return out;
  }

  /** MTH(D[start:end]) for a range the RFC's recursion produces (start aligned to its split). */
  private subtree(start: number, end: number): Buffer {
    const width = end - start;
    if ((width & (width - 1)) === 0) {
      const level = Math.log2(width);
      const stored = this.levels[level];
      const index = start / width;
      if (stored !== undefined && Number.isInteger(index) && index < stored.length) {
        return stored.get(index);
      }
    }
    const k = splitPoint(width);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  private checkSize(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.size) {
      throw new RangeError(`tree size ${n} is not between 0 and ${this.size}`);
    }
  }
}

/**
 * A tree built over a buffer of leaf hashes that fills from its start, as audit verify
 * merges the log's two halves: `grow(count)` hashes every pair the first `count` leaves
 * complete, level by level, each pair copied in as 16 words; a tree grown leaf by leaf
 * copies bytes and walks up from each leaf, at about twice the cost.
 */
export class TreeBuilder {
  /** Each level's hashes, level 0 the leaves; each with room for the most it can hold. */
  private readonly levels: Buffer[];
  /** Each level's words, to copy pairs from. */
  private readonly words: Uint32Array[];
  /** How many hashes of each level are written. */
  private readonly counts: number[];

  /**
   * `leaves` (kept as the tree's lowest level) with room for `capacity` leaf hashes,
   * filled from the start before each grow.
   */
  constructor(
    private readonly leaves: Buffer,
    capacity: number,
  ) {
    // Words need a 4-byte boundary: where the leaves do not start on one, each grow copies
    // the new ones into a buffer that does.
    this.levels = [leaves.byteOffset % 4 === 0 ? leaves : Buffer.alloc(leaves.length)];
    for (let count = Math.floor(capacity / 2); count >= 1; count = Math.floor(count / 2)) {
      this.levels.push(Buffer.alloc((count + 1) * HASH_BYTES));
    }
    this.words = this.levels.map(
      (level) => new Uint32Array(level.buffer, level.byteOffset, Math.floor(level.length / 4)),
    );
    this.counts = this.levels.map(() => 0);
  }

  /** Hashes every pair the first `count` leaves complete, up to the top (count never shrinks). */
  grow(count: number): void {
    const lowest = this.levels[0];
    if (count * HASH_BYTES > lowest.length || count < this.counts[0]) {
      throw new RangeError(`cannot grow from ${this.counts[0]} to ${count} leaves`);
    }
    if (lowest !== this.leaves) {
      this.leaves.copy(
        lowest,
        this.counts[0] * HASH_BYTES,
        this.counts[0] * HASH_BYTES,
        count * HASH_BYTES,
      );
    }
    this.counts[0] = count;
    const wordsPerPair = NODE_WORDS.length;
    for (let level = 0; level + 1 < this.levels.length; level++) {
      const pairs = Math.floor(this.counts[level] / 2);
      const done = this.counts[level + 1];
      // The levels above were written as far as this one allowed.
      if (pairs <= done) break;
      const words = this.words[level];
      const above = this.levels[level + 1];
      for (let pair = done; pair < pairs; pair++) {
        const from = pair * wordsPerPair;
        for (let i = 0; i < wordsPerPair; i++) NODE_WORDS[i] = words[from + i]!;
        writeLatin1Hash(sha256Latin1(NODE), above, pair * HASH_BYTES);
      }
      this.counts[level + 1] = pairs;
    }
  }

  /** The tree of the first `count` leaves (grown to them first). */
  tree(count: number): MerkleTree {
    this.grow(count);
    const levels = [HashList.over(this.leaves, count)];
    for (let level = 1; level < this.levels.length && this.counts[level] > 0; level++) {
      levels.push(HashList.over(this.levels[level], this.counts[level]));
    }
    const tree = new MerkleTree(levels);
    tree.size = count;
    return tree;
  }
}
