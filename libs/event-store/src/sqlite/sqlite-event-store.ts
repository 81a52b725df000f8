import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CommitListeners } from '../commit-listeners';
import { LogPage } from '../log-page';
import {
  AppendOptions,
  AppendResult,
  CommandIdTakenError,
  DuplicateEventIdError,
  EventStore,
  EventStoreUnavailableError,
  EventToAppend,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamCondition,
  StreamVersion,
  Unsubscribe,
  WrongExpectedVersionError,
} from '../event-store';
import { assertAppendable } from '../append-checks';
import { fromRevisionOf } from '../stream-reads';
import { GroupCommit, Outcome } from './group-commit';
import { READ_AHEAD_MIN_LIMIT, ReadAhead } from './read-ahead';
import type { RowValues } from './read-ahead-page';
import { describeError, isUniqueViolation, translateVendorError } from './sqlite-errors';
import { CheckpointReport, WalCheckpoints } from './wal-checkpoints';
import {
  COLUMNS,
  EventRow,
  ImportRow,
  SqliteSettings,
  assertDurable,
  assertImportRows,
  importRowOf,
  migrate,
  parsePosition,
  readSettings,
  recordedEventOf,
} from './sqlite-schema';

const MEMORY = ':memory:';
/** How soon commits by another process on the same file are noticed. */
const OTHER_WRITERS_POLL_MS = 100;
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** An event row's values in the order of the insert's columns: a row's, without its position. */
type ImportedRow = RowValues extends [position: number, ...rest: infer Rest] ? Rest : never;

export interface SqliteOpenOptions {
  /** How long a write waits for another connection's lock before failing; 5 s by default. */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's page cache for this connection; its own default (2 MiB) by default. A bulk
   * import into a large file spends most of its time paging its indexes without more.
   */
  readonly cacheSizeMiB?: number;
  /**
   * Whether `readAll` of large pages reads the next page ahead in a worker thread
   * (read-ahead.ts); on by default for a file.
   */
  readonly readAhead?: boolean;
  /**
   * Whether a worker thread checkpoints the write-ahead log (wal-checkpoints.ts), so that
   * no commit waits for a checkpoint; on by default for a file.
   */
  readonly checkpointThread?: boolean;
}

/** The embedded adapter: one SQLite file (or memory) holding every stream. */
export class SqliteEventStore implements EventStore {
  private closed = false;
  /** While importRowPieces holds a transaction open across its pieces: nothing else runs. */
  private importing = false;
  private readonly listeners = new CommitListeners();

