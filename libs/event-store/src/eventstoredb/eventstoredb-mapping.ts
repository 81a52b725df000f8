import {
  ANY,
  NO_STREAM,
  jsonEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONEventData,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import {
  EventMetadata,
  EventToAppend,
  ExpectedVersion,
  InvalidPositionError,
  RecordedEvent,
  StreamVersion,
} from '../event-store';

/**
 * The pure half of the EventStoreDB adapter: how the port's versions, positions and events
 * are written in EventStoreDB's terms and read back. Nothing here talks to a server.
 */

/** How the port's metadata is kept in an EventStoreDB event's (JSON) metadata. */
export interface StoredMetadata {
  /** EventStoreDB's own names, so that its `$by_correlation_id` projection can use them. */
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly actor: string | null;
  readonly commandId: string;
  readonly commandDigest: string;
  readonly schemaVersion: number;
  /** ISO-8601 with milliseconds; absent when the fact took effect at the recording. */
  readonly effectiveAt?: string;
  /**
   * Only on imported events: the transaction time the source store gave the event, which
   * stands instead of this server's commit time.
   */
  readonly recordedAt?: string;
  /**
   * The earliest recordedAt this event may have: the recordedAt of its stream's previous
   * event, or its own effectiveAt, whichever is later, as the adapter knew them when it
   * appended. The server's commit time is read as this when it is earlier (its clock
   * stepped back, e.g. after a failover to a node whose clock is behind).
   */
  readonly notBefore?: string;
  /**
   * One random id per append call, the same on each of its events. A successful append
   * whose events carry another appendId was answered by the server's idempotence: the
   * events were recorded by an earlier attempt.
   */
  readonly appendId?: string;
}

/** An event in EventStoreDB that this adapter cannot read as one of the port's events. */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    reason: string,
  ) {
    super(`event ${eventId} in ${streamId} is not an event of this store: ${reason}`);
  }
}

// ─── versions ────────────────────────────────────────────────────────────────

/** Version n (n events) means the last revision is n-1; version 0 means no stream. */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`expectedVersion must be a natural number or 'any', not ${expected}`);
  }
  return expected === 0 ? NO_STREAM : BigInt(expected - 1);
}

/** The port's version of a stream whose last revision the server reports. */
export function toStreamVersion(current: CurrentRevision): StreamVersion {
  return current === NO_STREAM ? 0 : toSafeNumber(current) + 1;
}

// ─── positions ───────────────────────────────────────────────────────────────

const POSITION = /^(0|[1-9][0-9]{0,18}):(0|[1-9][0-9]{0,18})$/;
const MAX_LOG_POSITION = 2n ** 63n - 1n;

/**
 * `<commit>:<prepare>` in decimal: both halves are needed to resume a read of `$all`.
 * Callers compare positions for equality only.
 */
export function encodePosition(position: Position): string {
  return `${position.commit}:${position.prepare}`;
}

/** Reads a position this adapter issued; anything else is an {@link InvalidPositionError}. */
export function decodePosition(encoded: string): Position {
  const match = POSITION.exec(encoded);
  if (match === null) throw new InvalidPositionError(encoded);
  const commit = BigInt(match[1]!);
  const prepare = BigInt(match[2]!);
  // The server's own rule for a log position: a commit never precedes its prepare.
  if (commit > MAX_LOG_POSITION || prepare > commit) throw new InvalidPositionError(encoded);
  return { commit, prepare };
}

/** The order of the transaction log: by commit position, then by prepare position. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

// ─── events ──────────────────────────────────────────────────────────────────

/** EventStoreDB's own events: in `$`-streams, or of `$`-types (links, metadata, stats). */
export function isSystemEvent(event: {
  readonly streamId: string;
  readonly type: string;
}): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

// ─── command reservations ────────────────────────────────────────────────────

/**
 * EventStoreDB has no uniqueness across streams, so each commandId is reserved in a stream
 * of its own, created at NO_STREAM (exactly one writer can), before its events are
 * appended. These streams are the adapter's bookkeeping: the log leaves them out.
 */
export const RESERVATION_STREAM_PREFIX = 'command-';
export const RESERVATION_TYPE = 'CommandReserved';

export interface Reservation {
  /** The stream the command records in. */
  readonly streamId: string;
  /** The command's digest: the same command retried (the same stream, the same digest) may go on. */
  readonly commandDigest: string;
  readonly eventIds: readonly string[];
}

export function reservationStream(commandId: string): string {
  return `${RESERVATION_STREAM_PREFIX}${commandId}`;
}

export function toReservationData(reservation: Reservation): JSONEventData {
  return jsonEvent({
    type: RESERVATION_TYPE,
    data: {
      streamId: reservation.streamId,
      commandDigest: reservation.commandDigest,
      eventIds: [...reservation.eventIds],
    },
  });
}

