import { randomUUID } from 'node:crypto';
import {
  AccessDeniedError,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError as VendorWrongExpectedVersionError,
  convertToCommandError,
  excludeSystemEvents,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Direction,
  type Position,
  type ReadPosition,
  type RecordedEvent as VendorRecordedEvent,
} from '@eventstore/db-client';
import { CommitListeners } from '../commit-listeners';
import {
  AppendOptions,
  AppendResult,
  CommandIdTakenError,
  DuplicateEventIdError,
  EventStore,
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  EventToAppend,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamVersion,
  Unsubscribe,
  WrongExpectedVersionError,
} from '../event-store';
import { assertAppendable } from '../append-checks';
import { LogPage } from '../log-page';
import { assertRecordedEvents } from '../recorded-events';
import { fromRevisionOf } from '../stream-reads';
import { findEarlierRecording } from './earlier-recording';
import { withUnaryAppends } from './unary-appends';
import {
  appendIdOf,
  comparePositions,
  decodePosition,
  encodePosition,
  isHiddenEvent,
  RESERVATION_STREAM_PREFIX,
  reservationStream,
  toReservation,
  toReservationData,
  type Reservation,
  toEventData,
  toExpectedRevision,
  toImportedEventData,
  toRecordedEvent,
  toStreamVersion,
} from './eventstoredb-mapping';

/** The part of the EventStoreDB client this adapter uses; tests hand in a scripted one. */
export type EventStoreDbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

export interface EventStoreDbOptions {
  /** The user the connection string names, to say whose access the server refused. */
  readonly userName?: string;
  /** The first wait before resubscribing to commits after the subscription dropped. */
  readonly resubscribeDelayMs?: number;
  /** The longest wait between resubscriptions; the wait doubles up to it. */
  readonly maxResubscribeDelayMs?: number;
}

/**
 * Every request goes to the leader: appends must, and the reads that follow them (the
 * read-back, the stream a decision is taken on, the log the read model follows) must see
 * them. A follower answers NotLeader, and the client turns to the leader it names.
 */
const ON_LEADER = { requiresLeader: true } as const;

/** Events read from `$all` in one request: enough to fill a page past the system events. */
const MAX_READ_CHUNK = 4_096;
const HEAD_READ_CHUNK = 64;
/** Streams whose last recordedAt is kept: the hot ones, whose next append follows a read. */
const REMEMBERED_STREAMS = 10_000;
/** The server's default limit for one append (MaxAppendSize), in bytes of data and metadata. */
export const MAX_APPEND_BYTES = 1_048_576;
/**
 * An imported append's serialised size at most: a quarter under the limit, for the bytes
 * each event adds besides its data and metadata (id, type, content type, framing).
 */
export const IMPORT_APPEND_BUDGET_BYTES = 786_432;
/** What one event may weigh so that, alone, it still fits the limit with that framing. */
export const MAX_EVENT_BYTES = MAX_APPEND_BYTES - 4_096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The vendor's errors that mean the server cannot be used now, or not with these settings. */
const UNAVAILABLE = [
  UnavailableError,
  NotLeaderError,
  DeadlineExceededError,
  TimeoutError,
  CancelledError,
  AccessDeniedError,
];

/**
 * The production adapter: streams are EventStoreDB streams, the global log is `$all`
 * without EventStoreDB's own (`$`) events. Event ids are sent as the server's event ids,
 * so its idempotence recognises a retried append.
 */
export class EventStoreDbEventStore implements EventStore {
  private closed = false;
  private readonly listeners = new CommitListeners();
  private subscription: AllStreamSubscription | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  /** The last event the subscription delivered, to resume from after it dropped. */
  private lastSeen: Position | undefined;
  private resubscribeDelayMs: number;
  private notifyScheduled = false;
  /** The last recordedAt of streams read or written lately (most recent last), by version. */
  private readonly lastRecorded = new Map<
    string,
    { readonly version: StreamVersion; readonly recordedAt: Date }
  >();

