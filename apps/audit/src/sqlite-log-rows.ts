/**
 * The log of a SQLite store read as rows, for `audit verify`: a read-only connection of
 * its own, one read transaction, rows as arrays. The port's readAll builds a RecordedEvent
 * per row (two Dates, a position string, shared strings) that verify would take apart again;
 * here the checks and the leaves read the columns. The leaves are those of the event the
 * port serves for the row (sqlite-log-rows.spec.ts holds the two equal, tampered rows too).
 */
import Database from 'better-sqlite3';
import { IsoTimes, rowLeafText } from '@partnerships/audit/leaf';
import { leafHashLatin1OfText } from '@partnerships/audit/hashes';
import { CheckedEvent, blankCheckedEvent } from '@partnerships/audit/log-checks';
import type { RecordedEvent } from '@partnerships/event-store/event-store';

/** A row as `SELECT ${ROW_COLUMNS}` gives it in raw mode. */
export type LogRow = readonly unknown[];

const ROW_COLUMNS =
  'position, id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version';
const POSITION = 0;
const ID = 1;
const STREAM_ID = 2;
const REVISION = 3;
const TYPE = 4;
const DATA = 5;
const EFFECTIVE_AT = 6;
const RECORDED_AT = 7;
const METADATA = 8;
const SCHEMA_VERSION = 9;

/** Rows per read: big enough that a statement's cost per page does not count. */
export const ROWS_PER_PAGE = 4096;

/** Where a read ends: the log's last position when it began, and room for its rows then. */
export interface LogExtent {
  /** At least the number of rows up to `last`: exactly that when positions have no gaps. */
  readonly room: number;
  readonly last: number;
}

/**
 * The most rows an extent takes from the span of positions, without counting them: the
 * arrays sized by it are touched only as far as rows fill them.
 */
const MAX_SPAN = 1 << 24;

export class SqliteLogRows {
  private readonly page: Database.Statement<[number, number, number], unknown[]>;

