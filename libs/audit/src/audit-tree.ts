import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { FileHandle, open, rename, rm } from 'node:fs/promises';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { readFully } from '@partnerships/event-store/file-reads';
import { HASH_BYTES, sha256 } from './hashes';
import { eventLeafHash } from './leaf';
import { HashList, MerkleTree } from './merkle-tree';

/** A checkpoint file: magic, leaf count (u64 LE), SHA-256 of the body, then each level. */
const MAGIC = Buffer.from('PTAUDIT1', 'latin1');
const HEADER_BYTES = MAGIC.length + 8 + HASH_BYTES;
/** Leaves from a checkpoint are recomputed from the log at this interval, and the last one. */
const SAMPLE_EVERY = 4096;
/** How much of a checkpoint is hashed in one turn of the event loop. */
const SAVE_CHUNK_BYTES = 1 << 20;

/** Where the tree finds the log's events: what it hashes again, and an event's index. */
export interface LogEvents {
  /** The event at a leaf index, for recomputing leaves a checkpoint got wrong. */
  eventAt(index: number): RecordedEvent;
  /** The log index of the event with this id, or undefined. */
  indexOf(eventId: string): number | undefined;
}

/**
 * The log's Merkle tree as a projection: fed every event in commit order, it keeps the
 * leaf hashes and the tree, and finds an event's leaf by its id.
 *
 * A checkpoint (the tree's hashes in a file) spares recomputing a million leaves at every
 * start. The server trusts it only after the log agrees: every 4096th leaf and the last
 * one are recomputed from the events as they arrive, and on the first disagreement the
 * leaves since the last agreeing sample are recomputed and the rest of the file is
 * dropped. An auditor never relies on it: `audit verify` recomputes every leaf.
 */
export class AuditTree {
  readonly tree: MerkleTree;
  private held: number;
  private lastAgreed = -1;
  private computed = 0;

  constructor(
    private readonly events: LogEvents,
    levels?: HashList[],
  ) {
    this.tree = new MerkleTree(levels);
    this.held = levels === undefined ? 0 : levels[0].length;
  }

  /** A tree that starts from the checkpoint at `file`, if one is there and whole. */
  static fromCheckpoint(
    file: string | undefined,
    events: LogEvents,
  ): { tree: AuditTree; loaded: number; problem?: string } {
    return AuditTree.fromRead(readAuditCheckpoint(file), events);
  }

  /** A tree that starts from a checkpoint read (readAuditCheckpoint), if it had one. */
  static fromRead(
    { levels, problem }: AuditCheckpoint,
    events: LogEvents,
  ): { tree: AuditTree; loaded: number; problem?: string } {
    if (levels === undefined) return { tree: new AuditTree(events), loaded: 0, problem };
    return { tree: new AuditTree(events, levels), loaded: levels[0].length };
  }

  get size(): number {
    return this.tree.size;
  }

  /** Leaves hashed from events (not taken from a checkpoint) since the start. */
  get computedLeaves(): number {
    return this.computed;
  }

  /**
   * Whether `apply` needs the whole event at this leaf index: past the checkpoint, and at
   * the leaves it samples; elsewhere the event's id is all it reads.
   */
  needsWholeEvent(index: number): boolean {
    return index >= this.held || index % SAMPLE_EVERY === 0 || index === this.held - 1;
  }

  /** Whether the event hashes to the checkpoint's leaf at its index (one held, not yet applied). */
  agreesWithCheckpoint(index: number, event: RecordedEvent): boolean {
    return index < this.held && eventLeafHash(event).equals(this.tree.leaf(index));
  }

  /** The next event of the log, in commit order. */
  apply(event: RecordedEvent): void {
    const index = this.tree.size;
    if (index < this.held) {
      const sampled = index % SAMPLE_EVERY === 0 || index === this.held - 1;
      if (!sampled) {
        this.tree.advance();
      } else if (eventLeafHash(event).equals(this.tree.leaf(index))) {
        this.tree.advance();
        this.lastAgreed = index;
      } else {
        this.distrustFrom(this.lastAgreed + 1);
        this.append(eventLeafHash(event));
      }
    } else {
      this.append(eventLeafHash(event));
    }
  }

  /**
   * Takes the checkpoint's leaves up to leaf `end` (exclusive) as they are, without their
   * events: the log's ids and the samples around them vouch for them. None may be a leaf
   * it samples or one past the checkpoint.
   */
  skipTo(end: number): void {
    for (let index = this.tree.size; index < end; index++) {
      if (this.needsWholeEvent(index)) {
        throw new RangeError(`leaf ${index} must be checked against its event`);
      }
    }
    this.tree.advanceTo(end);
  }