  constructor(
    private readonly client: EventStoreDbClient,
    private readonly options: EventStoreDbOptions = {},
  ) {
    this.resubscribeDelayMs = options.resubscribeDelayMs ?? 100;
  }

  /**
   * Opens a client on an `esdb://` or `esdb+discover://` connection string. No request is
   * made yet: an unreachable server shows at the first call.
   */
  static open(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new EventStoreUnavailableError(
        `the EventStoreDB client refused the esdb URL: ${describeRefusal(error)}`,
      );
    }
    return new EventStoreDbEventStore(withUnaryAppends(client), {
      userName: userNameIn(connectionString),
      ...options,
    });
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expectedVersion: ExpectedVersion,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    assertAppendableHere(streamId, events);
    const expectedRevision = toExpectedRevision(expectedVersion);
    // EventStoreDB has no transaction across streams: the other streams are checked just
    // before the append, which narrows the window but cannot close it (docs/domain.md,
    // "Decisions across streams").
    for (const condition of options.unchanged ?? []) {
      const actual = await this.versionAround(condition.streamId, condition.version);
      if (actual !== condition.version) {
        throw new WrongExpectedVersionError(condition.streamId, condition.version, actual);
      }
    }

    let versionRead: StreamVersion | undefined;
    if (expectedVersion === 'any') {
      // With ANY the server compares ids only with a cache of recent writes, which a
      // restart empties; the stream itself tells a repeat for certain.
      const stream = await this.readStream(streamId);
      const earlier = earlierResult(streamId, stream, events);
      if (earlier !== undefined) return earlier;
      versionRead = stream.length;
    }

    if (await this.reserve(streamId, events)) {
      // An earlier attempt of this same command reserved it: its events may be in already.
      const earlier = earlierResult(streamId, await this.readStream(streamId), events);
      if (earlier !== undefined) return earlier;
    }

    const notBefore = await this.recordedAtFloor(
      streamId,
      events,
      expectedVersion === 'any' ? (versionRead ?? 0) : expectedVersion,
    );
    const appendId = randomUUID();
    let lastRevision: bigint;
    try {
      const written = await this.call(() =>
        this.client.appendToStream(
          streamId,
          events.map((event) => toEventData(event, appendId, notBefore)),
          { expectedRevision, ...ON_LEADER },
        ),
      );
      lastRevision = written.nextExpectedRevision;
    } catch (error) {
      if (!(error instanceof VendorWrongExpectedVersionError)) throw error;
      // A retry of an append that did get in, now at a version the stream has passed.
      const earlier = earlierResult(streamId, await this.readStream(streamId), events);
      if (earlier !== undefined) return earlier;
      const actual = toStreamVersion(error.actualVersion);
      const expected = expectedVersion === 'any' ? (versionRead ?? actual) : expectedVersion;
      throw new WrongExpectedVersionError(streamId, expected, actual);
    }

