import { IdSet } from '@partnerships/event-store/uuid-bytes';
import { isEventType } from '@partnerships/domain/common/upcasters';
import { decodeEvent } from '@partnerships/domain/decode-event';
import { DomainEvent, parseStreamId } from '@partnerships/domain/commands';
import { EVENT_TYPES, checkEventData } from '@partnerships/domain/event-data';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { Category, StreamFold, applyTo, foldFor } from './stream-fold';

/** The checks that need no digest: that the log is consistent with itself (docs/audit.md, "What verifying means"). */
export const LOG_CHECKS = {
  revisions: 'revisions contiguous from 0 in every stream',
  positions: 'positions strictly increasing',
  times: 'per stream, effectiveAt and recordedAt never move backwards',
  ids: 'event ids unique',
  commands: "a command's events contiguous in one stream",
  data: "every event's type known and its data valid for its schema version",
  replay: "every stream replays through the domain's evolve from the initial state",
} as const;

export type LogCheckName = keyof typeof LOG_CHECKS;

/** Where in the log something broke. */
export interface EventLocation {
  readonly leafIndex: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
}

export interface CheckFailure {
  readonly at: EventLocation;
  readonly problem: string;
}

export interface CheckResult {
  readonly name: string;
  readonly description: string;
  readonly ok: boolean;
  /** The first failure, when there is one. */
  readonly first?: CheckFailure;
  readonly failures: number;
}

interface StreamProgress {
  readonly category: Category | undefined;
  /** The id the stream's name carries. */
  readonly id: string | undefined;
  next: number;
  effectiveAt: number;
  recordedAt: number;
  /** The stream's state so far; undefined until its first event is replayed. */
  fold: StreamFold | undefined;
  /** Set once the stream cannot be replayed further. */
  broken: boolean;
}

const CREATES: Readonly<Record<Category, DomainEvent['type']>> = {
  organization: 'OrganizationRegistered',
  group: 'GroupFounded',
  partnership: 'PartnershipFormed',
};
const ID_MEMBER: Readonly<Record<Category, string>> = {
  organization: 'organizationId',
  group: 'groupId',
  partnership: 'partnershipId',
};

/**
 * An event as the checks read it: what a store's row holds, times in milliseconds. The
 * checks keep nothing of it but its data (replayed into the stream's state) and copies of
 * its fields, so a reader may fill one object again for every row.
 */
export interface CheckedEvent {
  id: string;
  streamId: string;
  revision: number;
  /** SQLite's integer position, or a store's position text. */
  position: number | string;
  type: string;
  schemaVersion: number;
  data: Readonly<Record<string, unknown>>;
  effectiveAt: number;
  recordedAt: number;
  commandId: string;
}

/** A CheckedEvent to be filled again for every event read (the checks keep none of it). */
export function blankCheckedEvent(): CheckedEvent {
  return {
    id: '',
    streamId: '',
    revision: 0,
    position: 0,
    type: '',
    schemaVersion: 0,
    data: {},
    effectiveAt: 0,
    recordedAt: 0,
    commandId: '',
  };
}

/** The result of check `name`, given its first failure and count if it failed. */
export function checkResult(
  name: LogCheckName,
  failed: { readonly first: CheckFailure; readonly count: number } | undefined,
): CheckResult {
  return {
    name,
    description: LOG_CHECKS[name],
    ok: failed === undefined,
    first: failed?.first,
    failures: failed?.count ?? 0,
  };
}

/** Each check's first failure and how many events failed it. */
export class Failures {
  private readonly byCheck = new Map<LogCheckName, { first: CheckFailure; count: number }>();

  /**
   * That `event` fails `check`. `index` is its leaf index, or (where verify does not know
   * that yet, log-partition.ts) its position; failures come in the order of the log.
   */
  record(check: LogCheckName, problem: string, event: CheckedEvent, index: number): void {
    const known = this.byCheck.get(check);
    if (known !== undefined) {
      known.count++;
      return;
    }
    const at: EventLocation = {
      leafIndex: index,
      eventId: event.id,
      streamId: event.streamId,
      revision: event.revision,
    };
    this.byCheck.set(check, { first: { at, problem }, count: 1 });
  }

  /** Each failed check with its first failure and count (to be handed to another thread). */
  entries(): [LogCheckName, { first: CheckFailure; count: number }][] {
    return [...this.byCheck];
  }