  /** The leaf index of an event id, or undefined. */
  leafIndexOf(eventId: string): number | undefined {
    const index = this.events.indexOf(eventId);
    return index !== undefined && index < this.tree.size ? index : undefined;
  }

  /** The checkpoint bytes of the tree as it stands. */
  checkpoint(): Buffer[] {
    const levels = this.tree.levelBytes();
    const count = Buffer.alloc(8);
    count.writeBigUInt64LE(BigInt(this.tree.size));
    const hash = sha256(count, ...levels);
    return [MAGIC, count, hash, ...levels];
  }

  /**
   * Writes the checkpoint atomically (a temporary file renamed over the old one), without
   * holding the event loop: a million leaves are 64 MB to hash and write, which in one
   * piece stalled every request for a few hundred milliseconds. The hash is taken a
   * megabyte at a time between turns of the loop, and the levels are written as they are
   * (no copy into one buffer). What it writes cannot change under it: a level's hashes
   * below the size taken here are never rewritten while the log only grows.
   */
  async save(file: string): Promise<void> {
    const levels = this.tree.levelBytes();
    const count = Buffer.alloc(8);
    count.writeBigUInt64LE(BigInt(this.tree.size));
    const hash = createHash('sha256').update(count);
    for (const level of levels) {
      for (let offset = 0; offset < level.length; offset += SAVE_CHUNK_BYTES) {
        hash.update(level.subarray(offset, offset + SAVE_CHUNK_BYTES));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: FileHandle | undefined;
    try {
      handle = await open(temporary, 'w');
      for (const part of [MAGIC, count, hash.digest(), ...levels]) {
        for (let written = 0; written < part.length;) {
          written += (await handle.write(part, written, part.length - written)).bytesWritten;
        }
      }
      await handle.close();
      handle = undefined;
      await rename(temporary, file);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
  }

  saveSync(file: string): void {
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(temporary, Buffer.concat(this.checkpoint()));
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  private append(leafHash: Buffer): void {
    this.tree.append(leafHash);
    this.held = 0;
    this.computed++;
  }

  /** Drops the checkpoint's leaves from `index` on and recomputes those the log already gave. */
  private distrustFrom(index: number): void {
    const size = this.tree.size;
    this.tree.truncate(index);
    this.held = 0;
    for (let leaf = index; leaf < size; leaf++) {
      this.append(eventLeafHash(this.events.eventAt(leaf)));
    }
  }
}

/** The levels of a checkpoint, or why there are none (no problem: there is no file). */
export interface AuditCheckpoint {
  readonly levels: HashList[] | undefined;
  readonly problem: string | undefined;
}

/** The checkpoint at `file` read and checked (see readCheckpoint); never throws. */
export function readAuditCheckpoint(file: string | undefined): AuditCheckpoint {
  if (file === undefined) return { levels: undefined, problem: undefined };
  let levels: HashList[] | undefined;
  try {
    levels = readCheckpoint(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      levels: undefined,
      problem: code === 'ENOENT' ? undefined : `cannot read ${file}: ${code ?? String(error)}`,
    };
  }
  if (levels === undefined) return { levels, problem: `${file} is not a whole checkpoint` };
  return { levels, problem: undefined };
}

/**
 * The levels of the checkpoint at `file`, each read straight into its own list (no copy of
 * the whole file, which at ten million leaves is 640 MB held twice), or undefined when the
 * file is not a whole checkpoint. Throws when the file cannot be read.
 */
function readCheckpoint(file: string): HashList[] | undefined {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(HEADER_BYTES);
    if (size < HEADER_BYTES || !readFully(fd, header, 0)) return undefined;
    if (!header.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const countBytes = header.subarray(MAGIC.length, MAGIC.length + 8);
    const count = Number(countBytes.readBigUInt64LE());
    const counts: number[] = [];
    for (let level = 0; 2 ** level <= Math.max(count, 1); level++) {
      counts.push(Math.floor(count / 2 ** level));
    }
    const bodyBytes = counts.reduce((sum, hashes) => sum + hashes * HASH_BYTES, 0);
    if (size - HEADER_BYTES !== bodyBytes) return undefined;
    const hash = createHash('sha256').update(countBytes);
    let offset = HEADER_BYTES;
    let whole = true;
    const levels = counts.map((hashes) =>
      HashList.filled(hashes, (target) => {
        whole &&= readFully(fd, target, offset);
        hash.update(target);
        offset += target.length;
      }),
    );
    if (!whole || !hash.digest().equals(header.subarray(MAGIC.length + 8))) return undefined;
    return levels;
  } finally {
    closeSync(fd);
  }
}
