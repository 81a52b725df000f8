/**
 * The snapshot file of the read model: the projection's state (see
 * NetworkProjection.exportState) with the checkpoint it was taken at, so that a start
 * follows the log from there instead of from the first event.
 *
 * Layout: magic (8 bytes), header length (u32 LE), header (JSON), payload. The payload is
 * the state through v8's serializer with each of its typed arrays (the columns, the record
 * tape) left out, then those arrays' bytes one after the other: a start reads each straight
 * into an array of its own, and neither decodes them nor holds the file whole. The header
 * carries the format version, the schema hash of the code that wrote it, the checkpoint,
 * the number of events applied, the payload's layout and length and a SHA-256 of the
 * payload; a file that disagrees with any of them is not used. (SHA-256, not CRC-32: on
 * the 2-core bench machine OpenSSL's SHA-256 checked 67 MB in 40-44 ms, zlib's CRC-32 in
 * 170-177 ms, and a start waits for that check.)
 */
import { Hash, createHash, randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { DefaultDeserializer, DefaultSerializer } from 'node:v8';
import type { EventStore } from '@partnerships/event-store/event-store';
import { readFully } from '@partnerships/event-store/file-reads';
import { NetworkProjection, ProjectionState } from './network-projection';
import { CHECKSUM_MISMATCH, HASHED_BYTES_PER_READ } from './snapshot-checksum';

const MAGIC = Buffer.from('PTSNAP01', 'latin1');
/** Bumped when the file layout or the header changes. */
export const SNAPSHOT_FORMAT = 3;

/** The typed arrays a state may hold, by the name the header gives them. */
const ARRAY_TYPES = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type ArrayType = keyof typeof ARRAY_TYPES;
type TypedArray = InstanceType<(typeof ARRAY_TYPES)[ArrayType]>;

/** One typed array of the state, written after the serialised rest. */
export interface SnapshotSection {
  readonly type: ArrayType;
  readonly bytes: number;
}

export interface SnapshotHeader {
  readonly format: number;
  /** The projection code's schema hash (see {@link projectionSchemaHash}). */
  readonly schema: string;
  /** The position of the last event applied; absent for an empty log. */
  readonly checkpoint: string | undefined;
  /** How many events of the log the state holds: its next event is the log's event at this index. */
  readonly events: number;
  /**
   * The last event it holds, to check at start that the store still has it at the
   * checkpoint (a store restored from an older backup, or another store, does not).
   */
  readonly lastEvent: LastEvent | undefined;
  /** When it was taken (ms since the epoch). */
  readonly takenAt: number;
  /** The serialised state without its typed arrays: the payload's first bytes. */
  readonly stateBytes: number;
  /** The typed arrays, in the order the state names them, after it. */
  readonly sections: readonly SnapshotSection[];
  readonly payloadBytes: number;
  /** The payload's SHA-256, in hex. */
  readonly payloadSha256: string;
}

/** What the writer fills in; the rest of the header describes the payload. */
export type SnapshotFields = Omit<
  SnapshotHeader,
  'format' | 'stateBytes' | 'sections' | 'payloadBytes' | 'payloadSha256'
>;

export interface LastEvent {
  readonly id: string;
  readonly commandId: string;
}

/** A snapshot read and checked, its state not yet decoded. */
export interface Snapshot {
  readonly header: SnapshotHeader;
  /** The serialised state, naming its typed arrays by their index in `sections`. */
  readonly state: Buffer;
  readonly sections: readonly TypedArray[];
}

/** A snapshot file read: the snapshot, or why it is not used. */
export type SnapshotRead = { readonly snapshot: Snapshot } | { readonly problem: SnapshotProblem };

/** Why a snapshot file is not used; `missing` is the ordinary first start. */
export type SnapshotProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly detail: string }
  | { readonly kind: 'damaged'; readonly detail: string }
  | { readonly kind: 'mismatch'; readonly detail: string };