    const result = await this.readBack(streamId, events, lastRevision, appendId);
    if (!result.repeated) this.listeners.notify();
    return result;
  }

  async readStream(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<readonly RecordedEvent[]> {
    const from = fromRevisionOf(options);
    const read = await this.readStreamEvents(streamId, from === 0 ? undefined : BigInt(from));
    const events = read.map(toRecordedEvent);
    this.remember(streamId, events);
    return events;
  }

  /** Through the commandId's reservation, which names the stream its events went to. */
  async readCommand(commandId: string): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    return this.recordedUnder(commandId, await this.reservationOf(commandId));
  }

  async readPage(options: ReadAllOptions): Promise<LogPage> {
    return LogPage.ofEvents(await this.readAll(options));
  }

  async readAll({ after, limit }: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`readAll limit must be a positive integer, not ${limit}`);
    }
    let seen = after === undefined ? undefined : decodePosition(after);
    let from: ReadPosition = seen ?? START;
    // One more than the page: a read from a position includes the event at it.
    const size = Math.min(limit + 1, MAX_READ_CHUNK);
    const page: RecordedEvent[] = [];
    for (;;) {
      const chunk = await this.readAllEvents(from, size, FORWARDS);
      for (const event of chunk) {
        if (seen !== undefined && comparePositions(event.position, seen) <= 0) continue;
        if (isHiddenEvent(event)) continue;
        page.push(toRecordedEvent(event));
        if (page.length === limit) return page;
      }
      const last = chunk.at(-1);
      if (last === undefined || chunk.length < size) return page;
      from = last.position;
      seen = last.position;
    }
  }

  /** The position of the log's last event (not counting EventStoreDB's own), if any. */
  async head(): Promise<string | undefined> {
    this.assertOpen();
    let from: ReadPosition = END;
    let before: Position | undefined;
    for (;;) {
      const chunk = await this.readAllEvents(from, HEAD_READ_CHUNK, BACKWARDS);
      for (const event of chunk) {
        if (before !== undefined && comparePositions(event.position, before) >= 0) continue;
        if (!isHiddenEvent(event)) return encodePosition(event.position);
      }
      const last = chunk.at(-1);
      if (last === undefined || chunk.length < HEAD_READ_CHUNK) return undefined;
      from = last.position;
      before = last.position;
    }
  }

  /**
   * A secured server lets only `$admins` read `$all` by default, and every API process
   * follows it: refuse to start with what to change, rather than retry a denial forever.
   */
  async checkAccess(): Promise<void> {
    try {
      await this.readAllEvents(END, 1, BACKWARDS);
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError)) throw error;
      if (error.cause instanceof AccessDeniedError) {
        throw new EventStoreAccessDeniedError(accessDeniedMessage(this.options.userName), {
          cause: error.cause,
        });
      }
      // Unreachable now is not a denial: the read model's first read reports it.
    }
  }

  /**
   * Listeners hear of this process's own appends as soon as they are read back, and of
   * every other writer's through one catch-up subscription to `$all`, opened while anyone
   * listens. Calls may come more than once per commit, and once when a subscription
   * confirms; each is only a wake-up.
   */
  onCommit(listener: () => void): Unsubscribe {
    this.assertOpen();
    const remove = this.listeners.add(listener);
    this.subscribe();
    return () => {
      remove();
      if (this.listeners.size === 0) this.unsubscribe();
    };
  }

  /**
   * Writes runs of consecutive events of one stream as one append each, at the revision
   * the first of them had, each run under {@link IMPORT_APPEND_BUDGET_BYTES} serialised (an
   * event larger than that alone). A run is atomic; a call is not: after a failure, the runs
   * before it stay written (a migration run again skips them). Each event keeps its
   * recordedAt in its metadata, read back instead of the server's commit time.
   */
  async importRecorded(events: readonly RecordedEvent[]): Promise<void> {
    this.assertOpen();
    assertImportable(events);
    for (const run of runsOfOneStream(events)) {
      const [first] = run;
      // Imported commands keep their commandIds: reserved, so none can be used again.
      await this.reserve(first!.streamId, run);
      try {
        await this.call(() =>
          this.client.appendToStream(first!.streamId, run.map(toImportedEventData), {
            expectedRevision: toExpectedRevision(first!.revision),
            ...ON_LEADER,
          }),
        );
      } catch (error) {
        if (!(error instanceof VendorWrongExpectedVersionError)) throw error;
        throw new WrongExpectedVersionError(
          first!.streamId,
          first!.revision,
          toStreamVersion(error.actualVersion),
        );
      }
    }
    if (events.length > 0) this.listeners.notify();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.unsubscribe();
    await this.client.dispose();
  }

  /**
   * Reserves each commandId of the events for this stream and command (its digest), in a
   * stream of its own created at NO_STREAM: of any number of concurrent writers, in any
   * process, exactly one creates it. True when a reservation was already there for this
   * same command (an earlier attempt: its events may be recorded); a reservation for
   * another stream or command is a {@link CommandIdTakenError}, and nothing is appended.
   *
   * A reservation whose append then failed stays: a retry of the same command goes on,
   * anything else under that commandId is refused.
   */
  private async reserve(
    streamId: string,
    events: readonly (EventToAppend | RecordedEvent)[],
  ): Promise<boolean> {
    let retried = false;
    for (const [commandId, own] of byCommand(events)) {
      const wanted: Reservation = {
        streamId,
        commandDigest: own[0]!.metadata.commandDigest,
        eventIds: own.map((event) => event.id),
      };
      try {
        await this.call(() =>
          this.client.appendToStream(reservationStream(commandId), [toReservationData(wanted)], {
            expectedRevision: NO_STREAM,
            ...ON_LEADER,
          }),
        );
        continue;
      } catch (error) {
        if (!(error instanceof VendorWrongExpectedVersionError)) throw error;
      }
      const held = await this.reservationOf(commandId);
      if (held?.streamId === streamId && held.commandDigest === wanted.commandDigest) {
        retried = true;
        continue;
      }
      const recorded = await this.recordedUnder(commandId, held);
      throw new CommandIdTakenError(commandId, recorded, events[0]!.id);
    }
    return retried;
  }

  /** The events recorded under a commandId, in the stream its reservation names. */
  private async recordedUnder(
    commandId: string,
    held: Reservation | undefined,
  ): Promise<readonly RecordedEvent[]> {
    if (held === undefined) return [];
    return (await this.readStream(held.streamId)).filter(
      (event) => event.metadata.commandId === commandId,
    );
  }

  private async reservationOf(commandId: string): Promise<Reservation | undefined> {
    const [first] = await this.readStreamEvents(reservationStream(commandId), undefined, 1);
    return first === undefined ? undefined : toReservation(first);
  }

  /**
   * The earliest recordedAt the events may be read with: their stream's previous recordedAt
   * or their own effectiveAt, whichever is later. The server stamps commits with its own
   * clock, which may step back (a failover to a node whose clock is behind); read against
   * this floor, recordedAt never moves backwards in a stream nor precedes effectiveAt.
   * The stream's last recordedAt is usually known from the read the decision was taken on.
   */
  private async recordedAtFloor(
    streamId: string,
    events: readonly EventToAppend[],
    version: StreamVersion,
  ): Promise<Date | undefined> {
    let floor = Number.NEGATIVE_INFINITY;
    for (const event of events) floor = Math.max(floor, event.effectiveAt?.getTime() ?? floor);
    if (version > 0) {
      const known = this.lastRecorded.get(streamId);
      let previous = known?.version === version ? known.recordedAt : undefined;
      if (previous === undefined) {
        const [last] = await this.readStreamEvents(streamId, BigInt(version - 1), 1);
        previous = last === undefined ? undefined : toRecordedEvent(last).recordedAt;
      }
      floor = Math.max(floor, previous?.getTime() ?? floor);
    }
    return Number.isFinite(floor) ? new Date(floor) : undefined;
  }

  /** Keeps the last recordedAt of a stream just read or written, for the next append's floor. */
  /**
   * The stream's version, read from just before `expected` on: a stream that is still at
   * the version a decision read costs one event, however long it is.
   */
  private async versionAround(streamId: string, expected: StreamVersion): Promise<StreamVersion> {
    const from = Math.max(expected - 1, 0);
    const tail = await this.readStream(streamId, { fromRevision: from });
    if (tail.length > 0 || from === 0) return from + tail.length;
    return (await this.readStream(streamId)).length;
  }

  private remember(streamId: string, events: readonly RecordedEvent[]): void {
    const last = events[events.length - 1];
    if (last === undefined) return;
    this.lastRecorded.delete(streamId);
    this.lastRecorded.set(streamId, { version: last.revision + 1, recordedAt: last.recordedAt });
    if (this.lastRecorded.size > REMEMBERED_STREAMS) {
      const oldest = this.lastRecorded.keys().next().value;
      if (oldest !== undefined) this.lastRecorded.delete(oldest);
    }
  }

  /** The events just appended, as recorded, and whether this append recorded them. */
  private async readBack(
    streamId: string,
    events: readonly EventToAppend[],
    lastRevision: bigint,
    appendId: string,
  ): Promise<AppendResult> {
    const firstRevision = lastRevision - BigInt(events.length - 1);
    let written =
      firstRevision < 0n ? [] : await this.readStreamEvents(streamId, firstRevision, events.length);
    if (!haveIds(written, events)) {
      // The server reported another revision than the events' own; find them by id.
      const stream = await this.readStreamEvents(streamId);
      const start = stream.findIndex((event) => event.id === events[0]!.id);
      written = start < 0 ? [] : stream.slice(start, start + events.length);
      if (!haveIds(written, events)) {
        // The server acknowledged them, so they are recorded: this node has not seen them yet
        // (a failover between the append and the read). A retry of the command finds them.
        throw new EventStoreUnavailableError(
          `EventStoreDB acknowledged the append to ${streamId} but the read that followed did not see it; retry the command`,
        );
      }
    }
    const recorded = written.map(toRecordedEvent);
    this.remember(streamId, recorded);
    return {
      nextVersion: recorded[recorded.length - 1]!.revision + 1,
      events: recorded,
      // The server's idempotence answers success with the events an earlier attempt wrote.
      repeated: appendIdOf(written[0]!) !== appendId,
    };
  }

  private readStreamEvents(
    streamId: string,
    fromRevision?: bigint,
    maxCount?: number,
  ): Promise<VendorRecordedEvent[]> {
    return this.call(async () => {
      const events: VendorRecordedEvent[] = [];
      const read = this.client.readStream(streamId, {
        direction: FORWARDS,
        resolveLinkTos: false,
        fromRevision: fromRevision ?? START,
        ...(maxCount === undefined ? {} : { maxCount }),
        ...ON_LEADER,
      });
      try {
        for await (const resolved of read) {
          if (resolved.event !== undefined) events.push(resolved.event);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
      return events;
    });
  }

  private readAllEvents(
    fromPosition: ReadPosition,
    maxCount: number,
    direction: Direction,
  ): Promise<AllStreamRecordedEvent[]> {
    return this.call(async () => {
      const events: AllStreamRecordedEvent[] = [];
      const read = this.client.readAll({
        fromPosition,
        maxCount,
        direction,
        resolveLinkTos: false,
        ...ON_LEADER,
      });
      for await (const resolved of read) {
        if (resolved.event !== undefined) events.push(resolved.event);
      }
      return events;
    });
  }

  private subscribe(): void {
    if (this.closed || this.subscription !== undefined || this.resubscribeTimer !== undefined) {
      return;
    }
    const subscription = this.client.subscribeToAll({
      fromPosition: this.lastSeen ?? END,
      // The server filters by event type; events of `$`-streams are skipped below.
      filter: excludeSystemEvents(),
      ...ON_LEADER,
    });
    this.subscription = subscription;
    subscription.on('confirmation', () => {
      if (this.subscription !== subscription) return;
      this.resubscribeDelayMs = this.options.resubscribeDelayMs ?? 100;
      // A first subscription starts at the end of the log, a resumed one after a drop:
      // commits between a listener's own read (or the drop) and now went unannounced.
      this.scheduleNotify();
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      if (this.subscription !== subscription || resolved.event === undefined) return;
      this.lastSeen = resolved.event.position;
      if (!isHiddenEvent(resolved.event)) this.scheduleNotify();
    });
    subscription.on('error', (error: unknown) => this.resubscribeAfter(subscription, error));
    subscription.on('end', () => this.resubscribeAfter(subscription, undefined));
  }

  private resubscribeAfter(subscription: AllStreamSubscription, error: unknown): void {
    if (this.subscription !== subscription) return;
    this.subscription = undefined;
    subscription.unsubscribe().catch(() => undefined);
    if (this.closed || this.listeners.size === 0) return;
    // Every time: an operator must see a subscription that keeps failing (e.g. denied).
    process.emitWarning('the EventStoreDB commit subscription dropped; subscribing again', {
      type: 'EventStoreSubscriptionWarning',
      detail: error instanceof Error ? error.message : 'the server ended it',
    });
    const delay = this.resubscribeDelayMs;
    this.resubscribeDelayMs = Math.min(delay * 2, this.options.maxResubscribeDelayMs ?? 5_000);
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = undefined;
      this.subscribe();
    }, delay);
    // A process with nothing else to do need not stay up for this.
    this.resubscribeTimer.unref();
  }

  private unsubscribe(): void {
    clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    subscription?.unsubscribe().catch(() => undefined);
  }

  /** One call for a burst of events: listeners read the log from their own checkpoint. */
  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      if (!this.closed) this.listeners.notify();
    });
  }

  /** Runs one client request, its failure in the port's terms. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await work();
    } catch (error) {
      if (this.closed) {
        throw new EventStoreUnavailableError('the EventStoreDB event store is closed', {
          cause: error,
        });
      }
      throw translateVendorError(error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the EventStoreDB event store is closed');
  }
}

/**
 * The vendor's error as the port's when the port has a name for it; otherwise the
 * vendor's own error (a WrongExpectedVersionError is left to the caller, who knows the
 * version it expected).
 */
