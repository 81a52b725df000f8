import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { FileHandle, open, rename, rm } from 'node:fs/promises';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { readFully } from '@partnerships/event-store/file-reads';
import { HASH_BYTES } from './hashes';
import { eventLeafHash } from './leaf';
import { HashList, HashesInFile, MerkleTree } from './merkle-tree';

/** A checkpoint file: magic, leaf count (u64 LE), SHA-256 of the body, then each level. */
const MAGIC = Buffer.from('PTAUDIT1', 'latin1');
const HEADER_BYTES = MAGIC.length + 8 + HASH_BYTES;
/** Leaves from a checkpoint are recomputed from the log at this interval, and the last one. */
const SAMPLE_EVERY = 4096;
/** How much of a checkpoint is read, hashed or written at once. */
const PIECE_BYTES = 1 << 20;
/** Where the header's SHA-256 of the body lies. */
const HASH_AT = MAGIC.length + 8;

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
  /** The event agreesWithCheckpoint last found to agree, at its index. */
  private agreed: { readonly index: number; readonly event: RecordedEvent } | undefined;
  private computed = 0;
  /** The save under way: saves run one after the other (see save). */
  private saving: Promise<void> = Promise.resolve();

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

  /**
   * Whether leaves of its checkpoint are still ahead, to be checked as their events come:
   * only then may it ask for events whole (`LogEvents.eventAt`), to recompute the leaves
   * after a sample that disagrees. Once they are behind it never asks again.
   */
  get checksCheckpoint(): boolean {
    return this.tree.size < this.held;
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

  /**
   * The first leaf index from `from` on, below `end`, that needs its whole event; `end`
   * when none does. Counted, not searched: a start walks a checkpoint of millions of
   * leaves from sample to sample.
   */
  nextWholeEvent(from: number, end: number): number {
    if (from >= this.held) return Math.min(from, end);
    // The next sample, or the checkpoint's last leaf (from < held: it is not behind).
    return Math.min(Math.ceil(from / SAMPLE_EVERY) * SAMPLE_EVERY, this.held - 1, end);
  }

  /** Whether the event hashes to the checkpoint's leaf at its index (one held, not yet applied). */
  agreesWithCheckpoint(index: number, event: RecordedEvent): boolean {
    if (index >= this.held) return false;
    const agrees = eventLeafHash(event).equals(this.tree.leaf(index));
    // `apply` takes the same event next: it need not hash it again.
    if (agrees) this.agreed = { index, event };
    return agrees;
  }

  /** The next event of the log, in commit order. */
  apply(event: RecordedEvent): void {
    const index = this.tree.size;
    if (index < this.held) {
      const sampled = index % SAMPLE_EVERY === 0 || index === this.held - 1;
      const checked = this.agreed?.index === index && this.agreed.event === event;
      this.agreed = undefined;
      if (!sampled) {
        this.tree.advance();
      } else if (checked || eventLeafHash(event).equals(this.tree.leaf(index))) {
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
    const index = this.nextWholeEvent(this.tree.size, end);
    if (index < end) throw new RangeError(`leaf ${index} must be checked against its event`);
    this.tree.advanceTo(end);
  }

  /** The leaf index of an event id, or undefined. */
  leafIndexOf(eventId: string): number | undefined {
    const index = this.events.indexOf(eventId);
    return index !== undefined && index < this.tree.size ? index : undefined;
  }

  /**
   * Writes the checkpoint atomically (a temporary file renamed over the old one), without
   * holding the event loop: a million leaves are 64 MB to hash and write, which in one
   * piece stalled every request for a few hundred milliseconds. The levels go out a
   * megabyte at a time, hashed as they go, the header's hash written last; the levels a
   * start left in the old checkpoint's file are copied from it, never held, and once it
   * is written the tree reads them from the new one (readFrom). What it writes cannot
   * change under it: a level's hashes below the size taken here are never rewritten while
   * the log only grows. Saves run one after the other: one that reads an older file must
   * not find it closed (and its number taken by another file) by one that ended first.
   */
  save(file: string): Promise<void> {
    const size = this.tree.size;
    const saved = this.saving.then(() => this.saveNow(file, size));
    this.saving = saved.catch(() => undefined);
    return saved;
  }

  private async saveNow(file: string, size: number): Promise<void> {
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: FileHandle | undefined;
    let written: number | undefined;
    try {
      handle = await open(temporary, 'w');
      for (const { bytes, position } of this.checkpointWrites(size)) {
        for (let done = 0; done < bytes.length;) {
          const at = position + done;
          done += (await handle.write(bytes, done, bytes.length - done, at)).bytesWritten;
        }
      }
      await handle.close();
      handle = undefined;
      written = openSync(temporary, 'r');
      await rename(temporary, file);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      if (written !== undefined) closeSync(written);
      await rm(temporary, { force: true });
      throw error;
    }
    this.readFrom({ fd: written, count: size });
  }

  /**
   * Reads the first `count` leaves' hashes from the checkpoint just written (open at `fd`)
   * from now on, and lets go of the memory and the older file that held them: the server
   * holds only what came after its last checkpoint. Left as it is (and the file closed)
   * when the tree reads more from an older file than this one holds.
   */
  private readFrom(checkpoint: VerifiedCheckpoint): void {
    const before = this.tree.fileDescriptors;
    if (!this.tree.moveToFiles(levelsInFile(checkpoint))) {
      closeSync(checkpoint.fd);
      return;
    }
    for (const fd of before) if (fd !== checkpoint.fd) closeSync(fd);
  }

  /** save, at once (at shutdown). */
  saveSync(file: string): void {
    const size = this.tree.size;
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let fd: number | undefined;
    try {
      fd = openSync(temporary, 'w');
      for (const { bytes, position } of this.checkpointWrites(size)) {
        for (let done = 0; done < bytes.length;) {
          done += writeSync(fd, bytes, done, bytes.length - done, position + done);
        }
      }
      closeSync(fd);
      fd = undefined;
      renameSync(temporary, file);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /**
   * The checkpoint of the first `size` leaves as writes: the header (its hash left zero),
   * each level a megabyte at a time (copy or write a piece before asking for the next: the
   * pieces read from a file share one buffer), hashed as they go, and last the hash.
   */
  private *checkpointWrites(size: number): Generator<{ bytes: Buffer; position: number }> {
    const header = checkpointHeader(size);
    yield { bytes: header, position: 0 };
    const hash = createHash('sha256').update(header.subarray(MAGIC.length, HASH_AT));
    let position = header.length;
    for (const level of this.tree.levelPieces(size, PIECE_BYTES)) {
      for (const piece of level) {
        hash.update(piece);
        yield { bytes: piece, position };
        position += piece.length;
      }
    }
    yield { bytes: hash.digest(), position: HASH_AT };
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

/**
 * A checkpoint file found whole: left open, its levels are read from it when asked for
 * (checkpointLevels). The process keeps it open: a later checkpoint is renamed over its
 * name, which leaves this file as it was.
 */
export interface VerifiedCheckpoint {
  readonly fd: number;
  /** Its number of leaves. */
  readonly count: number;
}

/** The checkpoint at `file` read and checked (see verifyCheckpoint); never throws. */
export function readAuditCheckpoint(file: string | undefined): AuditCheckpoint {
  const { verified, problem } = verifyCheckpoint(file);
  return { levels: verified === undefined ? undefined : checkpointLevels(verified), problem };
}

/**
 * Checks the checkpoint at `file` against its header's SHA-256, reading it a megabyte at a
 * time into one buffer: nothing of it is held (at ten million leaves the file is 640 MB),
 * and no fresh memory is touched for it. Never throws.
 */
export function verifyCheckpoint(file: string | undefined): {
  verified: VerifiedCheckpoint | undefined;
  problem: string | undefined;
} {
  if (file === undefined) return { verified: undefined, problem: undefined };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      verified: undefined,
      problem: code === 'ENOENT' ? undefined : `cannot read ${file}: ${code ?? String(error)}`,
    };
  }
  const checked = verifyOpenCheckpoint(fd, file);
  if (checked.verified === undefined) closeSync(fd);
  return checked;
}

/** verifyCheckpoint, of a checkpoint `file` already open at `fd` (left open either way). */
export function verifyOpenCheckpoint(
  fd: number,
  file: string,
): { verified: VerifiedCheckpoint | undefined; problem: string | undefined } {
  try {
    const count = checkedCount(fd);
    if (count === undefined) {
      return { verified: undefined, problem: `${file} is not a whole checkpoint` };
    }
    return { verified: { fd, count }, problem: undefined };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { verified: undefined, problem: `cannot read ${file}: ${code ?? String(error)}` };
  }
}

/** The levels of a verified checkpoint, each read from its file when asked for. */
export function checkpointLevels(checkpoint: VerifiedCheckpoint): HashList[] {
  return levelsInFile(checkpoint).map((file) => HashList.inFile(file));
}

/** Where each level of the checkpoint open at `fd` lies in it. */
function levelsInFile({ fd, count }: VerifiedCheckpoint): HashesInFile[] {
  let offset = HEADER_BYTES;
  return levelCounts(count).map((hashes) => {
    const file = { fd, offset, count: hashes };
    offset += hashes * HASH_BYTES;
    return file;
  });
}

/** How many hashes each level of a tree of `count` leaves keeps, leaves first. */
function levelCounts(count: number): number[] {
  const counts: number[] = [];
  for (let level = 0; 2 ** level <= Math.max(count, 1); level++) {
    counts.push(Math.floor(count / 2 ** level));
  }
  return counts;
}

/** The header of a checkpoint of `count` leaves, its hash left zero (written last). */
function checkpointHeader(count: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeBigUInt64LE(BigInt(count), MAGIC.length);
  return header;
}

/**
 * The leaf count of the checkpoint open at `fd`, or undefined when it is not whole: a
 * header, exactly the levels its count gives, and their SHA-256 as the header says.
 */
function checkedCount(fd: number): number | undefined {
  const size = fstatSync(fd).size;
  const header = Buffer.alloc(HEADER_BYTES);
  if (size < HEADER_BYTES || !readFully(fd, header, 0)) return undefined;
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const countBytes = header.subarray(MAGIC.length, HASH_AT);
  const count = Number(countBytes.readBigUInt64LE());
  if (!Number.isSafeInteger(count)) return undefined;
  const bodyBytes = levelCounts(count).reduce((sum, hashes) => sum + hashes * HASH_BYTES, 0);
  if (size - HEADER_BYTES !== bodyBytes) return undefined;
  const hash = createHash('sha256').update(countBytes);
  const piece = Buffer.allocUnsafe(Math.min(PIECE_BYTES, Math.max(bodyBytes, 1)));
  for (let offset = 0; offset < bodyBytes; offset += piece.length) {
    const bytes = piece.subarray(0, Math.min(piece.length, bodyBytes - offset));
    if (!readFully(fd, bytes, HEADER_BYTES + offset)) return undefined;
    hash.update(bytes);
  }
  return hash.digest().equals(header.subarray(HASH_AT)) ? count : undefined;
}