  private readonly selectById: Database.Statement<[string], EventRow>;
  private readonly selectByCommand: Database.Statement<[string], EventRow>;
  private readonly selectStream: Database.Statement<[string, number], EventRow>;
  private readonly selectPage: Database.Statement<[number, number], EventRow>;
  private readonly selectLastRevision: Database.Statement<[string], number | null>;
  private readonly selectLastRecordedAt: Database.Statement<[], number>;
  private readonly countEvents: Database.Statement<[], number>;
  private readonly countEventsAfter: Database.Statement<[number], number>;
  private readonly groupCommitObservers = new Set<(appends: number) => void>();
  /**
   * An event's row, with positional parameters (they bind faster than named ones) and
   * without RETURNING: its position is the rowid, and the rest is what was written.
   */
  private readonly insertRow: Database.Statement<ImportedRow>;
  private readonly groupCommit: GroupCommit<PendingAppend>;
  private readonly toRecordedEvent = recordedEventOf;
  private watch: NodeJS.Timeout | undefined;
  private readAhead: ReadAhead | undefined;
  private pagesReadAhead = 0;
  private checkpoints: WalCheckpoints | undefined;
  private readonly dataVersion: Database.Statement<[], number>;
  private readonly commitGroup: Database.Transaction<
    (batch: readonly PendingAppend[]) => { outcomes: Outcome[]; dataVersion: number }
  >;
  private readonly appendInSavepoint: Database.Transaction<
    (
      streamId: string,
      events: readonly EventToAppend[],
      expectedVersion: ExpectedVersion,
      unchanged: readonly StreamCondition[],
    ) => AppendResult
  >;
  private readonly importInTransaction: Database.Transaction<(rows: readonly ImportRow[]) => void>;
  /**
   * The events of this connection's latest commit that recorded any, and SQLite's
   * data_version as that commit found it: while no other connection has committed since
   * (the same data_version), they are the end of the log. The read model reads them as soon
   * as the commit is answered, and is given these instead of the same rows read back from
   * the file and parsed again (`readPage`).
   */
  private lastCommit: LastCommit | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly location: string,
    private readonly readAheadAllowed: boolean,
  ) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.selectById = db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`);
    this.selectByCommand = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE json_extract(metadata, '$.commandId') = ? ORDER BY position`,
    );
    this.selectStream = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision`,
    );
    this.selectPage = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    );
    this.selectLastRevision = db
      .prepare<[string], number | null>('SELECT MAX(revision) FROM events WHERE stream_id = ?')
      .pluck();
    this.selectLastRecordedAt = db
      .prepare<[], number>('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1')
      .pluck();
    this.countEvents = db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck();
    this.countEventsAfter = db
      .prepare<[number], number>('SELECT COUNT(*) FROM events WHERE position > ?')
      .pluck();
    this.insertRow = db.prepare(
      `INSERT INTO events (id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Nested in commitGroup, a better-sqlite3 transaction is a savepoint.
    this.appendInSavepoint = db.transaction((streamId, events, expectedVersion, unchanged) =>
      this.appendLocked(streamId, events, expectedVersion, unchanged),
    );
    this.commitGroup = db.transaction((batch: readonly PendingAppend[]) => {
      // Under the write lock: no other connection commits between this read and the COMMIT,
      // and this connection's own commits do not move it.
      const dataVersion = this.dataVersion.get() ?? Number.NaN;
      return { outcomes: batch.map((append) => this.appendInGroup(append)), dataVersion };
    });
    this.importInTransaction = db.transaction((rows) => this.importLocked(rows));
    this.groupCommit = new GroupCommit(
      (batch) =>
        this.use(() => {
          const { outcomes, dataVersion } = this.commitGroup.immediate(batch);
          const events = eventsRecordedBy(outcomes);
          // A commit that recorded nothing leaves the log's end where it was.
          if (events?.length !== 0) {
            this.lastCommit = events === undefined ? undefined : { events, dataVersion };
          }
          return outcomes;
        }),
      () => this.notify(),
      (appends) => {
        for (const observer of this.groupCommitObservers) {
          try {
            observer(appends);
          } catch {
            // An observer only watches: its failure must not leave a durable commit unanswered.
          }
        }
      },
    );
  }

  /** Opens (creating when missing) the store at a file path or `:memory:`. */
  static open(location: string, options: SqliteOpenOptions = {}): SqliteEventStore {
    if (location === '') {
      // better-sqlite3 would quietly open an anonymous temporary file.
      throw new EventStoreUnavailableError('no SQLite location given; use a file path or :memory:');
    }
    const memory = location === MEMORY;
    let db: Database.Database | undefined;
    try {
      if (!memory) mkdirSync(dirname(location), { recursive: true });
      db = new Database(location, {
        timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      });
      if (!memory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      if (options.cacheSizeMiB !== undefined) {
        db.pragma(`cache_size = -${Math.round(options.cacheSizeMiB * 1024)}`);
      }
      assertDurable(readSettings(db), memory);
      migrate(db);
      const store = new SqliteEventStore(db, location, options.readAhead ?? true);
      if (!memory && (options.checkpointThread ?? true)) {
        store.checkpoints = WalCheckpoints.start(location, db);
      }
      return store;
    } catch (error) {
      db?.close();
      if (error instanceof EventStoreUnavailableError) throw error;
      throw new EventStoreUnavailableError(
        `cannot open the SQLite event store at ${location}: ${describeError(error)}`,
        { cause: error },
      );
    }
  }

  /** How many durable commits the appends so far took: appends / commits is the group size. */
  groupCommits(): { readonly commits: number; readonly appends: number } {
    return this.groupCommit.stats();
  }

  /** The durability settings as SQLite reports them, not as they were asked for. */
  settings(): SqliteSettings {
    return this.use(() => readSettings(this.db));
  }

  /**
   * Appends share durable commits (group-commit.ts). Each runs in its own savepoint with its
   * own expected-version check and outcome: one that fails is rolled back alone.
   */
  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expectedVersion: ExpectedVersion,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.use(() => assertAppendable(events));
    const unchanged = options.unchanged ?? [];
    return this.groupCommit.submit({ streamId, events, expectedVersion, unchanged });
  }

  async readStream(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<readonly RecordedEvent[]> {
    return this.use(() => {
      const from = fromRevisionOf(options);
      return this.selectStream.all(streamId, from).map(this.toRecordedEvent);
    });
  }

  async readCommand(commandId: string): Promise<readonly RecordedEvent[]> {
    return this.use(() => this.selectByCommand.all(commandId).map(this.toRecordedEvent));
  }

  async readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    return (await this.readPage(options)).events();
  }

  async readPage({ after, limit }: ReadAllOptions): Promise<LogPage> {
    const from = this.use(() => {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new RangeError(`readAll limit must be a positive integer, not ${limit}`);
      }
      return after === undefined ? 0 : parsePosition(after);
    });
    const committed = this.use(() => this.lastCommitAfter(from, limit));
    if (committed !== undefined) return LogPage.ofEvents(committed);
    const readAhead = await this.readAhead?.take(from, limit);
    const page = this.use(
      () =>
        readAhead ?? LogPage.ofEvents(this.selectPage.all(from, limit).map(this.toRecordedEvent)),
    );
    if (!this.readsAhead(limit)) return page;
    if (page.length === limit) {
      this.readAhead ??= ReadAhead.start(this.location);
      this.readAhead?.prefetch(Number(page.position(limit - 1)), limit);
    } else if (this.readAhead !== undefined) {
      // The end of the log: the worker's memory is given back until the next long read.
      this.pagesReadAhead += this.readAhead.taken;
      void this.readAhead.close();
      this.readAhead = undefined;
    }
    return page;
  }

  /** How many pages of `readAll` a worker thread read ahead (read-ahead.ts). */
  pagesReadAheadSoFar(): number {
    return this.pagesReadAhead + (this.readAhead?.taken ?? 0);
  }

  /**
   * The page after `from` when it begins within the latest commit, or right after it, and
   * that commit is still the end of the log; undefined when the file must be read.
   */
  private lastCommitAfter(from: number, limit: number): readonly RecordedEvent[] | undefined {
    const last = this.lastCommit;
    if (last === undefined || from + 1 < Number(last.events[0].position)) return undefined;
    if (this.dataVersion.get() !== last.dataVersion) return undefined;
    const index = from + 1 - Number(last.events[0].position);
    return last.events.slice(index, index + limit);
  }

  /** A caller reading the log page by page in large pages gets the next one read ahead. */
  private readsAhead(limit: number): boolean {
    return this.readAheadAllowed && this.location !== MEMORY && limit >= READ_AHEAD_MIN_LIMIT;
  }

  /**
   * Writes a whole call in one transaction: when one event cannot take its place, nothing
   * of the call is written. Positions are this file's own; the order is the one given.
   */
  async importRecorded(events: readonly RecordedEvent[]): Promise<void> {
    // The rows' checks are assertRecordedEvents' on the same values.
    return this.importRows(this.use(() => events.map(importRowOf)));
  }

  /**
   * importRecorded of events already made rows (`importRowOf`): for a writer that prepares
   * them on another thread (the generator).
   */
  async importRows(rows: readonly ImportRow[]): Promise<void> {
    this.use(() => {
      assertImportRows(rows);
      // The log's end moves without a commit of appends.
      this.lastCommit = undefined;
      this.importInTransaction.immediate(rows);
    });
    if (rows.length > 0) this.notify();
  }

  /**
   * importRows of a long import whose rows come in pieces (the generator's, from its
   * simulation thread): each piece is checked and inserted as it comes, and the rows are
   * committed together once `rowsPerCommit` of them wait, and at the end. A commit writes
   * every index page its rows touched, and rows at random places in the indexes touch most
   * of them, so few commits of many rows cost far less than one per piece. A failure
   * rolls back the rows since the last commit and is thrown; the rows committed before it
   * stay. Meanwhile the store serves nothing else: any other call fails as on a closed
   * store, and its listeners hear of the rows at the end. Resolves to the number of rows
   * imported.
   *
   * `syncAtEndOnly` is for a new file that is of no use until the import is whole (the
   * generator's): its commits are not forced to disk one by one (a power loss in the
   * middle may lose or damage them; a crash of the process loses nothing committed), and
   * the end forces every row to disk, the log folded into the file, before it resolves.
   */
  async importRowPieces(
    pieces: AsyncIterable<readonly ImportRow[]>,
    rowsPerCommit: number,
    { syncAtEndOnly = false }: { readonly syncAtEndOnly?: boolean } = {},
  ): Promise<number> {
    this.use(() => {
      if (!Number.isSafeInteger(rowsPerCommit) || rowsPerCommit < 1) {
        throw new RangeError(`rowsPerCommit must be a positive integer, not ${rowsPerCommit}`);
      }
    });
    this.importing = true;
    this.lastCommit = undefined;
    let imported = 0;
    let uncommitted = 0;
    // Under the write lock a stream's version moves only by this import's own rows: each
    // stream's is asked of the file once per transaction, not once per piece.
    const versions = new Map<string, StreamVersion>();
    const commit = (): void => {
      this.duringImport(() => this.db.exec('COMMIT'));
      versions.clear();
      uncommitted = 0;
    };
    try {
      if (syncAtEndOnly) {
        // The end's TRUNCATE checkpoint must not meet the thread's.
        await this.stopCheckpointThread();
        this.duringImport(() => this.db.pragma('synchronous = OFF'));
      }
      for await (const rows of pieces) {
        this.duringImport(() => {
          assertImportRows(rows);
          if (!this.db.inTransaction) this.db.exec('BEGIN IMMEDIATE');
          this.importLocked(rows, versions);
        });
        imported += rows.length;
        uncommitted += rows.length;
        if (uncommitted >= rowsPerCommit) commit();
      }
      if (uncommitted > 0) commit();
      if (syncAtEndOnly) {
        this.duringImport(() => {
          this.db.pragma('synchronous = FULL');
          const [{ busy }] = this.db.pragma('wal_checkpoint(TRUNCATE)') as [{ busy: number }];
          if (busy !== 0) throw new EventStoreUnavailableError('the SQLite file is in use');
        });
      }
      return imported;
    } finally {
      if (!this.closed && this.db.inTransaction) this.db.exec('ROLLBACK');
      if (!this.closed && syncAtEndOnly) this.db.pragma('synchronous = FULL');
      this.importing = false;
      // Listeners hear once the store serves them again: they would read at once.
      if (imported > 0) this.notify();
    }
  }

  async countAll(): Promise<number> {
    return this.use(() => this.countEvents.get() ?? 0);
  }

  /** A range of the primary key: costs what follows the position, not the whole log. */
  async countAfter(after: string | undefined): Promise<number> {
    return this.use(() =>
      after === undefined
        ? (this.countEvents.get() ?? 0)
        : (this.countEventsAfter.get(parsePosition(after)) ?? 0),
    );
  }

  onGroupCommit(observer: (appends: number) => void): Unsubscribe {
    this.groupCommitObservers.add(observer);
    return () => this.groupCommitObservers.delete(observer);
  }

  /**
   * Listeners hear of this store's own commits at once, and of commits by other processes
   * on the same file within {@link OTHER_WRITERS_POLL_MS}: SQLite's data_version changes
   * whenever another connection has committed.
   */
  onCommit(listener: () => void): Unsubscribe {
    // A subscription on a closed store would never be called; say so instead.
    this.use(() => undefined);
    const remove = this.listeners.add(listener);
    if (this.watch === undefined && this.location !== MEMORY) {
      let seen = this.dataVersion.get();
      this.watch = setInterval(() => {
        if (this.closed) return;
        const now = this.dataVersion.get();
        if (now !== seen) this.notify();
        seen = now;
      }, OTHER_WRITERS_POLL_MS).unref();
    }
    return () => {
      remove();
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  /** What the checkpoint thread last found; undefined without the thread or before. */
  checkpointThreadReport(): CheckpointReport | undefined {
    return this.checkpoints?.last;
  }

  private async stopCheckpointThread(): Promise<void> {
    const checkpoints = this.checkpoints;
    this.checkpoints = undefined;
    await checkpoints?.stop();
  }

  private stopWatching(): void {
    clearInterval(this.watch);
    this.watch = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopWatching();
    // Appends already accepted are committed (and answered) before the file closes.
    this.groupCommit.flush();
    this.closed = true;
    this.listeners.clear();
    // The store's connection closes last, and so folds the log into the file and removes it.
    await this.stopCheckpointThread();
    this.db.close();
    await this.readAhead?.close();
  }

  /** One append of a group, inside the group's transaction, in a savepoint of its own. */
  private appendInGroup({ streamId, events, expectedVersion, unchanged }: PendingAppend): Outcome {
    try {
      return { result: this.appendInSavepoint(streamId, events, expectedVersion, unchanged) };
    } catch (error) {
      if (!(error instanceof RevisionTaken)) return { error: translateVendorError(error) };
      // After the rollback to the savepoint, the version to report is the one in force.
      const expected = expectedVersion === 'any' ? error.version : expectedVersion;
      return {
        error: new WrongExpectedVersionError(streamId, expected, this.versionOf(streamId)),
      };
    }
  }

  /**
   * Runs inside BEGIN IMMEDIATE: no other writer, in this process or another, gets
   * between the reads and the inserts.
   */
  private appendLocked(
    streamId: string,
    events: readonly EventToAppend[],
    expectedVersion: ExpectedVersion,
    unchanged: readonly StreamCondition[],
  ): AppendResult {
    const repeat = this.recordedRepeat(streamId, events);
    if (repeat !== undefined) return repeat;
    this.assertCommandsFree(events);

    // Under the same lock as the insert: a stream the decision read cannot change between
    // this check and the commit, not even through an earlier append of this group.
    for (const condition of unchanged) {
      const actual = this.versionOf(condition.streamId);
      if (actual !== condition.version) {
        throw new WrongExpectedVersionError(condition.streamId, condition.version, actual);
      }
    }

    const version = this.versionOf(streamId);
    if (expectedVersion !== 'any' && expectedVersion !== version) {
      throw new WrongExpectedVersionError(streamId, expectedVersion, version);
    }

    // Transaction time must not go back when the wall clock does, and a fact cannot be
    // recorded before it took effect; every event of one commit shares the moment.
    const recordedAt = events.reduce(
      (latest, event) => Math.max(latest, event.effectiveAt?.getTime() ?? latest),
      Math.max(Date.now(), this.selectLastRecordedAt.get() ?? Number.NEGATIVE_INFINITY),
    );

    const recorded = events.map((event, index) => {
      try {
        const revision = version + index;
        const data = JSON.stringify(event.data);
        const effectiveAt = event.effectiveAt?.getTime() ?? recordedAt;
        const metadata = JSON.stringify(event.metadata);
        // The position is the rowid; the rest of the row is what was written.
        const { lastInsertRowid } = this.insertRow.run(
          event.id,
          streamId,
          revision,
          event.type,
          data,
          effectiveAt,
          recordedAt,
          metadata,
          event.schemaVersion,
        );
        return {
          position: Number(lastInsertRowid),
          id: event.id,
          stream_id: streamId,
          revision,
          type: event.type,
          data,
          effective_at: effectiveAt,
          recorded_at: recordedAt,
          metadata,
          schema_version: event.schemaVersion,
        } satisfies EventRow;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // The constraint does not say which column it guards without parsing its message,
        // so ask the data. Inside the transaction an id found may be this batch's own.
        if (this.selectById.get(event.id) !== undefined) throw new DuplicateEventIdError(event.id);
        throw new RevisionTaken(version);
      }
    });
    return {
      nextVersion: version + events.length,
      events: recorded.map(this.toRecordedEvent),
      repeated: false,
    };
  }

  private importLocked(
    rows: readonly ImportRow[],
    versions = new Map<string, StreamVersion>(),
  ): void {
    // Under the lock, a stream's version moves only by this transaction's own inserts: ask
    // the file once per stream, not once per event.
    for (const row of rows) {
      const [id, streamId, revision] = row;
      const version = versions.get(streamId) ?? this.versionOf(streamId);
      if (revision !== version) throw new WrongExpectedVersionError(streamId, revision, version);
      versions.set(streamId, version + 1);
      try {
        this.insertRow.run(...row);
      } catch (error) {
        // The revision was checked free under the lock, so only the id can collide.
        if (isUniqueViolation(error)) throw new DuplicateEventIdError(id);
        throw error;
      }
    }
  }

  /**
   * The events recorded the first time when this append repeats an earlier one (every id
   * already in this stream, consecutively, with the same types), so that a retried
   * command records nothing. Any other reuse of the first id is a duplicate.
   */
  private recordedRepeat(
    streamId: string,
    events: readonly EventToAppend[],
  ): AppendResult | undefined {
    const [first] = events;
    const firstRow = first === undefined ? undefined : this.selectById.get(first.id);
    if (first === undefined || firstRow === undefined) return undefined;

    const rows = events.map((event) => this.selectById.get(event.id));
    const isRepeat = rows.every(
      (row, index) =>
        row !== undefined &&
        row.stream_id === streamId &&
        row.revision === firstRow.revision + index &&
        row.type === events[index]?.type,
    );
    if (!isRepeat) {
      // The same command sent to another stream (or decided otherwise) names what it recorded.
      this.assertCommandsFree(events);
      throw new DuplicateEventIdError(first.id);
    }

    const recorded = (rows as EventRow[]).map(this.toRecordedEvent);
    return {
      nextVersion: firstRow.revision + events.length,
      events: recorded,
      repeated: true,
    };
  }

  /** Refuses a commandId of these events that already recorded anything. */
  private assertCommandsFree(events: readonly EventToAppend[]): void {
    for (const commandId of new Set(events.map((event) => event.metadata.commandId))) {
      const recorded = this.selectByCommand.all(commandId);
      if (recorded.length > 0) {
        throw new CommandIdTakenError(commandId, recorded.map(this.toRecordedEvent), events[0]!.id);
      }
    }
  }

  private versionOf(streamId: string): StreamVersion {
    const lastRevision = this.selectLastRevision.get(streamId);
    return lastRevision === null || lastRevision === undefined ? 0 : lastRevision + 1;
  }

  private notify(): void {
    this.listeners.notify();
  }

  private use<T>(work: () => T): T {
    if (this.importing) {
      throw new EventStoreUnavailableError('the SQLite event store is busy with an import');
    }
    return this.duringImport(work);
  }

  /** `use` for the import's own work. */
  private duringImport<T>(work: () => T): T {
    if (this.closed) throw new EventStoreUnavailableError('the SQLite event store is closed');
    try {
      return work();
    } catch (error) {
      throw translateVendorError(error);
    }
  }
}

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expectedVersion: ExpectedVersion;
  readonly unchanged: readonly StreamCondition[];
}

/** Carries a (stream_id, revision) conflict out of the rolled-back transaction. */
class RevisionTaken extends Error {
  constructor(readonly version: StreamVersion) {
    super('the revision was taken by another writer');
  }
}

interface LastCommit {
  readonly events: readonly RecordedEvent[];
  readonly dataVersion: number;
}

/**
 * The events a commit recorded, in log order; undefined when their positions do not follow
 * one another (each insert takes the position after the file's last, so they do).
 */
function eventsRecordedBy(outcomes: readonly Outcome[]): readonly RecordedEvent[] | undefined {
  const events: RecordedEvent[] = [];
  for (const outcome of outcomes) {
    if (!('result' in outcome) || outcome.result.repeated) continue;
    for (const event of outcome.result.events) {
      const previous = events[events.length - 1];
      if (previous !== undefined && Number(event.position) !== Number(previous.position) + 1) {
        return undefined;
      }
      events.push(event);
    }
  }
  return events;
}