export function translateVendorError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const vendor = convertToCommandError(error);
  if (UNAVAILABLE.some((kind) => vendor instanceof kind)) {
    const { type } = vendor as { type?: unknown };
    return new EventStoreUnavailableError(`EventStoreDB cannot serve the request now (${type})`, {
      cause: vendor,
    });
  }
  // The client reports a failed cluster discovery, and TLS files it cannot read, as plain
  // Errors of no class of their own.
  if (Object.getPrototypeOf(vendor) === Error.prototype) {
    return new EventStoreUnavailableError('EventStoreDB cannot be reached', { cause: vendor });
  }
  return vendor;
}

function earlierResult(
  streamId: string,
  stream: readonly RecordedEvent[],
  events: readonly EventToAppend[],
): AppendResult | undefined {
  const earlier = findEarlierRecording(stream, events);
  if (earlier.kind !== 'repeat') {
    // The same command decided otherwise, or another one under its commandId.
    for (const [commandId] of byCommand(events)) {
      const recorded = stream.filter((event) => event.metadata.commandId === commandId);
      if (recorded.length > 0) throw new CommandIdTakenError(commandId, recorded, events[0]!.id);
    }
  }
  switch (earlier.kind) {
    case 'none':
      return undefined;
    case 'reused':
      throw new DuplicateEventIdError(earlier.eventId);
    case 'repeat':
      return {
        nextVersion: earlier.events[earlier.events.length - 1]!.revision + 1,
        events: earlier.events,
        repeated: true,
      };
    default: {
      const unknownKind: never = earlier;
      throw new Error(`unknown earlier recording in ${streamId}: ${JSON.stringify(unknownKind)}`);
    }
  }
}

