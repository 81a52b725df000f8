/**
 * The port every event store adapter implements (SQLite embedded, EventStoreDB for
 * clusters). Streams are append-only; the global log orders every event of every
 * stream in commit order.
 */
import type { LogPage } from './log-page';

/** The number of events a stream holds; 0 means the stream does not exist. */
export type StreamVersion = number;

/** `'any'` appends whatever the stream holds; a number appends only at that version. */
export type ExpectedVersion = StreamVersion | 'any';

export interface EventMetadata {
  /** The authenticated principal that caused the event; null without authentication. */
  readonly actor: string | null;
  /** The command that recorded the event (its idempotency key). */
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** A digest of the command's name and input, to tell a repeat from a reuse of commandId. */
  readonly commandDigest: string;
}

export interface EventToAppend {
  /** Unique; derived from the commandId so that a repeated command is recognised by the store. */
  readonly id: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** When the fact took effect in the world; absent means at the moment of recording. */
  readonly effectiveAt?: Date;
  readonly metadata: EventMetadata;
  readonly schemaVersion: number;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based position of the event in its stream. */
  readonly revision: number;
  /** Opaque global commit position; compare for equality only, the log gives the order. */
  readonly position: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly effectiveAt: Date;
  /**
   * Transaction time, set by the store at commit. Within a stream it never decreases and
   * never precedes effectiveAt; in SQLite it never decreases in commit order either.
   */
  readonly recordedAt: Date;
  /**
   * Present only where the store's own clock read otherwise at commit (an EventStoreDB
   * leader whose clock stepped back): that raw reading, kept beside the recordedAt used.
   */
  readonly rawRecordedAt?: Date;
  readonly metadata: EventMetadata;
  readonly schemaVersion: number;
}

export interface AppendResult {
  /** The stream's version right after the append. */
  readonly nextVersion: StreamVersion;
  readonly events: readonly RecordedEvent[];
  /**
   * True when every event id was already recorded in this stream: the store recorded
   * nothing and returns the events recorded the first time.
   */
  readonly repeated: boolean;
}

/** A stream a decision read, and the version it had then. */
export interface StreamCondition {
  readonly streamId: string;
  readonly version: StreamVersion;
}

export interface AppendOptions {
  /**
   * Other streams the decision read: the append records nothing and fails with
   * {@link WrongExpectedVersionError} naming the first of them that is no longer at its
   * version, so that a decision made across streams is recorded only on the facts it saw.
   * How strictly an adapter can hold this is its to say (SQLite: in the append's
   * transaction; EventStoreDB: checked just before the append).
   */
  readonly unchanged?: readonly StreamCondition[];
}

export interface ReadStreamOptions {
  /**
   * The first revision to read, a non-negative integer: a caller that holds the stream's
   * state up to a version reads only what came after it.
   */
  readonly fromRevision?: number;
}

export interface ReadAllOptions {
  /** The position of the last event already seen; absent reads from the beginning. */
  readonly after?: string;
  /** Page size, at least 1. */
  readonly limit: number;
}

export type Unsubscribe = () => void;