/** v8's serializer, with each typed array left for the caller to write as raw bytes. */
class StateSerializer extends DefaultSerializer {
  readonly sections: TypedArray[] = [];

  /** Called by v8 for each typed array (DefaultSerializer would copy it into the output). */
  _writeHostObject(view: NodeJS.ArrayBufferView): void {
    const type = (view as Partial<TypedArray>)[Symbol.toStringTag];
    if (type === undefined || !(type in ARRAY_TYPES)) {
      throw new TypeError(`a snapshot's state cannot hold a ${view.constructor.name}`);
    }
    this.writeUint32(this.sections.length);
    this.sections.push(view as TypedArray);
  }
}

/** v8's deserializer, given the typed arrays the serialised state names by index. */
class StateDeserializer extends DefaultDeserializer {
  constructor(
    state: Buffer,
    private readonly sections: readonly TypedArray[],
  ) {
    super(state);
  }

  _readHostObject(): TypedArray {
    const section = this.sections[this.readUint32()];
    if (section === undefined) throw new RangeError('the state names a section the file lacks');
    return section;
  }
}

/** The state serialised without its typed arrays, and those arrays. */
export function serializeState(state: ProjectionState): {
  state: Buffer;
  sections: TypedArray[];
} {
  const serializer = new StateSerializer();
  serializer.writeHeader();
  serializer.writeValue(state);
  return { state: serializer.releaseBuffer(), sections: serializer.sections };
}

export function deserializeState(state: Buffer, sections: readonly TypedArray[]): ProjectionState {
  const deserializer = new StateDeserializer(state, sections);
  deserializer.readHeader();
  return deserializer.readValue() as ProjectionState;
}

/** The whole file as bytes, ready to write (the sections' bytes are theirs, not copies). */
export function snapshotBytes(
  fields: SnapshotFields,
  payload: { state: Buffer; sections: readonly TypedArray[] },
): Buffer[] {
  const sections = payload.sections.map((section) =>
    Buffer.from(section.buffer, section.byteOffset, section.byteLength),
  );
  const hash = createHash('sha256').update(payload.state);
  for (const section of sections) hash.update(section);
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    schema: fields.schema,
    checkpoint: fields.checkpoint,
    events: fields.events,
    lastEvent: fields.lastEvent,
    takenAt: fields.takenAt,
    stateBytes: payload.state.length,
    sections: payload.sections.map((section) => ({
      type: section[Symbol.toStringTag],
      bytes: section.byteLength,
    })),
    payloadBytes: sections.reduce((sum, section) => sum + section.length, payload.state.length),
    payloadSha256: hash.digest('hex'),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return [MAGIC, length, json, payload.state, ...sections];
}

/**
 * Reads and checks the snapshot at `file` against the code's `schema`: its header first
 * (a snapshot of other code is not read further), then each typed array into one of its
 * own, the checksum taken as they come. The state is returned undecoded.
 */
export function readSnapshot(file: string, schema: string): SnapshotRead {
  return readSnapshotFile(file, (fd) => readOpenSnapshot(fd, schema, 'check'));
}

/**
 * readSnapshot without the checksum, into memory another thread may share: for a reader
 * that hands the snapshot over to be decoded while it checks it (checksumProblem).
 * Everything but the checksum is checked. Nothing may use what is decoded from it until
 * the checksum agrees.
 */
export function readSnapshotUnchecked(file: string, schema: string): SnapshotRead {
  return readSnapshotFile(file, (fd) => readOpenSnapshot(fd, schema, 'share'));
}

function readSnapshotFile(file: string, read: (fd: number) => SnapshotRead): SnapshotRead {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: { kind: 'missing' } };
    return { problem: { kind: 'unreadable', detail: `cannot read it (${code})` } };
  }
  try {
    return read(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: { kind: 'unreadable', detail: `cannot read it (${code ?? String(error)})` } };
  } finally {
    closeSync(fd);
  }
}

/**
 * `check`: the checksum is taken as the payload is read, into memory of this thread's own.
 * `share`: the payload is read into SharedArrayBuffers and not checked.
 */