/** The events grouped by commandId, in the order their commands first appear. */
function byCommand<Event extends { readonly metadata: { readonly commandId: string } }>(
  events: readonly Event[],
): Map<string, Event[]> {
  const commands = new Map<string, Event[]>();
  for (const event of events) {
    const own = commands.get(event.metadata.commandId);
    if (own === undefined) commands.set(event.metadata.commandId, [event]);
    else own.push(event);
  }
  return commands;
}

function haveIds(
  written: readonly VendorRecordedEvent[],
  events: readonly EventToAppend[],
): boolean {
  return (
    written.length === events.length &&
    written.every((event, index) => event.id === events[index]!.id)
  );
}

/**
 * Consecutive events of one stream at consecutive revisions, as many as fit in one append
 * of at most {@link IMPORT_APPEND_BUDGET_BYTES} serialised; an event larger than that goes
 * alone (assertImportable has checked it fits the server's limit).
 */
function runsOfOneStream(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  let runBytes = 0;
  for (const event of events) {
    const bytes = serialisedSize(event);
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (
      run !== undefined &&
      last !== undefined &&
      runBytes + bytes <= IMPORT_APPEND_BUDGET_BYTES &&
      last.streamId === event.streamId &&
      last.revision + 1 === event.revision
    ) {
      run.push(event);
      runBytes += bytes;
    } else {
      runs.push([event]);
      runBytes = bytes;
    }
  }
  return runs;
}

