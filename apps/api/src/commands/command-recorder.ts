import { hash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyConflictError, RuleViolationError } from '@partnerships/domain/common/errors';
import { requireId } from '@partnerships/domain/common/input';
import { decodeEvent } from '@partnerships/domain/decode-event';
import {
  addressedStream,
  decideCommand,
  parseStreamId,
  streamsDecidedOn,
  streamsRead,
} from '@partnerships/domain/commands';
import {
  CommandIdTakenError,
  DuplicateEventIdError,
  EVENT_STORE,
  EventStore,
  RecordedEvent,
  WrongExpectedVersionError,
} from '@partnerships/event-store/event-store';
import { envelopesOf } from '@partnerships/event-store/event-envelope';
import { CLOCK, Clock, systemClock } from '../clock';
import { CommandName, InputOf, addressesNewStream, idOrNew, parseCommand } from './command-table';
import { STREAM_STATES, StreamStateCache } from './stream-states';

/** Enough for every writer of a hot stream to get its turn. */
const MAX_ATTEMPTS = 200;

export interface CommandResult {
  readonly id: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: string;
  readonly eventIds: readonly string[];
  readonly arrangementId: string | null;
  readonly interventionId: string | null;
}

/** Told how long each command took and how it ended (the metrics); it only watches. */
export interface CommandObserver {
  recorded(name: string, seconds: number): void;
  failed(name: string, seconds: number, error: unknown): void;
}

export const COMMAND_OBSERVER = Symbol('CommandObserver');

export interface CommandRequest<Name extends CommandName = CommandName> {
  /** The mutation's name: with the input, it tells a repeated command from a reused id. */
  readonly name: Name;
  readonly input: InputOf<Name>;
  readonly actor: string | null;
}

/** The one CQRS command: a row of the command table (command-table.ts) with its input. */
export class RecordCommand extends Command<CommandResult> {
  constructor(readonly request: CommandRequest) {
    super();
  }
}

/**
 * The one path every command takes: validate, recognise a repeat, load the streams it
 * reads, decide, append at the version it read, and on a concurrent write either re-read
 * and decide again or, when the caller named the version it expected, report the conflict.
 */
@Injectable()
@CommandHandler(RecordCommand)
export class CommandRecorder implements ICommandHandler<RecordCommand, CommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
    @Optional() @Inject(COMMAND_OBSERVER) private readonly observer?: CommandObserver,
    @Optional()
    @Inject(STREAM_STATES)
    private readonly states: StreamStateCache = new StreamStateCache(),
  ) {}

  execute({ request }: RecordCommand): Promise<CommandResult> {
    return this.record(request);
  }

  async record<Name extends CommandName>(request: CommandRequest<Name>): Promise<CommandResult> {
    const observer = this.observer;
    if (observer === undefined) return this.decideAndAppend(request);
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const result = await this.decideAndAppend(request);
      observer.recorded(request.name, seconds());
      return result;
    } catch (error) {
      observer.failed(request.name, seconds(), error);
      throw error;
    }
  }

  private async decideAndAppend<Name extends CommandName>(
    request: CommandRequest<Name>,
  ): Promise<CommandResult> {
    const command = parseCommand(request.name, request.input);
    const givenCommandId =
      request.input.commandId == null ? undefined : requireId('commandId', request.input.commandId);
    const digest = digestOf(request.name, request.input);

    // A retry is answered from the log, before deciding: decided again, it could break a
    // rule its first recording made true (joining a group twice).
    if (givenCommandId !== undefined) {
      const earlier = await this.store.readCommand(givenCommandId);
      if (earlier.length > 0) return repeatOf(earlier, digest, givenCommandId);
    }
    const commandId = idOrNew(givenCommandId);
    const streamId = addressedStream(command);
    // A stream named by an id chosen just now has nothing to read (until a conflict says
    // otherwise, when it is read like any other).
    const unborn = addressesNewStream(request.name, request.input)
      ? new Set([streamId])
      : undefined;

    for (let attempt = 1; ; attempt++) {
      const { decision, version, unchanged } = await this.states.decide(
        this.store,
        streamsRead(command),
        (states) => ({
          decision: decideCommand(command, states, this.clock.now()),
          version: states.version(streamId),
          // A decision across streams holds only on the facts it read (docs/domain.md,
          // "Decisions across streams").
          unchanged: streamsDecidedOn(command).map((read) => ({
            streamId: read,
            version: states.version(read),
          })),
        }),
        attempt === 1 ? unborn : undefined,
      );
      try {
        const appended = await this.store.append(
          streamId,
          envelopesOf(decision.events, {
            commandId,
            actor: request.actor,
            commandDigest: digest,
            effectiveAt: decision.effectiveAt,
          }),
          version,
          { unchanged },
        );
        if (!appended.repeated) this.states.recorded(appended.events);
        return appended.repeated
          ? repeatOf(appended.events, digest, commandId)
          : resultOf(appended.events);
      } catch (error) {
        // The commandId recorded elsewhere: this same command retried (its first result),
        // or another command reusing it (refused).
        if (error instanceof CommandIdTakenError && error.recorded.length > 0) {
          return repeatOf(error.recorded, digest, commandId);
        }
        if (error instanceof DuplicateEventIdError) throw reused(commandId);
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // The store is the judge: what this decision read of that stream is read again.
        this.states.forget(error.streamId);
        const expected = command.data.expectedVersion;
        // The caller's expectedVersion is about the addressed stream only; when another
        // stream it read moved, the command is decided again.
        if (expected !== undefined && error.streamId === streamId) {
          throw new ConcurrencyConflictError(streamId, expected, error.actualVersion);
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`${streamId}: gave up after ${attempt} concurrent writes got in first`);
        }
      }
    }
  }
}

function resultOf(events: readonly RecordedEvent[]): CommandResult {
  const last = events[events.length - 1];
  let arrangementId: string | null = null;
  let interventionId: string | null = null;
  for (const event of events.map(decodeEvent)) {
    if (event.type === 'ArrangementAgreed') arrangementId = event.data.arrangementId;
    if (event.type === 'InterventionRecorded') interventionId = event.data.interventionId;
  }
  return {
    id: parseStreamId(last.streamId)?.id ?? last.streamId,
    streamId: last.streamId,
    version: last.revision + 1,
    position: last.position,
    eventIds: events.map((event) => event.id),
    arrangementId,
    interventionId,
  };
}

function repeatOf(
  events: readonly RecordedEvent[],
  digest: string,
  commandId: string,
): CommandResult {
  if (events[0].metadata.commandDigest !== digest) throw reused(commandId);
  return resultOf(events);
}

function reused(commandId: string): RuleViolationError {
  return new RuleViolationError(
    'COMMAND_ID_REUSED',
    `commandId "${commandId}" was already used for a different mutation or input`,
  );
}

/** A digest of the mutation's name and its input as given, independent of key order. */
export function digestOf(name: string, input: unknown): string {
  return hash('sha256', canonical([name, input]), 'base64url');
}

function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined && item !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
