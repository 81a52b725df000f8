import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import * as uuid from 'uuid';
import { ConcurrencyConflictError, RuleViolationError } from '@partnerships/domain/common/errors';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedVersion,
  ReadStreamOptions,
} from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { CommandRecorder, CommandRequest } from './command-recorder';
import { InputOf } from './command-table';
import { StreamStateCache } from './stream-states';

// The ids the server chooses, made to collide once in the test that needs it.
jest.mock('uuid', () => {
  const actual = jest.requireActual<typeof import('uuid')>('uuid');
  return { ...actual, v7: jest.fn(actual.v7) };
});
const chooseId = jest.mocked(uuid.v7 as () => string);

/**
 * A real SQLite store in which another writer gets in first: just before the recorder's
 * next append, `interloper` runs against the same store.
 */
class ContendedStore implements EventStore {
  interloper: (() => Promise<unknown>) | undefined;
  appends = 0;

  constructor(private readonly store: SqliteEventStore) {}

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expectedVersion: ExpectedVersion,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.appends++;
    const interloper = this.interloper;
    this.interloper = undefined;
    await interloper?.();
    return this.store.append(streamId, events, expectedVersion, options);
  }

  /** Every stream read, with the revision it started from (undefined: the whole stream). */
  reads: { streamId: string; fromRevision: number | undefined }[] = [];

  readStream = (streamId: string, options?: ReadStreamOptions) => {
    this.reads.push({ streamId, fromRevision: options?.fromRevision });
    return this.store.readStream(streamId, options);
  };
  readCommand = (commandId: string) => this.store.readCommand(commandId);
  readAll = (options: Parameters<EventStore['readAll']>[0]) => this.store.readAll(options);
  readPage = (options: Parameters<EventStore['readPage']>[0]) => this.store.readPage(options);
  onCommit = (listener: () => void) => this.store.onCommit(listener);
  close = () => this.store.close();
}