/** The bytes of an imported event's data and metadata as the server receives them. */
export function serialisedSize(event: RecordedEvent): number {
  const sent = toImportedEventData(event);
  return (
    Buffer.byteLength(JSON.stringify(sent.data)) +
    Buffer.byteLength(JSON.stringify(sent.metadata ?? {})) +
    Buffer.byteLength(sent.type)
  );
}

function assertStreamId(streamId: string): void {
  // `$`-streams are EventStoreDB's own, reservation streams this adapter's: the log leaves
  // both out.
  if (
    streamId === '' ||
    streamId.startsWith('$') ||
    streamId.startsWith(RESERVATION_STREAM_PREFIX)
  ) {
    throw new RangeError(`${JSON.stringify(streamId)} cannot be a stream id in EventStoreDB`);
  }
}

function assertEventId(id: string): void {
  // The server takes only UUIDs, and gives them back in lower case.
  if (!UUID.test(id)) {
    throw new RangeError(`event id ${JSON.stringify(id)} is not a lower-case UUID`);
  }
}

/** The common checks, and what this server takes: its stream ids, UUIDs for event ids. */
function assertAppendableHere(streamId: string, events: readonly EventToAppend[]): void {
  assertStreamId(streamId);
  for (const event of events) assertEventId(event.id);
  // Also one id twice in the append: the server would record both, as it compares ids
  // only with what the stream holds.
  assertAppendable(events);
}

