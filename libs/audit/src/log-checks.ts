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
 * Runs every check of {@link LOG_CHECKS} over the log, one event at a time in commit
 * order, keeping per stream only what the next event needs.
 */
export class LogChecks {
  private readonly streams = new Map<string, StreamProgress>();
  private readonly ids = new Set<string>();
  private readonly finishedCommands = new Set<string>();
  private previous: RecordedEvent | undefined;
  /** The previous position when it was a small decimal (every SQLite log's), else undefined. */
  private previousSmall: number | undefined;
  /** The previous position in parts, when it was not a small decimal. */
  private previousPosition: (number | bigint)[] | undefined;
  private readonly failures = new Map<LogCheckName, { first: CheckFailure; count: number }>();
  private count = 0;

  get events(): number {
    return this.count;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  add(event: RecordedEvent): void {
    const leafIndex = this.count++;
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
      this.fail(
        'revisions',
        `revision ${event.revision} where ${stream.next} was next in its stream`,
        event,
        leafIndex,
      );
    }
    stream.next = Math.max(stream.next, event.revision + 1);

    this.checkPosition(event, leafIndex);

    const effectiveAt = event.effectiveAt.getTime();
    const recordedAt = event.recordedAt.getTime();
    if (effectiveAt < stream.effectiveAt) {
      this.fail(
        'times',
        `effectiveAt ${event.effectiveAt.toISOString()} is before the stream's previous event's`,
        event,
        leafIndex,
      );
    } else if (recordedAt < stream.recordedAt) {
      this.fail(
        'times',
        `recordedAt ${event.recordedAt.toISOString()} is before the stream's previous event's`,
        event,
        leafIndex,
      );
    }
    stream.effectiveAt = Math.max(stream.effectiveAt, effectiveAt);
    stream.recordedAt = Math.max(stream.recordedAt, recordedAt);

    // One lookup, not two: the set grows unless the id is in it already.
    const ids = this.ids.size;
    if (this.ids.add(event.id).size === ids) {
      this.fail('ids', `event id ${event.id} is recorded before`, event, leafIndex);
    }

    const commandId = event.metadata.commandId;
    const previous = this.previous;
    const continues =
      previous !== undefined &&
      previous.metadata.commandId === commandId &&
      previous.streamId === event.streamId &&
      previous.revision + 1 === event.revision;
    if (!continues) {
      if (previous !== undefined && previous.metadata.commandId !== commandId) {
        this.finishedCommands.add(previous.metadata.commandId);
      }
      if (this.finishedCommands.has(commandId) || previous?.metadata.commandId === commandId) {
        this.fail(
          'commands',
          `command ${commandId} recorded events elsewhere before`,
          event,
          leafIndex,
        );
      }
    }

    const problem = checkEventData(event.type, event.schemaVersion, event.data);
    if (problem !== undefined) this.fail('data', problem, event, leafIndex);

    this.replay(event, leafIndex, stream, problem === undefined);
    this.previous = event;
  }

  private fail(
    check: LogCheckName,
    problem: string,
    event: RecordedEvent,
    leafIndex: number,
  ): void {
    const known = this.failures.get(check);
    if (known !== undefined) {
      known.count++;
      return;
    }
    const at: EventLocation = {
      leafIndex,
      eventId: event.id,
      streamId: event.streamId,
      revision: event.revision,
    };
    this.failures.set(check, { first: { at, problem }, count: 1 });
  }

  /** Positions strictly increasing; SQLite's small decimals compared as numbers, without parsing into parts. */
  private checkPosition(event: RecordedEvent, leafIndex: number): void {
    const text = event.position;
    const small = smallDecimal(text);
    if (small !== undefined && this.previousSmall !== undefined) {
      if (small <= this.previousSmall) {
        this.fail(
          'positions',
          `position ${text} is not after ${this.previous?.position}`,
          event,
          leafIndex,
        );
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
      this.fail(
        'positions',
        `position ${text} is not after ${this.previous?.position}`,
        event,
        leafIndex,
      );
    }
    this.previousSmall = small;
    this.previousPosition = small === undefined ? position : undefined;
  }

  /** The result of every check, in the order of {@link LOG_CHECKS}. */
  results(): CheckResult[] {
    return (Object.keys(LOG_CHECKS) as LogCheckName[]).map((name) => {
      const failed = this.failures.get(name);
      return {
        name,
        description: LOG_CHECKS[name],
        ok: failed === undefined,
        first: failed?.first,
        failures: failed?.count ?? 0,
      };
    });
  }

  private replay(
    event: RecordedEvent,
    leafIndex: number,
    stream: StreamProgress,
    valid: boolean,
  ): void {
    if (stream.broken) return;
    const category = stream.category;
    const stop = (problem: string): void => {
      stream.broken = true;
      this.fail('replay', problem, event, leafIndex);
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
    const decoded = decodeEvent(event);
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