function readOpenSnapshot(fd: number, schema: string, mode: 'check' | 'share'): SnapshotRead {
  const damaged = (detail: string) => ({ problem: { kind: 'damaged' as const, detail } });
  const size = fstatSync(fd).size;
  const start = Buffer.alloc(MAGIC.length + 4);
  if (
    size < start.length ||
    !readFully(fd, start, 0) ||
    !start.subarray(0, MAGIC.length).equals(MAGIC)
  ) {
    return damaged('not a snapshot file');
  }
  const headerLength = start.readUInt32LE(MAGIC.length);
  const headerEnd = start.length + headerLength;
  if (headerEnd > size) return damaged('its header is cut short');
  const json = Buffer.alloc(headerLength);
  readFully(fd, json, start.length);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(json.toString('utf8'));
  } catch {
    return damaged('its header is not readable');
  }
  if (!isHeader(header)) {
    // An older format's header lacks this one's layout: say which it is.
    const format = (header as { format?: unknown } | null)?.format;
    if (typeof format === 'number' && format !== SNAPSHOT_FORMAT) return formatMismatch(format);
    return damaged('its header lacks fields');
  }
  if (header.format !== SNAPSHOT_FORMAT) return formatMismatch(header.format);
  if (header.schema !== schema) {
    return {
      problem: {
        kind: 'mismatch',
        detail: `written by other projection code (schema ${header.schema.slice(0, 12)}, this code ${schema.slice(0, 12)})`,
      },
    };
  }
  const layoutBytes = header.sections.reduce(
    (sum, section) => sum + section.bytes,
    header.stateBytes,
  );
  if (layoutBytes !== header.payloadBytes) return damaged('its header does not add up');
  if (size - headerEnd !== header.payloadBytes) {
    return damaged(
      `its payload has ${size - headerEnd} bytes, the header says ${header.payloadBytes}`,
    );
  }
  const shared = mode === 'share';
  // Never a slice of Node's shared pool: it is handed back whole once decoded.
  const state = shared
    ? Buffer.from(new SharedArrayBuffer(header.stateBytes))
    : Buffer.allocUnsafeSlow(header.stateBytes);
  const hash = shared ? undefined : createHash('sha256');
  readHashing(fd, state, headerEnd, hash);
  let offset = headerEnd + state.length;
  const sections: TypedArray[] = [];
  for (const { type, bytes } of header.sections) {
    const Type = ARRAY_TYPES[type];
    if (bytes % Type.BYTES_PER_ELEMENT !== 0) return damaged(`a ${type} of ${bytes} bytes`);
    // (TypeScript's constructors of a union of array types take no SharedArrayBuffer.)
    const section = shared
      ? new Type(new SharedArrayBuffer(bytes) as unknown as ArrayBuffer)
      : new Type(bytes / Type.BYTES_PER_ELEMENT);
    readHashing(
      fd,
      new Uint8Array(section.buffer, section.byteOffset, section.byteLength),
      offset,
      hash,
    );
    offset += bytes;
    sections.push(section);
  }
  if (hash !== undefined && hash.digest('hex') !== header.payloadSha256) {
    return { problem: CHECKSUM_MISMATCH };
  }
  return { snapshot: { header, state, sections } };
}

/**
 * Fills `target` from the file at `position` and adds it to `hash`, a piece at a time, so
 * that each piece is hashed while the read has just left it in the cache instead of read
 * again from memory (readSnapshot of the 1M snapshot alone: 345-445 ms against 397-418 ms
 * whole, 6 runs each, alternating). A file that ends first leaves zeros, which the hash
 * refuses.
 */
function readHashing(
  fd: number,
  target: Uint8Array,
  position: number,
  hash: Hash | undefined,
): void {
  for (let done = 0; done < target.length; done += HASHED_BYTES_PER_READ) {
    const piece = target.subarray(done, done + HASHED_BYTES_PER_READ);
    readFully(fd, piece, position + done);
    hash?.update(piece);
  }
}