  /** The result of every check, in the order of {@link LOG_CHECKS}. */
  results(): CheckResult[] {
    return (Object.keys(LOG_CHECKS) as LogCheckName[]).map((name) =>
      checkResult(name, this.byCheck.get(name)),
    );
  }
}

/**
 * The checks that look at one stream at a time (revisions, times, data, replay), one
 * event at a time in the stream's order, keeping per stream only what the next event needs.
 */
export class StreamChecks {
  private readonly streams = new Map<string, StreamProgress>();

  constructor(private readonly failures: Failures) {}

  get streamCount(): number {
    return this.streams.size;
  }

  /** The stream's next event; `index` as for {@link Failures.record}. */
  check(event: CheckedEvent, index: number): void {
    let stream = this.streams.get(event.streamId);
    if (stream === undefined) {
      const parsed = parseStreamId(event.streamId);
      stream = {
        category: parsed?.category,
        id: parsed?.id,
        next: 0,
        effectiveAt: -Infinity,
        recordedAt: -Infinity,
        fold: undefined,
        broken: false,
      };
      this.streams.set(event.streamId, stream);
    }

    if (event.revision !== stream.next) {
      this.failures.record(
        'revisions',
        `revision ${event.revision} where ${stream.next} was next in its stream`,
        event,
        index,
      );
    }
    stream.next = Math.max(stream.next, event.revision + 1);

    const effectiveAt = event.effectiveAt;
    const recordedAt = event.recordedAt;
    if (effectiveAt < stream.effectiveAt) {
      this.failures.record(
        'times',
        `effectiveAt ${new Date(effectiveAt).toISOString()} is before the stream's previous event's`,
        event,
        index,
      );
    } else if (recordedAt < stream.recordedAt) {
      this.failures.record(
        'times',
        `recordedAt ${new Date(recordedAt).toISOString()} is before the stream's previous event's`,
        event,
        index,
      );
    }
    stream.effectiveAt = Math.max(stream.effectiveAt, effectiveAt);
    stream.recordedAt = Math.max(stream.recordedAt, recordedAt);

    const problem = checkEventData(event.type, event.schemaVersion, event.data);
    if (problem !== undefined) this.failures.record('data', problem, event, index);

    this.replay(event, index, stream, problem === undefined);
  }

