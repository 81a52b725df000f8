/**
 * The snapshot file of the read model: the projection's state (see
 * NetworkProjection.exportState) with the checkpoint it was taken at, so that a start
 * follows the log from there instead of from the first event.
 *
 * Layout: magic (8 bytes), header length (u32 LE), header (JSON), payload (v8.serialize of
 * the state). The header carries the format version, the schema hash of the code that
 * wrote it, the checkpoint, the number of events applied, the payload's length and a
 * CRC-32 of the payload; a file that disagrees with any of them is not used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { crc32 } from 'node:zlib';
import { deserialize, serialize } from 'node:v8';
import type { EventStore } from '@partnerships/event-store/event-store';
import { NetworkProjection, ProjectionState } from './network-projection';

const MAGIC = Buffer.from('PTSNAP01', 'latin1');
/** Bumped when the file layout or the header changes. */
export const SNAPSHOT_FORMAT = 1;

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
  readonly payloadBytes: number;
  readonly payloadCrc32: number;
}

export interface LastEvent {
  readonly id: string;
  readonly commandId: string;
}

export interface Snapshot {
  readonly header: SnapshotHeader;
  readonly payload: Buffer;
}

/** Why a snapshot file is not used; `missing` is the ordinary first start. */
export type SnapshotProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly detail: string }
  | { readonly kind: 'damaged'; readonly detail: string }
  | { readonly kind: 'mismatch'; readonly detail: string };

/** The whole file as bytes, ready to write. */
export function snapshotBytes(
  fields: Omit<SnapshotHeader, 'format' | 'payloadBytes' | 'payloadCrc32'>,
  payload: Buffer,
): Buffer[] {
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    schema: fields.schema,
    checkpoint: fields.checkpoint,
    events: fields.events,
    lastEvent: fields.lastEvent,
    takenAt: fields.takenAt,
    payloadBytes: payload.length,
    payloadCrc32: crc32(payload),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return [MAGIC, length, json, payload];
}

/**
 * Reads and checks the snapshot at `file` against the code's `schema`. The payload is
 * returned undecoded: the caller deserialises it.
 */
export function readSnapshot(
  file: string,
  schema: string,
): { snapshot: Snapshot } | { problem: SnapshotProblem } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: { kind: 'missing' } };
    return { problem: { kind: 'unreadable', detail: `cannot read it (${code})` } };
  }
  const parsed = parseSnapshot(bytes);
  if ('problem' in parsed) return parsed;
  const { header } = parsed.snapshot;
  if (header.format !== SNAPSHOT_FORMAT) {
    return {
      problem: {
        kind: 'mismatch',
        detail: `format ${header.format}, this version writes ${SNAPSHOT_FORMAT}`,
      },
    };
  }
  if (header.schema !== schema) {
    return {
      problem: {
        kind: 'mismatch',
        detail: `written by other projection code (schema ${header.schema.slice(0, 12)}, this code ${schema.slice(0, 12)})`,
      },
    };
  }
  return parsed;
}

/** The header and payload of snapshot bytes, if they are whole. */
export function parseSnapshot(
  bytes: Buffer,
): { snapshot: Snapshot } | { problem: SnapshotProblem } {
  const damaged = (detail: string) => ({ problem: { kind: 'damaged' as const, detail } });
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    return damaged('not a snapshot file');
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerEnd > bytes.length) return damaged('its header is cut short');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, headerEnd).toString('utf8'));
  } catch {
    return damaged('its header is not readable');
  }
  if (!isHeader(header)) return damaged('its header lacks fields');
  const payload = bytes.subarray(headerEnd);
  if (payload.length !== header.payloadBytes) {
    return damaged(
      `its payload has ${payload.length} bytes, the header says ${header.payloadBytes}`,
    );
  }
  if (crc32(payload) !== header.payloadCrc32) return damaged('its checksum does not match');
  return { snapshot: { header, payload } };
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
    Number.isSafeInteger(header['payloadBytes']) &&
    Number.isSafeInteger(header['payloadCrc32'])
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
        await handle.write(part);
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
  readonly header: Omit<SnapshotHeader, 'format' | 'payloadBytes' | 'payloadCrc32'>;
  readonly parts: Buffer[];
  readonly bytes: number;
  /** Milliseconds spent in exportState and v8.serialize, during which nothing else runs. */
  readonly blockedMs: number;
}

/**
 * Takes the projection's state now, as the file's bytes. Synchronous on purpose: the
 * state shares the live objects, so it must be serialised before the next event applies.
 */
export function takeSnapshot(
  projection: NetworkProjection,
  events: number,
  lastEvent: LastEvent | undefined,
): TakenSnapshot {
  const started = performance.now();
  const payload = serialize(projection.exportState());
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
 * a payload v8 cannot read is damage. The file's bytes are let go before the state is
 * rebuilt from them, so that both never need memory at once.
 */
export function loadProjection(
  file: string,
  schema: string,
): { projection: NetworkProjection; header: SnapshotHeader } | { problem: SnapshotProblem } {
  let read: ReturnType<typeof readSnapshot> | undefined = readSnapshot(file, schema);
  if ('problem' in read) return read;
  const { header } = read.snapshot;
  let state: ProjectionState;
  try {
    state = deserialize(read.snapshot.payload) as ProjectionState;
  } catch (error) {
    return { problem: { kind: 'damaged', detail: `its state is not readable (${String(error)})` } };
  }
  read = undefined;
  const projection = NetworkProjection.fromState(state);
  if (projection.checkpoint !== header.checkpoint) {
    return { problem: { kind: 'damaged', detail: 'its state and header name other checkpoints' } };
  }
  return { projection, header };
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