function formatMismatch(format: number): { problem: SnapshotProblem } {
  return {
    problem: {
      kind: 'mismatch',
      detail: `format ${format}, this version writes ${SNAPSHOT_FORMAT}`,
    },
  };
}

function isHeader(value: unknown): value is SnapshotHeader {
  if (typeof value !== 'object' || value === null) return false;
  const header = value as Record<string, unknown>;
  return (
    typeof header['format'] === 'number' &&
    typeof header['schema'] === 'string' &&
    (header['checkpoint'] === undefined || typeof header['checkpoint'] === 'string') &&
    Number.isSafeInteger(header['events']) &&
    (header['lastEvent'] === undefined ||
      (typeof header['lastEvent'] === 'object' && header['lastEvent'] !== null)) &&
    typeof header['takenAt'] === 'number' &&
    Number.isSafeInteger(header['stateBytes']) &&
    Array.isArray(header['sections']) &&
    header['sections'].every(isSection) &&
    Number.isSafeInteger(header['payloadBytes']) &&
    typeof header['payloadSha256'] === 'string'
  );
}

function isSection(value: unknown): value is SnapshotSection {
  if (typeof value !== 'object' || value === null) return false;
  const section = value as Record<string, unknown>;
  return (
    typeof section['type'] === 'string' &&
    Object.hasOwn(ARRAY_TYPES, section['type']) &&
    Number.isSafeInteger(section['bytes']) &&
    (section['bytes'] as number) >= 0
  );
}

/**
 * Writes `parts` to `file` so that a crash at any point leaves either the old file or the
 * whole new one: a temporary file in the same folder, flushed to disk, renamed over the
 * old one, and the folder flushed so that the rename itself survives a power cut.
 */
