import * as crypto from 'node:crypto';

const { createHash } = crypto;

/** Every hash of the tree is a SHA-256 digest. */
export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function sha256(...parts: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The root of the tree over no leaves: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = sha256();

/** RFC 9162 §2.1.1: SHA-256(0x00 || leaf bytes). */
export function leafHashOf(bytes: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, bytes);
}

/**
 * One-shot SHA-256 (crypto.hash, Node 20.12 and later: it skips the Hash object, a third
 * of the cost of small hashes); createHash on older Node.
 */
const oneShot: (data: string | Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => createHash('sha256').update(data).digest();

/**
 * One-shot SHA-256 as a 32-character latin1 string (one character per byte). Most of a
 * small hash's cost in Node is the Buffer made for its output, not the hashing: a string
 * is less than half the cost per hash (for a tree's interior nodes, a third), and is
 * written into a hash list's buffer without one (HashList.pushLatin1). Node's 'binary' is
 * its name for latin1.
 */
export const sha256Latin1: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => createHash('sha256').update(data).digest('binary');

/**
 * Writes a hash given as sha256Latin1 gives it into `target` at `offset`, character by
 * character: Buffer#write's cost per call is several times that of 32 bytes.
 */
export function writeLatin1Hash(hash: string, target: Uint8Array, offset: number): void {
  for (let i = 0; i < HASH_BYTES; i++) target[offset + i] = hash.charCodeAt(i);
}

/** SHA-256(0x00 || UTF-8 of text): U+0000 is the one byte 0x00 in UTF-8. */
export function leafHashOfText(text: string): Buffer {
  return oneShot(`\u0000${text}`);
}

/** leafHashOfText, as sha256Latin1 gives it. */
export function leafHashLatin1OfText(text: string): string {
  return sha256Latin1(`\u0000${text}`);
}

/** One buffer for every interior node: hashing it whole beats feeding three parts. */
const node = Buffer.alloc(1 + 2 * HASH_BYTES);
node.set(NODE_PREFIX, 0);

/** RFC 9162 §2.1.1: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  node.set(left, 1);
  node.set(right, 1 + HASH_BYTES);
  return oneShot(node);
}

export function toHex(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}

/** A lowercase hex SHA-256 hash, or undefined when the text is not one. */
export function fromHex(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !/^[0-9a-f]{64}$/.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

/** The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