  private replay(event: CheckedEvent, index: number, stream: StreamProgress, valid: boolean): void {
    if (stream.broken) return;
    const category = stream.category;
    const stop = (problem: string): void => {
      stream.broken = true;
      this.failures.record('replay', problem, event, index);
    };
    if (category === undefined) return stop(`${event.streamId} is not a stream the domain knows`);
    if (!isEventType(event.type)) return stop(`the event type ${event.type} is unknown`);
    if (!EVENT_TYPES[event.type].categories.includes(category)) {
      return stop(`a ${event.type} cannot be in a ${category} stream`);
    }
    if (!valid) return stop('its data is not valid, so the stream cannot be replayed past it');
    const creates = event.type === CREATES[category];
    if (creates !== (stream.fold === undefined)) {
      return stop(
        creates
          ? `a second ${event.type} in one stream`
          : `the stream does not begin with ${CREATES[category]}`,
      );
    }
    const decoded = decodeEvent({
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      effectiveAt: new Date(event.effectiveAt),
    });
    const data: Readonly<Record<string, unknown>> = decoded.data;
    if (data[ID_MEMBER[category]] !== stream.id) {
      return stop(`its ${ID_MEMBER[category]} is not the stream's id`);
    }
    try {
      // The domain's evolve, folded in place (stream-fold.ts: the same states, no copies).
      const fold = stream.fold ?? foldFor(category);
      applyTo(fold, decoded);
      if (fold.state.version !== event.revision + 1) {
        return stop(`evolve reached version ${fold.state.version}, not ${event.revision + 1}`);
      }
      stream.fold = fold;
    } catch (error) {
      stop(`evolve failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The problem of an event whose id an earlier event has. */
export function repeatedId(eventId: string): string {
  return `event id ${eventId} is recorded before`;
}

/** The problem of an event that starts a command which recorded events before. */
export function repeatedCommand(commandId: string): string {
  return `command ${commandId} recorded events elsewhere before`;
}

/**
 * Runs every check of {@link LOG_CHECKS} over the log, one event at a time in commit
 * order.
 */
export class LogChecks {
  private readonly failures = new Failures();
  private readonly streams = new StreamChecks(this.failures);
  private readonly order = new IdAndCommandChecks(this.failures);
  private previousPositionText = '';
  /** The previous position when it was a small decimal (every SQLite log's), else undefined. */
  private previousSmall: number | undefined;
  /** The previous position in parts, when it was not a small decimal. */
  private previousPosition: (number | bigint)[] | undefined;
  private count = 0;
  private readonly scratch = blankCheckedEvent();

  get streamCount(): number {
    return this.streams.streamCount;
  }

  add(event: RecordedEvent): void {
    const checked = this.scratch;
    checked.id = event.id;
    checked.streamId = event.streamId;
    checked.revision = event.revision;
    checked.position = event.position;
    checked.type = event.type;
    checked.schemaVersion = event.schemaVersion;
    checked.data = event.data;
    checked.effectiveAt = event.effectiveAt.getTime();
    checked.recordedAt = event.recordedAt.getTime();
    checked.commandId = event.metadata.commandId;
    this.check(checked);
  }

  /** The next event of the log, as a row gives it (add, without a RecordedEvent). */
  check(event: CheckedEvent): void {
    const leafIndex = this.count++;
    this.streams.check(event, leafIndex);
    this.checkPosition(event, leafIndex);

    this.order.check(event, leafIndex);
  }

  private fail(check: LogCheckName, problem: string, event: CheckedEvent, leafIndex: number): void {
    this.failures.record(check, problem, event, leafIndex);
  }

  /** Positions strictly increasing; SQLite's small decimals compared as numbers, without parsing into parts. */
  private checkPosition(event: CheckedEvent, leafIndex: number): void {
    const given = event.position;
    // SQLite's integer positions, as its rows hold them: only a number to compare.
    if (typeof given === 'number' && Number.isSafeInteger(given) && given >= 0) {
      if (this.previousSmall !== undefined && given <= this.previousSmall) {
        this.fail(
          'positions',
          `position ${given} is not after ${this.previousPositionText}`,
          event,
          leafIndex,
        );
      }
      if (this.previousSmall === undefined && this.previousPosition !== undefined) {
        this.checkPositionText(String(given), event, leafIndex);
        return;
      }
      this.previousSmall = given;
      this.previousPositionText = String(given);
      return;
    }
    this.checkPositionText(String(given), event, leafIndex);
  }

  private checkPositionText(text: string, event: CheckedEvent, leafIndex: number): void {
    const small = smallDecimal(text);
    const previousText = this.previousPositionText;
    this.previousPositionText = text;
    if (small !== undefined && this.previousSmall !== undefined) {
      if (small <= this.previousSmall) {
        this.fail('positions', `position ${text} is not after ${previousText}`, event, leafIndex);
      }
      this.previousSmall = small;
      return;
    }
    const position = small === undefined ? parsePosition(text) : [small];
    const previous =
      this.previousSmall === undefined ? this.previousPosition : [this.previousSmall];
    if (position === undefined) {
      this.fail(
        'positions',
        `position ${JSON.stringify(text)} is not one a store issues`,
        event,
        leafIndex,
      );
      return;
    }
    if (previous !== undefined && compare(position, previous) <= 0) {
      this.fail('positions', `position ${text} is not after ${previousText}`, event, leafIndex);
    }
    this.previousSmall = small;
    this.previousPosition = small === undefined ? position : undefined;
  }

  /** The result of every check, in the order of {@link LOG_CHECKS}. */
  results(): CheckResult[] {
    return this.failures.results();
  }
}

/**
 * Positions of both stores: SQLite's decimal, EventStoreDB's `commit:prepare`; read as
 * numbers where they are small enough (every SQLite log), else as big integers.
 */
function parsePosition(position: string): (number | bigint)[] | undefined {
  const small = smallDecimal(position);
  if (small !== undefined) return [small];
  if (!/^\d+(:\d+)*$/.test(position)) return undefined;
  return position.split(':').map((part) => BigInt(part));
}

/** A decimal position short enough to be an exact number, as a number. */
function smallDecimal(position: string): number | undefined {
  if (position.length === 0 || position.length >= 16) return undefined;
  for (let i = 0; i < position.length; i++) {
    const code = position.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(position);
}

function compare(a: readonly (number | bigint)[], b: readonly (number | bigint)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function describeLocation(at: EventLocation): string {
  return `leaf ${at.leafIndex}: event ${at.eventId}, stream ${at.streamId}, revision ${at.revision}`;
}

/**
 * The checks of one part of the log, where every stream's events are in one part
 * (log-partition.ts reads each part on a thread of its own): the stream checks whole, with
 * failures recorded by position. Ids and commands are only hashed here, two 32-bit hashes
 * per event into arrays: whether one came before is a question about the whole log, which
 * findRepeats (log-partition.ts) answers by sorting the hashes of both parts (and reading
 * back the events whose hashes are equal, to compare them exactly).
 */
export class PartitionChecks {
  readonly failures = new Failures();
  private readonly streams = new StreamChecks(this.failures);
  /** Two hashes of each event's id, one event after another. */
  readonly idHashes: Int32Array;
  /** Two hashes of each event's commandId. */
  readonly commandHashes: Int32Array;
  private count = 0;
  private readonly runs = new CommandRuns();

  /** For a part of at most `capacity` events. */
  constructor(capacity: number) {
    this.idHashes = new Int32Array(2 * capacity);
    this.commandHashes = new Int32Array(2 * capacity);
  }

  get streamCount(): number {
    return this.streams.streamCount;
  }

  /**
   * The part's next event (its position a number, as in every SQLite log). True when it
   * continues the command of the part's previous event (same command, same stream, next
   * revision): then, in the whole log, that event must be the one just before it; false
   * when it starts a command, which must be one not started before.
   */
  check(event: CheckedEvent, position: number): boolean {
    this.streams.check(event, position);
    const index = this.count++;
    hashInto(event.id, this.idHashes, index);
    hashInto(event.commandId, this.commandHashes, index);
    return this.runs.continues(event);
  }
}

/**
 * Two 32-bit hashes of a value (a string's code units; any other JSON value's text, as
 * what a damaged log holds where an id belongs) at `2 * index` of `hashes`. Equal values
 * have equal hashes; the reader compares the values themselves where hashes are equal.
 */
export function hashInto(value: unknown, hashes: Int32Array, index: number): void {
  const text = typeof value === 'string' ? value : `\u0000${typeof value}:${JSON.stringify(value)}`;
  let first = 0x811c9dc5;
  let second = 0x9747b28c;
  for (let at = 0; at < text.length; at++) {
    const unit = text.charCodeAt(at);
    first = Math.imul(first ^ unit, 0x01000193);
    second = Math.imul(second ^ unit, 0x5bd1e995);
    second ^= second >>> 15;
  }
  first = Math.imul(first ^ (first >>> 16), 0x85ebca6b);
  second = Math.imul(second ^ (second >>> 13), 0xc2b2ae35);
  hashes[2 * index] = first ^ (first >>> 13);
  hashes[2 * index + 1] = second ^ (second >>> 16);
}

/**
 * Event ids unique, and a command's events contiguous, over the log's events in order.
 */
class IdAndCommandChecks {
  /** Every event id seen (a UUID's bytes, not its text). */
  private readonly ids = new IdSet();
  /** Every command started so far. */
  private readonly commands = new IdSet();
  private readonly runs = new CommandRuns();

  constructor(private readonly failures: Failures) {}

  /** The next event; `leafIndex` as for {@link Failures.record}. */
  check(event: CheckedEvent, leafIndex: number): void {
    if (!this.ids.add(event.id)) {
      this.failures.record('ids', repeatedId(event.id), event, leafIndex);
    }
    // An event that does not continue the previous event's command starts a command,
    // which must be one not seen before. (The commands seen before it, but the previous
    // one, are those that ended; the previous one, not continued here, was broken off.)
    if (!this.runs.continues(event) && !this.commands.add(event.commandId)) {
      this.failures.record('commands', repeatedCommand(event.commandId), event, leafIndex);
    }
  }
}

/**
 * A command's events are contiguous: whether each event continues the command of the
 * event before it (same command, same stream, next revision).
 */
class CommandRuns {
  private hasPrevious = false;
  private previousCommandId: unknown = '';
  private previousStreamId = '';
  private previousRevision = 0;

  /** Whether `event`, the next one, continues the previous event's command. */
  continues(event: CheckedEvent): boolean {
    const continues =
      this.hasPrevious &&
      this.previousCommandId === event.commandId &&
      this.previousStreamId === event.streamId &&
      this.previousRevision + 1 === event.revision;
    this.hasPrevious = true;
    this.previousCommandId = event.commandId;
    this.previousStreamId = event.streamId;
    this.previousRevision = event.revision;
    return continues;
  }
}