export async function writeFileDurably(file: string, parts: readonly Buffer[]): Promise<number> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let bytes = 0;
  try {
    const handle = await open(temporary, 'w');
    try {
      for (const part of parts) {
        for (let written = 0; written < part.length;) {
          written += (await handle.write(part, written, part.length - written)).bytesWritten;
        }
        bytes += part.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const folder = await open(dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return bytes;
}

/**
 * Removes temporary files a killed writer left beside `file` (those of processes that no
 * longer run; a live one may be writing its own).
 */
export async function removeLeftovers(file: string): Promise<string[]> {
  const folder = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!name.startsWith(prefix) || match === null) continue;
    if (isRunning(Number(match[1]))) continue;
    await rm(join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let schemaHash: string | undefined;

/**
 * A hash of the code that decides what a projection's state holds: every module of the
 * projections library and of the domain (decoding and upcasting shape the state), as this
 * process loaded them (compiled JavaScript when built, TypeScript under jest), plus the
 * snapshot format. Any change to that code makes older snapshots unusable, so a start
 * after an upgrade rebuilds rather than trusts a state of another shape.
 */
export function projectionSchemaHash(): string {
  if (schemaHash !== undefined) return schemaHash;
  const extension = extname(__filename);
  const roots = [__dirname, join(__dirname, '..', '..', 'domain', 'src')];
  const hash = createHash('sha256').update(`snapshot format ${SNAPSHOT_FORMAT}\n`);
  for (const root of roots) {
    for (const file of sourceFiles(root, extension)) {
      hash.update(`${relative(root, file)}\n`);
      hash.update(readFileSync(file));
    }
  }
  schemaHash = hash.digest('hex');
  return schemaHash;
}

function sourceFiles(folder: string, extension: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path, extension));
    else if (entry.name.endsWith(extension) && !/\.(spec|test)\./.test(entry.name)) {
      files.push(path);
    }
  }
  return files.sort();
}

/** A snapshot taken: the file's bytes, and how long the event loop was held taking it. */
export interface TakenSnapshot {
  readonly header: SnapshotFields;
  readonly parts: Buffer[];
  readonly bytes: number;
  /** Milliseconds spent in exportState and serialising, during which nothing else runs. */
  readonly blockedMs: number;
}

/**
 * Takes the projection's state now, as the file's bytes. Synchronous on purpose: the
 * state is a copy of the live columns and records, made before the next event applies.
 */
export function takeSnapshot(
  projection: NetworkProjection,
  events: number,
  lastEvent: LastEvent | undefined,
): TakenSnapshot {
  const started = performance.now();
  const payload = serializeState(projection.exportState());
  const header = {
    schema: projectionSchemaHash(),
    checkpoint: projection.checkpoint,
    events,
    lastEvent,
    takenAt: Date.now(),
  };
  const parts = snapshotBytes(header, payload);
  return {
    header,
    parts,
    bytes: parts.reduce((sum, part) => sum + part.length, 0),
    blockedMs: performance.now() - started,
  };
}

/**
 * The projection the snapshot at `file` holds, if it is whole and of this code (`schema`);
 * a state that cannot be read back is damage. The columns of the projection are the
 * arrays read from the file; the rest is built from its record tape, which is then let go.
 */
export function loadProjection(
  file: string,
  schema: string,
): { projection: NetworkProjection; header: SnapshotHeader } | { problem: SnapshotProblem } {
  return projectionOf(readSnapshot(file, schema));
}

/** loadProjection of a snapshot already read (readSnapshot), here or on another thread. */
export function projectionOf(
  read: SnapshotRead,
): { projection: NetworkProjection; header: SnapshotHeader } | { problem: SnapshotProblem } {
  if ('problem' in read) return read;
  const { header, state, sections } = read.snapshot;
  let projection: NetworkProjection;
  try {
    const decoded = deserializeState(state, sections);
    release(state);
    projection = NetworkProjection.fromState(decoded);
    release(decoded.records.ints);
  } catch (error) {
    return { problem: { kind: 'damaged', detail: `its state is not readable (${String(error)})` } };
  }
  if (projection.checkpoint !== header.checkpoint) {
    return { problem: { kind: 'damaged', detail: 'its state and header name other checkpoints' } };
  }
  return { projection, header };
}

/**
 * Hands the memory of an array read from the file back at the next minor collection instead
 * of the next full one: the serialised state and the record tape (24 MB at 1M events) are
 * done with once decoded, but have lived long enough to reach V8's old generation, and a
 * start makes no full collection before it serves. Transferring the buffer detaches it
 * here and leaves its memory to a new, young, unreferenced owner.
 */
function release(view: ArrayBufferView): void {
  // Only memory the view has to itself: a shared buffer may hold other live views, and a
  // SharedArrayBuffer cannot be transferred (its memory goes when no thread holds it).
  if (Object.prototype.toString.call(view.buffer) === '[object SharedArrayBuffer]') return;
  if (view.byteOffset !== 0 || view.byteLength !== view.buffer.byteLength) return;
  structuredClone(view.buffer, { transfer: [view.buffer] });
}

/** The words of a log line for a snapshot that is not used. */
export function describeProblem(file: string, problem: SnapshotProblem): string {
  switch (problem.kind) {
    case 'missing':
      return `no snapshot at ${file}`;
    case 'unreadable':
      return `snapshot ${file} ignored: ${problem.detail}`;
    case 'damaged':
      return `snapshot ${file} ignored: damaged, ${problem.detail}`;
    case 'mismatch':
      return `snapshot ${file} ignored: it does not match this version's projection code, ${problem.detail}`;
  }
}

/**
 * Whether `store` holds the snapshot's last event at its checkpoint: a snapshot left beside
 * a store restored from an older backup (or of another store) does not fit its log.
 */
export async function fitsStore(
  store: Pick<EventStore, 'readCommand'>,
  header: Pick<SnapshotHeader, 'checkpoint' | 'lastEvent' | 'events'>,
): Promise<boolean> {
  if (header.events === 0) return true;
  if (header.lastEvent === undefined) return false;
  const { id, commandId } = header.lastEvent;
  const recorded = await store.readCommand(commandId);
  return recorded.some((event) => event.id === id && event.position === header.checkpoint);
}
