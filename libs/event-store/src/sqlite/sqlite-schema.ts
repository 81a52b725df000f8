/**
 * The SQLite file: its schema, brought forward step by step, the durability it must
 * have, and how a row becomes a recorded event.
 */
import Database from 'better-sqlite3';
import {
  EventMetadata,
  EventStoreUnavailableError,
  InvalidPositionError,
  RecordedEvent,
} from '../event-store';

const SYNCHRONOUS_FULL = 2;

/**
 * Schema steps in order; `PRAGMA user_version` counts the steps a file has had. Append
 * only: a file written by an older build is brought forward, never rebuilt.
 */
const MIGRATIONS: readonly string[] = [
  // STRICT so that a wrongly typed value fails at the insert instead of being stored.
  // UNIQUE(stream_id, revision) is the concurrency guard: two writers cannot both take
  // the same revision. AUTOINCREMENT keeps positions from ever being issued twice.
  `CREATE TABLE events (
     position       INTEGER PRIMARY KEY AUTOINCREMENT,
     id             TEXT    NOT NULL UNIQUE,
     stream_id      TEXT    NOT NULL,
     revision       INTEGER NOT NULL,
     type           TEXT    NOT NULL,
     data           TEXT    NOT NULL,
     effective_at   INTEGER NOT NULL,
     recorded_at    INTEGER NOT NULL,
     metadata       TEXT    NOT NULL,
     schema_version INTEGER NOT NULL,
     UNIQUE (stream_id, revision)
   ) STRICT`,
  // A commandId is one command: every append looks its commandIds up, under the write lock.
  `CREATE INDEX events_by_command ON events (json_extract(metadata, '$.commandId'))`,
];

export const COLUMNS =
  'position, id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version';

export interface EventRow {
  readonly position: number;
  readonly id: string;
  readonly stream_id: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
  readonly effective_at: number;
  readonly recorded_at: number;
  readonly metadata: string;
  readonly schema_version: number;
}

export interface SqliteSettings {
  /** `wal` for a file; `memory` for `:memory:`, which cannot be WAL. */
  readonly journalMode: string;
  /** 2 is FULL: a commit is on disk before append resolves. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
}

export function readSettings(db: Database.Database): SqliteSettings {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
  };
}

export function assertDurable(settings: SqliteSettings, memory: boolean): void {
  // SQLite answers a pragma it cannot honour (WAL on some file systems) by keeping the
  // old value, without an error; a store that may lose commits must not start.
  if (!memory && settings.journalMode !== 'wal') {
    throw new EventStoreUnavailableError(
      `SQLite refused journal_mode WAL (it is ${settings.journalMode})`,
    );
  }
  if (settings.synchronous !== SYNCHRONOUS_FULL) {
    throw new EventStoreUnavailableError(
      `SQLite refused synchronous FULL (it is ${settings.synchronous})`,
    );
  }
}

export function migrate(db: Database.Database): void {
  db.transaction(() => {
    // Read inside the write lock: two processes opening a new file must not both create.
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > MIGRATIONS.length) {
      throw new EventStoreUnavailableError(
        `the SQLite file has schema version ${version}; this build knows up to ${MIGRATIONS.length}`,
      );
    }
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** Positions are the decimal `position` column, exactly as this store writes them. */
export function parsePosition(position: string): number {
  const value = Number(position);
  if (!/^(0|[1-9][0-9]*)$/.test(position) || !Number.isSafeInteger(value)) {
    throw new InvalidPositionError(position);
  }
  return value;
}

/**
 * An already-recorded event as an import writes it: the values of one row in the order of
 * the insert's columns (the position is the file's own), its data and metadata as JSON
 * text. Plain values, so that a thread can prepare rows and hand them over cheaply.
 */
export type ImportRow = [
  id: string,
  streamId: string,
  revision: number,
  type: string,
  data: string,
  effectiveAt: number,
  recordedAt: number,
  metadata: string,
  schemaVersion: number,
];

/**
 * assertRecordedEvents for rows: the same checks on the same values, and data and metadata
 * are text (taken as the JSON they were made from: `importRowOf` wrote them).
 */
export function assertImportRows(rows: readonly ImportRow[]): void {
  for (const [id, , revision, , data, effectiveAt, recordedAt, metadata, schemaVersion] of rows) {
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new RangeError(`event ${id} has a revision that is not a natural number`);
    }
    if (!Number.isSafeInteger(effectiveAt) || !Number.isSafeInteger(recordedAt)) {
      throw new RangeError(`event ${id} has an invalid effectiveAt or recordedAt`);
    }
    if (!Number.isSafeInteger(schemaVersion)) {
      throw new RangeError(`event ${id} has a schemaVersion that is not an integer`);
    }
    if (typeof data !== 'string' || typeof metadata !== 'string') {
      throw new RangeError(`event ${id} has data or metadata that is not JSON text`);
    }
  }
}

export function importRowOf(event: RecordedEvent): ImportRow {
  return [
    event.id,
    event.streamId,
    event.revision,
    event.type,
    JSON.stringify(event.data),
    event.effectiveAt.getTime(),
    event.recordedAt.getTime(),
    JSON.stringify(event.metadata),
    event.schemaVersion,
  ];
}

export function recordedEventOf(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    streamId: row.stream_id,
    revision: row.revision,
    position: String(row.position),
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    effectiveAt: new Date(row.effective_at),
    recordedAt: new Date(row.recorded_at),
    metadata: JSON.parse(row.metadata) as EventMetadata,
    schemaVersion: row.schema_version,
  };
}