export interface EventStore {
  /**
   * Appends all events or none. Fails with {@link WrongExpectedVersionError} when the
   * stream's version differs from `expectedVersion`, and with {@link DuplicateEventIdError}
   * when an event id is already recorded elsewhere (SQLite sees every id; EventStoreDB the
   * ids of this stream, and of other streams through their commandId, below).
   *
   * A commandId is one command: when a commandId of these events already recorded events
   * that are not exactly this append (the same ids, consecutive, in this stream), in any
   * stream, it fails with {@link CommandIdTakenError} naming them. Appending exactly the
   * same events again is a repeat (`repeated: true`), never a second recording.
   */
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expectedVersion: ExpectedVersion,
    options?: AppendOptions,
  ): Promise<AppendResult>;

  /**
   * The events of one stream, oldest first, from revision `options.fromRevision` (0 when
   * absent) on; a stream that does not exist, or has no event at or after that revision,
   * reads as empty.
   */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;

  /**
   * The events a commandId recorded, in order; empty when it recorded none. A retried
   * command is recognised here, from the log itself, never from a read model that may lag.
   */
  readCommand(commandId: string): Promise<readonly RecordedEvent[]>;

  /** One page of the global log in commit order, starting after `options.after`. */
  readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]>;

  /**
   * The same page as `readAll`, with each event's fields by row (log-page.ts): for a reader
   * that keeps columns of its own and reads few events' data.
   */
  readPage(options: ReadAllOptions): Promise<LogPage>;

  /**
   * Calls `listener` after each commit (its events are then readable through readAll).
   * Each call is only a wake-up to read the log from the listener's checkpoint: calls may
   * come more than once per commit, and without one (a subscription starting).
   */
  onCommit(listener: () => void): Unsubscribe;

  close(): Promise<void>;

  /**
   * Optional: writes events another store recorded, as they were recorded there: the same
   * id, stream, revision, type, data, effectiveAt, recordedAt, metadata and schemaVersion,
   * in the order given, which must be the source's global order. Only the positions are this
   * store's own. Each event must take the next revision of its stream, else nothing of its
   * stream's run is written ({@link WrongExpectedVersionError}); an id already recorded is
   * a {@link DuplicateEventIdError} where the store can tell.
   *
   * It does not check that recordedAt keeps increasing against events already in this
   * store: the caller copies into an empty store or one that holds an earlier copy of the
   * same log (see `migrateEvents`). How much of one call is atomic is the adapter's to say.
   */
  importRecorded?(events: readonly RecordedEvent[]): Promise<void>;

  /** Optional: the number of events in the global log, where the store can count them cheaply. */
  countAll?(): Promise<number>;

  /**
   * Optional: how many events follow a position of the global log (all of them when
   * `after` is undefined), where the store can count them without reading them.
   */
  countAfter?(after: string | undefined): Promise<number>;

  /**
   * Optional, for stores that commit several appends together: calls `observer` after
   * each durable commit with the number of appends it held.
   */
  onGroupCommit?(observer: (appends: number) => void): Unsubscribe;

  /**
   * Optional, for stores whose write-ahead log a thread of their own checkpoints (SQLite):
   * the log's frames and how many of them the database file holds, after the thread's last
   * checkpoint; undefined before the first or without the thread.
   */
  checkpointThreadReport?(): { readonly log: number; readonly checkpointed: number } | undefined;

  /**
   * Optional: checks once, at start, that this process may do what the API does with the
   * store (read the whole log). Fails with {@link EventStoreAccessDeniedError} when it may
   * not; a store that cannot be reached now is left for the first read to report.
   */
  checkAccess?(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/** The stream's version did not match the expected one; nothing was recorded. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: StreamVersion,
    readonly actualVersion: StreamVersion,
  ) {
    super(`stream ${streamId} is at version ${actualVersion}, not the expected ${expectedVersion}`);
  }
}

/** An event id is already recorded, but not as this same append; nothing was recorded. */
export class DuplicateEventIdError extends Error {
  override readonly name: string = 'DuplicateEventIdError';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already recorded`);
  }
}

/**
 * The events' commandId already belongs to another recording (another stream, or other
 * events); nothing was recorded. A DuplicateEventIdError too: a command's event ids are
 * derived from its commandId, so the same command sent elsewhere reuses them.
 */
export class CommandIdTakenError extends DuplicateEventIdError {
  override readonly name: string = 'CommandIdTakenError';
  constructor(
    readonly commandId: string,
    /**
     * The events that commandId recorded, in order. Empty when an earlier attempt reserved
     * it (EventStoreDB) but its events never got in: the commandId stays taken all the same.
     */
    readonly recorded: readonly RecordedEvent[],
    /** The first event of the refused append. */
    eventId: string,
  ) {
    super(eventId);
    this.message =
      recorded.length === 0
        ? `commandId ${commandId} is reserved by an earlier attempt for another stream or input`
        : `commandId ${commandId} already recorded ${recorded.length} event(s) in ${recorded[0]!.streamId}`;
  }
}

/** The store cannot be used: bad configuration, an unreachable server, a closed store. */
export class EventStoreUnavailableError extends Error {
  override readonly name: string = 'EventStoreUnavailableError';
}

/** The store refuses this process's credentials what the API needs; retrying will not help. */
export class EventStoreAccessDeniedError extends EventStoreUnavailableError {
  override readonly name = 'EventStoreAccessDeniedError';
}

/** `readAll` was given an `after` this store never issued; nothing was read. */
export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
  constructor(readonly position: string) {
    super(`${JSON.stringify(position)} is not a position issued by this event store`);
  }
}