function assertImportable(events: readonly RecordedEvent[]): void {
  for (const event of events) {
    assertStreamId(event.streamId);
    assertEventId(event.id);
    const bytes = serialisedSize(event);
    if (bytes > MAX_EVENT_BYTES) {
      throw new RangeError(
        `event ${event.id} is ${bytes} bytes serialised; EventStoreDB takes at most ${MAX_APPEND_BYTES} in one append`,
      );
    }
  }
  assertRecordedEvents(events);
}

function accessDeniedMessage(userName: string | undefined): string {
  const who =
    userName === undefined ? 'this server (no user in the esdb URL)' : `user "${userName}"`;
  const grant =
    userName === undefined
      ? 'put the credentials of a user in $admins in EVENT_STORE_URL (esdb://<user>:<password>@<host>:2113), or of a user granted read on $all'
      : `check the password in EVENT_STORE_URL, and make "${userName}" a member of $admins or grant it read on $all (the $r entry of the $acl in the $all stream's metadata)`;
  return `EventStoreDB denied ${who} a read of $all, which every API process follows (a secured server lets only $admins read it by default): ${grant}`;
}

/** The user a connection string authenticates as, if it names one (never its password). */
function userNameIn(connectionString: string): string | undefined {
  const match = /^[a-z+]+:\/\/([^:@/?#,]+)(?::[^/?#]*)?@/.exec(connectionString);
  return match === null ? undefined : decodeURIComponent(match[1]!);
}

/** Why the client refused a connection string, without repeating it: it may hold a password. */
function describeRefusal(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'it is malformed';
  const { location, expected } = error as { location?: unknown; expected?: unknown };
  if (Array.isArray(location) && typeof location[0] === 'number' && typeof expected === 'string') {
    return `at character ${location[0]}, expected ${expected}`;
  }
  // The client's other refusals (missing TLS files, bad option values) name no secret.
  return error instanceof Error ? error.message : 'it is malformed';
}