  private constructor(private readonly db: Database.Database) {
    this.page = db
      .prepare<[number, number, number], unknown[]>(
        `SELECT ${ROW_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
      )
      .raw();
  }

  /** Read-only: the store's own opening (openExistingStore) has made and migrated the file. */
  static open(file: string): SqliteLogRows {
    return new SqliteLogRows(new Database(file, { readonly: true, fileMustExist: true }));
  }

  /**
   * The log as it is now; what is appended later is not read. Its first and last positions
   * are each one step down the table's b-tree, where counting its rows reads all of it; the
   * rows lie between the two, so their span is room for them (counted only when a gap in
   * the positions makes it more than MAX_SPAN).
   */
  extent(): LogExtent {
    const position = (sql: string): number | null =>
      this.db.prepare<[], number | null>(sql).pluck().get() ?? null;
    const last = position('SELECT max(position) FROM events');
    const first = position('SELECT min(position) FROM events');
    if (last === null || first === null) return { room: 0, last: 0 };
    const span = last - first + 1;
    if (span <= MAX_SPAN) return { room: span, last };
    return { room: this.rowsUpTo(last), last };
  }

  /**
   * The rows up to position `last`: all of them counted on the smallest index, less those
   * after it (a few, found by position); counting by a range of positions would read the
   * whole table.
   */
  private rowsUpTo(last: number): number {
    return (
      this.db
        .prepare<[number], number>(
          'SELECT (SELECT count(*) FROM events) - (SELECT count(*) FROM events WHERE position > ?)',
        )
        .pluck()
        .get(last) ?? 0
    );
  }

  /**
   * Every row up to `extent.last` in commit order, page by page, in one read transaction:
   * one state of the file, also while a server appends to it.
   */
  *pages(extent: LogExtent): Generator<readonly LogRow[]> {
    this.db.exec('BEGIN');
    try {
      let after = -Infinity;
      for (;;) {
        const rows = this.page.all(after, extent.last, ROWS_PER_PAGE);
        if (rows.length === 0) break;
        yield rows;
        after = rows[rows.length - 1][POSITION] as number;
      }
    } finally {
      this.db.exec('COMMIT');
    }
  }

  /**
   * The rows of one of two parts of the log, up to `extent.last`, in commit order, page by
   * page, in one read transaction; every stream's rows are in one part (by the last
   * character of its name). Part 1 also counts the rows the log holds up to `extent.last`
   * in that transaction, so that two parts read by two connections can be shown to make up
   * one log (part 0, read on the thread that merges the two afterwards, is spared the count).
   */
  readPart(
    extent: LogExtent,
    part: 0 | 1,
    page: (rows: readonly LogRow[]) => void,
  ): number | undefined {
    const rows = this.db
      .prepare<[number, number, number, number], unknown[]>(
        `SELECT ${ROW_COLUMNS} FROM events WHERE position > ? AND position <= ? ` +
          `AND (coalesce(unicode(substr(stream_id, -1)), 0) & 1) = ? ORDER BY position LIMIT ?`,
      )
      .raw();
    this.db.exec('BEGIN');
    try {
      const held = part === 1 ? this.rowsUpTo(extent.last) : undefined;
      let after = -Infinity;
      for (;;) {
        const read = rows.all(after, extent.last, part, ROWS_PER_PAGE);
        if (read.length === 0) break;
        page(read);
        after = read[read.length - 1][POSITION] as number;
      }
      return held;
    } finally {
      this.db.exec('COMMIT');
    }
  }

  /** The row at `position`, if there is one. */
  rowAt(position: number): LogRow | undefined {
    return this.db
      .prepare<[number], unknown[]>(`SELECT ${ROW_COLUMNS} FROM events WHERE position = ?`)
      .raw()
      .get(position);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Whether the row holds what the STRICT table allows (text, integers): then its columns
 * are read directly. Anything else (a file whose table was rewritten) goes through
 * eventOfRow, as the port reads it.
 */
export function isPlainRow(row: LogRow): boolean {
  return (
    Number.isSafeInteger(row[POSITION]) &&
    typeof row[ID] === 'string' &&
    typeof row[STREAM_ID] === 'string' &&
    Number.isSafeInteger(row[REVISION]) &&
    typeof row[TYPE] === 'string' &&
    typeof row[DATA] === 'string' &&
    Number.isSafeInteger(row[EFFECTIVE_AT]) &&
    Number.isSafeInteger(row[RECORDED_AT]) &&
    typeof row[METADATA] === 'string' &&
    Number.isSafeInteger(row[SCHEMA_VERSION])
  );
}

/** The event the port serves for a row (sqlite-schema.ts recordedEventOf, without sharing). */
export function eventOfRow(row: LogRow): RecordedEvent {
  const metadata = JSON.parse(row[METADATA] as string) as RecordedEvent['metadata'];
  return {
    id: row[ID] as string,
    streamId: row[STREAM_ID] as string,
    revision: row[REVISION] as number,
    position: String(row[POSITION]),
    type: row[TYPE] as string,
    data: JSON.parse(row[DATA] as string) as Record<string, unknown>,
    effectiveAt: new Date(row[EFFECTIVE_AT] as number),
    recordedAt: new Date(row[RECORDED_AT] as number),
    metadata,
    schemaVersion: row[SCHEMA_VERSION] as number,
  };
}

/**
 * Metadata as this service writes it: these five members in this order, each a string
 * without an escape or a control character (`actor` may be null). For such a text
 * JSON.parse gives exactly the strings between the quotes, so `actor` and `commandId`
 * are taken from the match, without an object per row; any other text is JSON.parse's.
 */
const WRITTEN_METADATA =
  // eslint-disable-next-line no-control-regex -- JSON.parse refuses them raw in a string: so must the match.
  /^\{"actor":(?:null|"([^"\\\x00-\x1f]*)"),"commandId":"([^"\\\x00-\x1f]*)","correlationId":"[^"\\\x00-\x1f]*","causationId":"[^"\\\x00-\x1f]*","commandDigest":"[^"\\\x00-\x1f]*"\}$/;

/**
 * Reads plain rows into one CheckedEvent, filled again for every row, and writes their
 * leaves; one per thread (its ISO-time caches are its own).
 */
export class RowReader {
  readonly event: CheckedEvent = blankCheckedEvent();
  /** The metadata's actor and commandId in the row last read, as JSON.parse gives them. */
  private actor: unknown = null;
  private commandId: unknown = null;
  private readonly effectiveTimes = new IsoTimes();
  private readonly recordedTimes = new IsoTimes();

  /** Fills `event` from a plain row (isPlainRow), parsing its data and metadata. */
  read(row: LogRow): CheckedEvent {
    const event = this.event;
    this.readMetadata(row[METADATA] as string);
    event.commandId = this.commandId as string;
    event.id = row[ID] as string;
    event.streamId = row[STREAM_ID] as string;
    event.revision = row[REVISION] as number;
    event.position = row[POSITION] as number;
    event.type = row[TYPE] as string;
    event.schemaVersion = row[SCHEMA_VERSION] as number;
    event.data = JSON.parse(row[DATA] as string) as Record<string, unknown>;
    event.effectiveAt = row[EFFECTIVE_AT] as number;
    event.recordedAt = row[RECORDED_AT] as number;
    return event;
  }

  private readMetadata(text: string): void {
    const written = WRITTEN_METADATA.exec(text);
    if (written !== null) {
      this.actor = written[1] ?? null;
      this.commandId = written[2];
      return;
    }
    // As the port reads it: metadata that is not an object fails the same way there.
    const metadata = JSON.parse(text) as { actor?: unknown; commandId?: unknown };
    this.actor = metadata.actor;
    this.commandId = metadata.commandId;
  }

  /** The canonical leaf text of the row last read. */
  leafText(): string {
    const event = this.event;
    return rowLeafText(
      event,
      event.effectiveAt,
      event.recordedAt,
      this.actor,
      this.commandId,
      this.effectiveTimes,
      this.recordedTimes,
    );
  }

  /** The leaf hash (as sha256Latin1 gives it) of the row last read. */
  leafHash(): string {
    return leafHashLatin1OfText(this.leafText());
  }
}