describe('CommandRecorder', () => {
  beforeAll(() => Logger.overrideLogger(false));

  let directory: string;
  let store: ContendedStore;
  let recorder: CommandRecorder;
  let other: CommandRecorder;

  const joining = (
    organizationId: string,
    extra: Partial<InputOf<'joinGroup'>> = {},
  ): CommandRequest<'joinGroup'> => ({
    name: 'joinGroup',
    input: { groupId: 'g', organizationId, position: 'CORE', ...extra },
    actor: null,
  });

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'recorder-'));
    const sqlite = SqliteEventStore.open(join(directory, 'events.db'));
    store = new ContendedStore(sqlite);
    recorder = new CommandRecorder(store);
    // A second writer on the same store, as another process would be.
    other = new CommandRecorder(sqlite);
    for (const id of ['a', 'b']) {
      await recorder.record({ name: 'registerOrganization', input: { id, name: id }, actor: null });
    }
    await recorder.record({ name: 'foundGroup', input: { id: 'g', name: 'G' }, actor: null });
  });

  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('decides again on the new state when another write got in first', async () => {
    store.interloper = () => other.record(joining('b'));
    const result = await recorder.record(joining('a'));
    expect(result.version).toBe(3);
    expect(store.appends).toBe(5);
    const events = await store.readStream('group-g');
    expect(events.map((event) => event.data['organizationId'] ?? null)).toEqual([null, 'b', 'a']);
  });

  it('refuses by the rules of the new state: the same join got in first', async () => {
    store.interloper = () => other.record(joining('a'));
    const refusal = await recorder.record(joining('a')).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RuleViolationError);
    expect((refusal as RuleViolationError).rule).toBe('ALREADY_MEMBER');
    expect(await store.readStream('group-g')).toHaveLength(2);
  });

  it('reports the conflict, recording nothing, when the caller named its expected version', async () => {
    store.interloper = () => other.record(joining('b'));
    const refusal = await recorder
      .record(joining('a', { expectedVersion: 1 }))
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConcurrencyConflictError);
    expect(refusal).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect(await store.readStream('group-g')).toHaveLength(2);
  });

  it('returns the first result when a repeated command meets its own first attempt in the store', async () => {
    const command = joining('a', { commandId: 'join-a-once' });
    store.interloper = () => other.record(command);
    const result = await recorder.record(command);
    const events = await store.readStream('group-g');
    expect(events).toHaveLength(2);
    expect(result).toMatchObject({ version: 2, eventIds: [events[1].id] });
  });

  describe('the states of recent streams', () => {
    const groupReads = (): (number | undefined)[] =>
      store.reads.filter((read) => read.streamId === 'group-g').map((read) => read.fromRevision);

    it('reads only what was recorded after the state it holds', async () => {
      store.reads = [];
      await recorder.record(joining('a'));
      await recorder.record(joining('b'));
      expect(store.reads).toEqual([
        { streamId: 'group-g', fromRevision: 1 },
        { streamId: 'organization-a', fromRevision: 1 },
        { streamId: 'group-g', fromRevision: 2 },
        { streamId: 'organization-b', fromRevision: 1 },
      ]);
    });

    it('reads nothing of a stream named by an id it chose just now', async () => {
      store.reads = [];
      const result = await recorder.record({
        name: 'registerOrganization',
        input: { name: 'New' },
        actor: null,
      });
      expect(store.reads).toEqual([]);
      expect(await store.readStream(result.streamId)).toHaveLength(1);
    });

    it('leaves it to the store whether that stream is new: one that is not is read, and the rules refuse', async () => {
      await other.record({
        name: 'registerOrganization',
        input: { id: 'c', name: 'C' },
        actor: null,
      });
      // The id it chooses is taken already (a new UUID never is): it does not know, the store does.
      chooseId.mockReturnValueOnce('c');
      store.reads = [];
      const appends = store.appends;
      const refusal = await recorder
        .record({ name: 'registerOrganization', input: { name: 'Again' }, actor: null })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RuleViolationError);
      expect(store.reads).toEqual([{ streamId: 'organization-c', fromRevision: undefined }]);
      expect(store.appends).toBe(appends + 1);
      expect(await store.readStream('organization-c')).toHaveLength(1);
    });

    it('decides on what another writer recorded since', async () => {
      await other.record(joining('a'));
      store.reads = [];
      const appends = store.appends;
      const refusal = await recorder.record(joining('a')).catch((error: unknown) => error);
      expect((refusal as RuleViolationError).rule).toBe('ALREADY_MEMBER');
      expect(groupReads()).toEqual([1]);
      expect(store.appends).toBe(appends);
    });

    it('reads a stream whole again after a conflict on it', async () => {
      store.reads = [];
      store.interloper = () => other.record(joining('b'));
      await recorder.record(joining('a'));
      expect(groupReads()).toEqual([1, undefined]);
      const events = await store.readStream('group-g');
      expect(events.map((event) => event.data['organizationId'] ?? null)).toEqual([null, 'b', 'a']);
    });

    it('keeps no state past the events it may hold: a larger stream is read whole', async () => {
      const small = new CommandRecorder(store, undefined, undefined, new StreamStateCache(2));
      store.reads = [];
      await small.record(joining('a'));
      await small.record(joining('b'));
      await small.record({
        name: 'leaveGroup',
        input: { groupId: 'g', organizationId: 'a' },
        actor: null,
      });
      expect(groupReads()).toEqual([undefined, 2, undefined]);
      expect(await store.readStream('group-g')).toHaveLength(4);
    });
  });

  describe('a decision across streams', () => {
    const forming = (): CommandRequest<'formPartnership'> => ({
      name: 'formPartnership',
      input: {
        id: 'p',
        name: 'P',
        partyIds: ['a', 'b'],
        groupId: 'g',
        intendedEndAt: new Date(Date.now() + 365 * 24 * 60 * 60 * 1000),
      },
      actor: null,
    });
    const leaving = (organizationId: string): CommandRequest<'leaveGroup'> => ({
      name: 'leaveGroup',
      input: { groupId: 'g', organizationId },
      actor: null,
    });

    beforeEach(async () => {
      await other.record(joining('a'));
      await other.record(joining('b'));
    });

    it('is decided again when a party leaves the group between its read and its append', async () => {
      store.interloper = () => other.record(leaving('b'));
      const refusal = await recorder.record(forming()).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RuleViolationError);
      expect((refusal as RuleViolationError).rule).toBe('PARTY_NOT_IN_GROUP');
      expect(await store.readStream('partnership-p')).toHaveLength(0);
    });

    it('is not decided again for a write to a party, which cannot change its decision', async () => {
      store.interloper = () =>
        other.record({
          name: 'assessCapability',
          input: { organizationId: 'b', ambition: 3, realized: 2 },
          actor: null,
        });
      const before = store.appends;
      const result = await recorder.record(forming());
      expect(result.version).toBe(1);
      expect(store.appends - before).toBe(1);
    });

    it('is decided again after a write to the group that leaves the parties members', async () => {
      store.interloper = () =>
        other.record({
          name: 'changePosition',
          input: { groupId: 'g', organizationId: 'b', position: 'RING' },
          actor: null,
        });
      const before = store.appends;
      const result = await recorder.record(forming());
      expect(result.version).toBe(1);
      expect(store.appends - before).toBe(2);
    });
  });

  it("decides with the injected clock's time, so a test sets the time instead of waiting", async () => {
    const now = new Date('2031-06-01T12:00:00Z');
    const later = new CommandRecorder(store, { now: () => now });
    const register = (id: string, minutesAhead: number) =>
      later.record({
        name: 'registerOrganization',
        input: { id, name: id, effectiveAt: new Date(now.getTime() + minutesAhead * 60_000) },
        actor: null,
      });

    // Five minutes of skew are allowed ahead of the clock, not more: judged by 2031's clock.
    await expect(register('soon', 4)).resolves.toMatchObject({ version: 1 });
    const refusal = await register('too-late', 6).catch((error: unknown) => error);
    expect((refusal as RuleViolationError).rule).toBe('EFFECTIVE_TIME_IN_FUTURE');
  });

  it('answers a retry that went to another stream (an id it generated) with its first result', async () => {
    const register = (via: CommandRecorder) =>
      via.record({
        name: 'registerOrganization',
        input: { name: 'Retried', commandId: 'register-once' },
        actor: null,
      });
    let first: Awaited<ReturnType<typeof register>> | undefined;
    store.interloper = async () => {
      first = await register(other);
    };

    const retry = await register(recorder);

    expect(retry).toEqual(first);
    const log = await store.readAll({ limit: 100 });
    expect(log.filter((event) => event.metadata.commandId === 'register-once')).toHaveLength(1);
  });

  it('refuses another mutation under a commandId another stream recorded, recording nothing', async () => {
    store.interloper = () =>
      other.record({
        name: 'registerOrganization',
        input: { name: 'First', commandId: 'used-once' },
        actor: null,
      });

    const refusal = await recorder
      .record({
        name: 'foundGroup',
        input: { name: 'Second', commandId: 'used-once' },
        actor: null,
      })
      .catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(RuleViolationError);
    expect((refusal as RuleViolationError).rule).toBe('COMMAND_ID_REUSED');
    const log = await store.readAll({ limit: 100 });
    expect(log.filter((event) => event.metadata.commandId === 'used-once')).toHaveLength(1);
  });
});