/** The reservation a reservation stream's first event holds, if it is one. */
export function toReservation(event: EsdbRecordedEvent): Reservation | undefined {
  if (event.type !== RESERVATION_TYPE || !event.isJson || !isRecord(event.data)) return undefined;
  const { streamId, commandDigest, eventIds } = event.data;
  if (typeof streamId !== 'string' || typeof commandDigest !== 'string') return undefined;
  if (!Array.isArray(eventIds) || !eventIds.every((id) => typeof id === 'string')) return undefined;
  return { streamId, commandDigest, eventIds: eventIds as string[] };
}

/** Events the log does not show: EventStoreDB's own, and this adapter's reservations. */
export function isHiddenEvent(event: {
  readonly streamId: string;
  readonly type: string;
}): boolean {
  return isSystemEvent(event) || event.streamId.startsWith(RESERVATION_STREAM_PREFIX);
}

/** An event to append, with the appendId its whole batch shares and its recordedAt's floor. */
export function toEventData(
  event: EventToAppend,
  appendId: string,
  notBefore?: Date,
): JSONEventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: Object.assign(
      {},
      storedMetadata(event.metadata, event.schemaVersion),
      event.effectiveAt === undefined ? {} : { effectiveAt: event.effectiveAt.toISOString() },
      notBefore === undefined ? {} : { notBefore: notBefore.toISOString() },
      { appendId },
    ) satisfies StoredMetadata,
  });
}

/** An event another store recorded, keeping both of its times. */
export function toImportedEventData(event: RecordedEvent): JSONEventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: Object.assign({}, storedMetadata(event.metadata, event.schemaVersion), {
      effectiveAt: event.effectiveAt.toISOString(),
      recordedAt: event.recordedAt.toISOString(),
    }) satisfies StoredMetadata,
  });
}

/** The appendId an event was written with, if any. */
export function appendIdOf(event: EsdbRecordedEvent): string | undefined {
  const metadata = event.metadata;
  if (!isRecord(metadata)) return undefined;
  const appendId = metadata['appendId'];
  return typeof appendId === 'string' ? appendId : undefined;
}

/**
 * The port's view of an event read from a stream or from `$all`. recordedAt is the
 * server's commit time (`created`), unless the event was imported with its own.
 */
export function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const unreadable = (reason: string) => new UnreadableEventError(event.id, event.streamId, reason);
  if (!event.isJson || !isRecord(event.data)) throw unreadable('its data is not a JSON object');
  const metadata = event.metadata;
  if (!isRecord(metadata)) throw unreadable('its metadata is not a JSON object');

  const text = (key: keyof StoredMetadata): string => {
    const value = metadata[key];
    if (typeof value !== 'string') throw unreadable(`its metadata has no ${key}`);
    return value;
  };
  const time = (key: 'effectiveAt' | 'recordedAt' | 'notBefore'): Date | undefined => {
    if (metadata[key] === undefined) return undefined;
    const value = text(key);
    const date = new Date(value);
    // Only the exact form this adapter writes, so that no time is read differently.
    if (Number.isNaN(date.getTime()) || date.toISOString() !== value) {
      throw unreadable(`its metadata ${key} is not an ISO-8601 time`);
    }
    return date;
  };
  const actor = metadata['actor'];
  if (actor !== null && typeof actor !== 'string') throw unreadable('its metadata has no actor');
  const schemaVersion = metadata['schemaVersion'];
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion)) {
    throw unreadable('its metadata has no integer schemaVersion');
  }
  if (event.position === undefined || event.position.commit > MAX_LOG_POSITION) {
    // The server gives a stream's events their log position from version 22.6 on, and
    // only for events it committed in one write (never for explicit transactions).
    throw unreadable('the server gave it no log position (EventStoreDB 22.10 or later needed)');
  }

  // Imported events keep the source's recordedAt; others take the commit time, but never
  // earlier than their floor (see StoredMetadata.notBefore).
  const notBefore = time('notBefore');
  const clamped = notBefore !== undefined && notBefore.getTime() > event.created.getTime();
  const recordedAt = time('recordedAt') ?? (clamped ? notBefore : event.created);
  const eventMetadata: EventMetadata = {
    actor,
    commandId: text('commandId'),
    correlationId: text('$correlationId'),
    causationId: text('$causationId'),
    commandDigest: text('commandDigest'),
  };
  return Object.assign(
    {
      id: event.id,
      streamId: event.streamId,
      revision: toSafeNumber(event.revision),
      position: encodePosition(event.position),
      type: event.type,
      data: event.data,
      effectiveAt: time('effectiveAt') ?? recordedAt,
      recordedAt,
    },
    clamped && time('recordedAt') === undefined ? { rawRecordedAt: event.created } : {},
    { metadata: eventMetadata, schemaVersion },
  );
}

function storedMetadata(metadata: EventMetadata, schemaVersion: number): StoredMetadata {
  return {
    $correlationId: metadata.correlationId,
    $causationId: metadata.causationId,
    actor: metadata.actor,
    commandId: metadata.commandId,
    commandDigest: metadata.commandDigest,
    schemaVersion,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value)
  );
}

function toSafeNumber(value: bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${value} is beyond a safe integer`);
  return number;
}
