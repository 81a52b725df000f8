import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import {
  AccessDeniedError,
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  FORWARDS,
  NO_STREAM,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError as VendorWrongExpectedVersionError,
  type AppendExpectedRevision,
  type JSONEventData,
  type JSONRecordedEvent,
  type Position,
} from '@eventstore/db-client';
import {
  CommandIdTakenError,
  DuplicateEventIdError,
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  EventToAppend,
  InvalidPositionError,
  RecordedEvent,
  WrongExpectedVersionError,
} from '../event-store';
import { migrateEvents } from '../migration';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import {
  EventStoreDbClient,
  EventStoreDbEventStore,
  IMPORT_APPEND_BUDGET_BYTES,
  MAX_APPEND_BYTES,
} from './eventstoredb-event-store';
import { encodePosition, toEventData } from './eventstoredb-mapping';

/**
 * The adapter's own logic, with the client's answers scripted: what it asks the server and
 * what it makes of each answer. Whether a real server answers so is the contract suite's
 * to show (eventstoredb-event-store.spec.ts, with EVENTSTORE_TEST_URL).
 */
describe('EventStoreDbEventStore with a scripted client (no server)', () => {
  let client: ScriptedClient;
  let store: EventStoreDbEventStore;

  beforeEach(() => {
    client = new ScriptedClient();
    store = new EventStoreDbEventStore(client.asClient(), {
      resubscribeDelayMs: 1,
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
  });

  describe('append', () => {
    it.each<[number, AppendExpectedRevision]>([
      [0, NO_STREAM],
      [1, 0n],
      [3, 2n],
    ])(
      'sends version %p as expected revision %p, with the event ids as the server ids',
      async (version, revision) => {
        const batch = [newEvent(), newEvent()];
        client.answerAppend(version + 1);

        await store.append('group-1', batch, version);

        expect(client.appendToStream).toHaveBeenCalledTimes(1);
        const [streamId, sent, options] = client.appendToStream.mock.calls[0]!;
        expect(streamId).toBe('group-1');
        expect(options).toEqual({ expectedRevision: revision, requiresLeader: true });
        expect((sent as JSONEventData[]).map((event) => event.id)).toEqual(batch.map((e) => e.id));
      },
    );

    it('gives every event of one append the same appendId, another than the next append', async () => {
      client.answerAppend(1);
      await store.append('group-1', [newEvent(), newEvent()], 0);
      client.answerAppend(3);
      await store.append('group-1', [newEvent()], 2);

      const appendIds = client.appendToStream.mock.calls.map(([, sent]) =>
        (sent as JSONEventData[]).map((event) => (event.metadata as { appendId: string }).appendId),
      );
      expect(new Set(appendIds[0]).size).toBe(1);
      expect(appendIds[1]![0]).not.toBe(appendIds[0]![0]);
    });

    it('returns the events read back as written, and announces the commit', async () => {
      const batch = [newEvent(), newEvent()];
      client.answerAppend(3);
      const calls = jest.fn();
      store.onCommit(calls);

      const result = await store.append('group-1', batch, 2);

      expect(result.repeated).toBe(false);
      expect(result.nextVersion).toBe(4);
      expect(result.events.map((event) => [event.id, event.revision])).toEqual([
        [batch[0]!.id, 2],
        [batch[1]!.id, 3],
      ]);
      expect(client.readStream).toHaveBeenLastCalledWith('group-1', {
        direction: FORWARDS,
        resolveLinkTos: false,
        fromRevision: 2n,
        maxCount: 2,
        requiresLeader: true,
      });
      expect(calls).toHaveBeenCalledTimes(1);
    });

    it('reports a repeat when the server answers with what an earlier attempt wrote', async () => {
      const batch = [newEvent(), newEvent()];
      const earlier = written(batch, 'group-1', 0, 'earlier-attempt');
      client.appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 1n });
      client.readStream.mockImplementation(() => reading(earlier));
      const calls = jest.fn();
      store.onCommit(calls);

      const result = await store.append('group-1', batch, 0);

      expect(result).toMatchObject({ repeated: true, nextVersion: 2 });
      expect(result.events.map((event) => event.id)).toEqual(batch.map((event) => event.id));
      expect(calls).not.toHaveBeenCalled();
    });

    it('finds its events by id when the server answers with another revision', async () => {
      const batch = [newEvent()];
      const stream = [...written([newEvent()], 'group-1', 0), ...written(batch, 'group-1', 1)];
      client.appendToStream.mockImplementation(async (_stream: string, sent: JSONEventData[]) => {
        stream[1] = vendorEvent(sent[0]!, 'group-1', 1);
        return { success: true, nextExpectedRevision: 7n };
      });
      client.readStream.mockImplementation((_id: string, options: { fromRevision?: unknown }) =>
        reading(options.fromRevision === 7n ? [] : stream),
      );

      const result = await store.append('group-1', batch, 1);

      expect(result).toMatchObject({ repeated: false, nextVersion: 2 });
    });

    describe('during a failover (scripted client: the answers of a demoted leader)', () => {
      const notLeader = () =>
        Object.assign(new Error('Leader info available'), {
          code: 9,
          details: 'Leader info available',
          metadata: {
            getMap: () => ({
              exception: 'not-leader',
              'leader-endpoint-host': 'node2',
              'leader-endpoint-port': '2113',
            }),
          },
        });

      it('sends the append and every read to the leader', async () => {
        client.answerAppend(0);

        await store.append('group-1', [newEvent()], 0);
        await store.readStream('group-1').catch(() => undefined);
        client.readAll.mockImplementation(() => reading([]));
        await store.readAll({ limit: 1 });

        for (const [, , options] of client.appendToStream.mock.calls) {
          expect(options).toMatchObject({ requiresLeader: true });
        }
        for (const [, options] of client.readStream.mock.calls) {
          expect(options).toMatchObject({ requiresLeader: true });
        }
        expect(client.readAll.mock.calls[0]![0]).toMatchObject({ requiresLeader: true });
      });

      it('reports an acknowledged append whose read-back misses it as unavailable, not a plain Error', async () => {
        const batch = [newEvent()];
        client.appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 0n });
        // The node read from has not seen the write yet: the stream is still empty there.
        client.readStream.mockImplementation(() =>
          failing(new StreamNotFoundError(undefined, 'group-1')),
        );

        const failure = await store.append('group-1', batch, 0).catch((error: unknown) => error);

        expect(failure).toBeInstanceOf(EventStoreUnavailableError);
        expect((failure as Error).message).toMatch(/acknowledged .* retry/);
      });

      it('reports a read-back refused by a demoted leader as unavailable', async () => {
        client.appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 0n });
        client.readStream.mockImplementation(() => failing(notLeader()));

        await expect(store.append('group-1', [newEvent()], 0)).rejects.toBeInstanceOf(
          EventStoreUnavailableError,
        );
      });

      it('answers the retry of that command with the events the first attempt recorded', async () => {
        const batch = [newEvent()];
        client.appendToStream.mockResolvedValueOnce({ success: true, nextExpectedRevision: 0n });
        client.readStream.mockImplementationOnce(() => failing(notLeader()));
        await store.append('group-1', batch, 0).catch(() => undefined);

        // The new leader has the events; the retry at the same version meets them.
        client.appendToStream.mockRejectedValueOnce(
          new VendorWrongExpectedVersionError(undefined, {
            streamName: 'group-1',
            expected: 'no_stream',
            current: 0n,
          }),
        );
        client.readStream.mockImplementation(() => reading(written(batch, 'group-1', 0)));
        const retry = await store.append('group-1', batch, 0);

        expect(retry).toMatchObject({ repeated: true, nextVersion: 1 });
      });
    });

    describe('when the server reports a wrong expected version', () => {
      const refuse = (current: bigint | 'no_stream') =>
        new VendorWrongExpectedVersionError(undefined, {
          streamName: 'group-1',
          expected: 1n,
          current,
        });

      it('returns the first recording when the ids are already in the stream', async () => {
        const batch = [newEvent(), newEvent()];
        const stream = [...written([newEvent()], 'group-1', 0), ...written(batch, 'group-1', 1)];
        client.appendToStream.mockRejectedValue(refuse(2n));
        client.readStream.mockImplementation(() => reading(stream));

        const result = await store.append('group-1', batch, 2);

        expect(result).toMatchObject({ repeated: true, nextVersion: 3 });
        expect(result.events.map((event) => event.revision)).toEqual([1, 2]);
      });

      it.each<[bigint | 'no_stream', number]>([
        [4n, 5],
        [NO_STREAM, 0],
      ])(
        'refuses with both versions when the ids are new (current %p)',
        async (current, actualVersion) => {
          client.appendToStream.mockRejectedValue(refuse(current));
          client.readStream.mockImplementation(() =>
            current === NO_STREAM
              ? failing(new StreamNotFoundError(undefined, 'group-1'))
              : reading(written([newEvent()], 'group-1', 0)),
          );

          const failure = await store
            .append('group-1', [newEvent()], 2)
            .catch((error: unknown) => error);

          expect(failure).toBeInstanceOf(WrongExpectedVersionError);
          expect(failure).toMatchObject({ streamId: 'group-1', expectedVersion: 2, actualVersion });
        },
      );

      it('refuses an id the stream holds as another event', async () => {
        const recorded = newEvent();
        const retried = { ...newEvent({ type: 'GroupDissolved' }), id: recorded.id };
        client.appendToStream.mockRejectedValue(refuse(0n));
        client.readStream.mockImplementation(() => reading(written([recorded], 'group-1', 0)));

        const failure = await store.append('group-1', [retried], 0).catch((error) => error);

        expect(failure).toBeInstanceOf(DuplicateEventIdError);
        expect(failure).toMatchObject({ eventId: recorded.id });
      });
    });

    describe("at 'any'", () => {
      it('answers a repeat from the stream without writing', async () => {
        const batch = [newEvent()];
        client.readStream.mockImplementation(() => reading(written(batch, 'group-1', 0)));

        const result = await store.append('group-1', batch, 'any');

        expect(result).toMatchObject({ repeated: true, nextVersion: 1 });
        expect(client.appendToStream).not.toHaveBeenCalled();
      });

      it('refuses an id the stream already holds, without writing', async () => {
        const recorded = newEvent();
        client.readStream.mockImplementation(() => reading(written([recorded], 'group-1', 0)));

        await expect(
          store.append('group-1', [newEvent(), { ...newEvent(), id: recorded.id }], 'any'),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(client.appendToStream).not.toHaveBeenCalled();
      });

      it('appends new ids at ANY', async () => {
        client.readStream.mockImplementationOnce(() =>
          reading(written([newEvent()], 'group-1', 0)),
        );
        client.answerAppend(1);

        const result = await store.append('group-1', [newEvent()], 'any');

        expect(client.appendToStream.mock.calls[0]![2]).toEqual({
          expectedRevision: ANY,
          requiresLeader: true,
        });
        expect(result).toMatchObject({ repeated: false, nextVersion: 2 });
      });
    });

    it.each<[string, () => [string, EventToAppend[]]]>([
      ['an id that is not a UUID', () => ['group-1', [{ ...newEvent(), id: 'evt-1' }]]],
      [
        'an upper-case UUID',
        () => ['group-1', [{ ...newEvent(), id: randomUUID().toUpperCase() }]],
      ],
      ['a $-stream', () => ['$settings', [newEvent()]]],
      ['no events', () => ['group-1', []]],
      [
        'an invalid effectiveAt',
        () => ['group-1', [newEvent({ effectiveAt: new Date(Number.NaN) })]],
      ],
      ['a fractional schemaVersion', () => ['group-1', [newEvent({ schemaVersion: 1.5 })]]],
    ])('refuses %s before asking the server', async (_case, args) => {
      const [streamId, events] = args();

      await expect(store.append(streamId, events, 0)).rejects.toBeInstanceOf(RangeError);
      expect(client.appendToStream).not.toHaveBeenCalled();
    });

    it('refuses one id twice in an append, which the server would record twice', async () => {
      const event = newEvent();

      await expect(store.append('group-1', [event, event], 0)).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      expect(client.appendToStream).not.toHaveBeenCalled();
    });
  });

  describe('a commandId is one command (scripted client: reservation streams as the server keeps them)', () => {
    const commandOf = (event: EventToAppend) => event.metadata.commandId;

    it('reserves command-<commandId> at NO_STREAM before appending the events', async () => {
      const batch = [newEvent()];
      client.answerAppend(0);

      await store.append('group-1', batch, 0);

      expect(client.reserve).toHaveBeenCalledTimes(1);
      const [reservedIn, sent, options] = client.reserve.mock.calls[0]!;
      expect(reservedIn).toBe(`command-${commandOf(batch[0]!)}`);
      expect(options).toEqual({ expectedRevision: NO_STREAM, requiresLeader: true });
      expect(sent[0]!.data).toEqual({
        streamId: 'group-1',
        commandDigest: 'digest',
        eventIds: [batch[0]!.id],
      });
      expect(client.reserve.mock.invocationCallOrder[0]).toBeLessThan(
        client.appendToStream.mock.invocationCallOrder[0]!,
      );
    });

    it('refuses the same command sent to another stream, naming what it recorded, appending nothing', async () => {
      const batch = [newEvent()];
      client.answerAppend(0);
      const first = await store.append('organization-a', batch, 0);
      client.readStream.mockImplementation((streamId: string) =>
        reading(streamId === 'organization-a' ? written(batch, 'organization-a', 0) : []),
      );

      const failure = await store
        .append('organization-b', batch, 0)
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(CommandIdTakenError);
      expect(failure).toMatchObject({ commandId: commandOf(batch[0]!) });
      expect((failure as CommandIdTakenError).recorded.map((event) => event.id)).toEqual(
        first.events.map((event) => event.id),
      );
      expect(client.appendToStream).toHaveBeenCalledTimes(1);
    });

    it('reads what a commandId recorded through its reservation, and nothing for one never used', async () => {
      const batch = [newEvent()];
      client.answerAppend(0);
      const first = await store.append('organization-a', batch, 0);
      client.readStream.mockImplementation((streamId: string) =>
        reading(streamId === 'organization-a' ? written(batch, 'organization-a', 0) : []),
      );

      const read = await store.readCommand(commandOf(batch[0]!));

      expect(read.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
      expect(await store.readCommand(randomUUID())).toEqual([]);
    });

    it('lets the retry of a command whose append failed after its reservation go on, recording once', async () => {
      const batch = [newEvent()];
      client.appendToStream.mockRejectedValueOnce(
        new VendorWrongExpectedVersionError(undefined, {
          streamName: 'group-1',
          expected: 2n,
          current: 3n,
        }),
      );
      const stream = written([newEvent(), newEvent(), newEvent(), newEvent()], 'group-1', 0);
      client.readStream.mockImplementation(streamOf(stream));
      await expect(store.append('group-1', batch, 3)).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );

      // The retry decides again at the version it now reads.
      client.answerAppend(4, stream);
      const retry = await store.append('group-1', batch, 4);

      expect(retry).toMatchObject({ repeated: false, nextVersion: 5 });
      expect(client.reserve).toHaveBeenCalledTimes(2);
      expect(client.reservations.size).toBe(1);
    });

    it('answers a retry whose first attempt did get in with that recording, appending nothing', async () => {
      const batch = [newEvent()];
      client.answerAppend(0);
      await store.append('group-1', batch, 0);
      client.readStream.mockImplementation(() => reading(written(batch, 'group-1', 0)));

      // A lagging replica retries it at the version it read before the first attempt.
      const retry = await store.append('group-1', batch, 0);

      expect(retry).toMatchObject({ repeated: true, nextVersion: 1 });
      expect(client.appendToStream).toHaveBeenCalledTimes(1);
    });

    it('refuses another command under a commandId whose reservation recorded nothing', async () => {
      const batch = [newEvent()];
      await client.reserve(`command-${commandOf(batch[0]!)}`, [
        {
          ...toEventData(newEvent(), 'x'),
          type: 'CommandReserved',
          data: {
            streamId: 'group-1',
            commandDigest: 'another digest',
            eventIds: [],
          },
        },
      ]);
      client.readStream.mockImplementation(() => reading([]));

      const failure = await store.append('group-1', batch, 0).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(CommandIdTakenError);
      expect(failure).toMatchObject({ recorded: [] });
      expect(client.appendToStream).not.toHaveBeenCalled();
    });

    it('lets one of two concurrent appends of one commandId to two streams record', async () => {
      const commandId = randomUUID();
      const command = (id: string) => {
        const event = newEvent();
        return [{ ...event, metadata: { ...event.metadata, commandId: id } }];
      };
      client.answerAppend(0);

      const outcomes = await Promise.allSettled([
        store.append('group-1', command(commandId), 0),
        store.append('group-2', command(commandId), 0),
      ]);

      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(client.appendToStream).toHaveBeenCalledTimes(1);
    });

    it('leaves reservation streams out of the log and its head', async () => {
      client.readAll.mockImplementation(() =>
        reading([
          logEvent('group-1', 'GroupFounded', at(10n)),
          logEvent(`command-${randomUUID()}`, 'CommandReserved', at(20n)),
        ]),
      );

      const page = await store.readAll({ limit: 10 });

      expect(page.map((event) => event.position)).toEqual(['10:10']);
      client.readAll.mockImplementation(() =>
        reading([
          logEvent(`command-${randomUUID()}`, 'CommandReserved', at(20n)),
          logEvent('group-1', 'GroupFounded', at(10n)),
        ]),
      );
      await expect(store.head()).resolves.toBe('10:10');
    });

    it('refuses to append to a reservation stream', async () => {
      await expect(store.append(`command-${randomUUID()}`, [newEvent()], 0)).rejects.toBeInstanceOf(
        RangeError,
      );
    });

    it('reserves the commandIds of imported events too', async () => {
      client.appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 0n });
      const events = [imported('group-a', 0), imported('group-a', 1)];

      await store.importRecorded(events);

      expect([...client.reservations.keys()].sort()).toEqual(
        events.map((event) => `command-${event.metadata.commandId}`).sort(),
      );
    });
  });

  describe("a leader's clock stepping back (scripted client: commit times from a scripted clock)", () => {
    let clock: Date;
    let stream: JSONRecordedEvent[];

    beforeEach(() => {
      stream = [];
      clock = new Date('2025-03-01T12:00:00.000Z');
      // A server that stamps each event it writes with its own clock, as EventStoreDB does.
      client.appendToStream.mockImplementation(async (id: string, sent: JSONEventData[]) => {
        for (const event of sent) {
          stream.push({ ...vendorEvent(event, id, stream.length), created: new Date(clock) });
        }
        return { success: true, nextExpectedRevision: BigInt(stream.length - 1) };
      });
      client.readStream.mockImplementation((id: string, options: StreamReadOptions) =>
        streamOf(stream)(id, options),
      );
      client.readAll.mockImplementation(() => reading(stream));
    });

    const stepBack = (ms: number) => {
      clock = new Date(clock.getTime() - ms);
    };

    it('never moves recordedAt backwards in a stream, and keeps the raw server time beside it', async () => {
      const first = await store.append('group-1', [newEvent()], 0);
      stepBack(60 * 60_000);

      const second = await store.append('group-1', [newEvent()], 1);

      const [before, after] = await store.readStream('group-1');
      expect(after!.recordedAt.getTime()).toBe(before!.recordedAt.getTime());
      expect(after!.rawRecordedAt?.toISOString()).toBe('2025-03-01T11:00:00.000Z');
      expect(after!.effectiveAt).toEqual(after!.recordedAt);
      expect(before!.rawRecordedAt).toBeUndefined();
      expect(second.events).toEqual([after]);
      expect(first.events).toEqual([before]);
      // The read model reads the log: it sees the same times.
      expect(await store.readAll({ limit: 10 })).toEqual([before, after]);
    });

    it('never lets recordedAt precede the effectiveAt the command gave', async () => {
      const effectiveAt = new Date('2025-03-01T12:00:05.000Z');
      stepBack(30_000);

      const { events } = await store.append('group-1', [newEvent({ effectiveAt })], 0);

      expect(events[0]!.recordedAt).toEqual(effectiveAt);
      expect(events[0]!.rawRecordedAt).toEqual(new Date('2025-03-01T11:59:30.000Z'));
    });

    it("reads the stream's previous event for the floor when it has not just read the stream", async () => {
      await store.append('group-1', [newEvent()], 0);
      const other = new EventStoreDbEventStore(client.asClient());
      stepBack(5_000);

      const { events } = await other.append('group-1', [newEvent()], 1);

      expect(client.readStream).toHaveBeenCalledWith('group-1', {
        direction: FORWARDS,
        resolveLinkTos: false,
        fromRevision: 0n,
        maxCount: 1,
        requiresLeader: true,
      });
      expect(events[0]!.recordedAt).toEqual(new Date('2025-03-01T12:00:00.000Z'));
      await other.close();
    });

    it('takes the commit time as it is while the clock moves forward', async () => {
      await store.append('group-1', [newEvent()], 0);
      clock = new Date('2025-03-01T12:00:01.000Z');

      const { events } = await store.append('group-1', [newEvent()], 1);

      expect(events[0]!.recordedAt).toEqual(clock);
      expect(events[0]!.rawRecordedAt).toBeUndefined();
    });
  });

  describe('readStream', () => {
    it('reads a stream that does not exist as empty', async () => {
      client.readStream.mockImplementation(() =>
        failing(new StreamNotFoundError(undefined, 'group-404')),
      );

      await expect(store.readStream('group-404')).resolves.toEqual([]);
    });

    it('reads every event from the start', async () => {
      client.readStream.mockImplementation(() =>
        reading(written([newEvent(), newEvent()], 'g', 0)),
      );

      const events = await store.readStream('g');

      expect(events.map((event) => event.revision)).toEqual([0, 1]);
      expect(client.readStream).toHaveBeenCalledWith('g', {
        direction: FORWARDS,
        resolveLinkTos: false,
        fromRevision: 'start',
        requiresLeader: true,
      });
    });
  });

  describe('readAll', () => {
    it("leaves out EventStoreDB's own events and the event it starts from", async () => {
      const after = at(100n);
      client.readAll.mockImplementation(() =>
        reading([
          logEvent('group-1', 'GroupFounded', after),
          logEvent('$stats-node', 'StatsCollected', at(200n)),
          logEvent('group-1', 'OrganizationJoinedGroup', at(300n)),
          logEvent('group-1', '$>', at(400n)),
          logEvent('$$group-1', '$metadata', at(500n)),
          logEvent('group-2', 'GroupFounded', at(600n)),
        ]),
      );

      const page = await store.readAll({ after: encodePosition(after), limit: 10 });

      expect(page.map((event) => event.position)).toEqual(['300:300', '600:600']);
      expect(client.readAll).toHaveBeenCalledWith({
        fromPosition: after,
        maxCount: 11,
        direction: FORWARDS,
        resolveLinkTos: false,
        requiresLeader: true,
      });
    });

    it('reads on past a chunk of system events until the page is full', async () => {
      client.readAll
        .mockImplementationOnce(() =>
          reading([
            logEvent('$stats-node', 'StatsCollected', at(10n)),
            logEvent('$scavenges', 'ScavengeStarted', at(20n)),
            logEvent('$stats-node', 'StatsCollected', at(30n)),
          ]),
        )
        .mockImplementationOnce(() =>
          reading([
            logEvent('$stats-node', 'StatsCollected', at(30n)),
            logEvent('group-1', 'GroupFounded', at(40n)),
            logEvent('group-2', 'GroupFounded', at(50n)),
          ]),
        );

      const page = await store.readAll({ limit: 2 });

      expect(page.map((event) => event.position)).toEqual(['40:40', '50:50']);
      expect(client.readAll.mock.calls.map(([options]) => options.fromPosition)).toEqual([
        'start',
        at(30n),
      ]);
    });

    it('stops at the end of the log', async () => {
      client.readAll.mockImplementation(() => reading([logEvent('g-1', 'GroupFounded', at(9n))]));

      await expect(store.readAll({ limit: 5 })).resolves.toHaveLength(1);
      expect(client.readAll).toHaveBeenCalledTimes(1);
    });

    it.each(['not-a-position', '17', '5:6'])(
      'refuses after = %j without asking the server',
      async (after) => {
        await expect(store.readAll({ after, limit: 1 })).rejects.toBeInstanceOf(
          InvalidPositionError,
        );
        expect(client.readAll).not.toHaveBeenCalled();
      },
    );

    it.each([0, -1, 1.5, Number.NaN])('refuses a page size of %p', async (limit) => {
      await expect(store.readAll({ limit })).rejects.toBeInstanceOf(RangeError);
    });

    it("finds the head past EventStoreDB's own events, reading backwards from the end", async () => {
      client.readAll
        .mockImplementationOnce(() =>
          reading(
            Array.from({ length: 64 }, (_, i) =>
              logEvent('$stats-node', 'StatsCollected', at(BigInt(1_000 - i))),
            ),
          ),
        )
        .mockImplementationOnce(() =>
          reading([
            logEvent('$stats-node', 'StatsCollected', at(937n)),
            logEvent('group-1', 'GroupFounded', at(900n)),
          ]),
        );

      await expect(store.head()).resolves.toBe('900:900');
      expect(
        client.readAll.mock.calls.map(([options]) => [options.fromPosition, options.direction]),
      ).toEqual([
        [END, BACKWARDS],
        [at(937n), BACKWARDS],
      ]);
    });
  });

  describe("the vendor's errors", () => {
    const serviceError = (code: number, exception?: Record<string, string>) =>
      Object.assign(new Error('from the server'), {
        code,
        details: 'from the server',
        metadata: { getMap: () => exception ?? {} },
      });

    it.each<[string, () => Error]>([
      ['UnavailableError', () => new UnavailableError()],
      ['DeadlineExceededError', () => new DeadlineExceededError()],
      ['TimeoutError', () => new TimeoutError()],
      ['CancelledError', () => new CancelledError()],
      ['AccessDeniedError', () => new AccessDeniedError()],
      ['a raw UNAVAILABLE status', () => serviceError(14)],
      ['a raw DEADLINE_EXCEEDED status', () => serviceError(4)],
      [
        'a not-leader answer',
        () =>
          serviceError(9, {
            exception: 'not-leader',
            'leader-endpoint-host': 'node2',
            'leader-endpoint-port': '2113',
          }),
      ],
      ['a failed cluster discovery (a plain Error)', () => new Error('Failed to discover')],
    ])('turns %s into EventStoreUnavailableError', async (_name, vendorError) => {
      const failure = vendorError();
      client.readStream.mockImplementation(() => failing(failure));
      client.appendToStream.mockRejectedValue(failure);

      await expect(store.readStream('group-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.append('group-1', [newEvent()], 0)).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    });

    it('leaves an error the port has no name for as it is', async () => {
      const failure = new UnknownError();
      client.readStream.mockImplementation(() => failing(failure));

      await expect(store.readStream('group-1')).rejects.toBe(failure);
    });

    it('turns a TypeError of its own into nothing else', async () => {
      client.readStream.mockImplementation(() => failing(new TypeError('a defect')));

      await expect(store.readStream('group-1')).rejects.toBeInstanceOf(TypeError);
    });
  });

  describe('commit listeners', () => {
    it('subscribe to $all from the end, without system event types, once while anyone listens', async () => {
      const first = store.onCommit(() => undefined);
      const second = store.onCommit(() => undefined);

      expect(client.subscribeToAll).toHaveBeenCalledTimes(1);
      const [options] = client.subscribeToAll.mock.calls[0]!;
      expect(options.fromPosition).toBe(END);
      expect(options.filter).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
      expect(options.requiresLeader).toBe(true);

      first();
      expect(client.subscription().unsubscribe).not.toHaveBeenCalled();
      second();
      expect(client.subscription().unsubscribe).toHaveBeenCalled();
    });

    it('hear one call for a burst of commits, and none for a system stream', async () => {
      const heard = jest.fn();
      store.onCommit(heard);
      const subscription = client.subscription();

      subscription.deliver(logEvent('$stats-node', 'StatsCollected', at(1n)));
      await nextTurn();
      expect(heard).not.toHaveBeenCalled();

      subscription.deliver(logEvent('group-1', 'GroupFounded', at(2n)));
      subscription.deliver(logEvent('group-2', 'GroupFounded', at(3n)));
      await nextTurn();
      expect(heard).toHaveBeenCalledTimes(1);
    });

    it('subscribe again from the last event seen after the subscription drops, then wake', async () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const heard = jest.fn();
      store.onCommit(heard);
      const dropped = client.subscription();
      dropped.deliver(logEvent('group-1', 'GroupFounded', at(70n)));
      await nextTurn();
      heard.mockClear();

      const resubscribed = client.nextSubscription();
      dropped.emit('error', new UnavailableError());
      const again = await resubscribed;

      expect(client.subscribeToAll.mock.calls[1]![0].fromPosition).toEqual(at(70n));
      expect(warn).toHaveBeenCalledTimes(1);
      again.emit('confirmation');
      await nextTurn();
      expect(heard).toHaveBeenCalledTimes(1);
    });

    it('warn on every drop, not only the first', async () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      store.onCommit(() => undefined);

      for (let drop = 1; drop <= 3; drop++) {
        const next = client.nextSubscription();
        client.subscription().emit('error', new AccessDeniedError());
        await next;
        expect(warn).toHaveBeenCalledTimes(drop);
      }
    });

    it('wake once when the first subscription confirms: a commit during start is not missed', async () => {
      const heard = jest.fn();
      store.onCommit(heard);

      client.subscription().emit('confirmation');
      await nextTurn();

      expect(heard).toHaveBeenCalledTimes(1);
    });

    it('are not called after close, and the subscription ends with it', async () => {
      const heard = jest.fn();
      store.onCommit(heard);
      const subscription = client.subscription();

      await store.close();
      subscription.deliver(logEvent('group-1', 'GroupFounded', at(5n)));
      await nextTurn();

      expect(heard).not.toHaveBeenCalled();
      expect(subscription.unsubscribe).toHaveBeenCalled();
      expect(client.dispose).toHaveBeenCalledTimes(1);
      expect(() => store.onCommit(heard)).toThrow(EventStoreUnavailableError);
    });
  });

  describe('importRecorded', () => {
    it('writes each run of one stream as one append at its first revision', async () => {
      client.appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 0n });
      const events = [
        imported('group-a', 0),
        imported('group-a', 1),
        imported('group-b', 0),
        imported('group-a', 2),
      ];

      await store.importRecorded(events);

      expect(
        client.appendToStream.mock.calls.map(([streamId, sent, options]) => [
          streamId,
          (sent as JSONEventData[]).map((event) => event.id),
          options.expectedRevision,
        ]),
      ).toEqual([
        ['group-a', [events[0]!.id, events[1]!.id], NO_STREAM],
        ['group-b', [events[2]!.id], NO_STREAM],
        ['group-a', [events[3]!.id], 1n],
      ]);
      const [, [sent]] = client.appendToStream.mock.calls[1]!;
      expect(sent.metadata).toMatchObject({ recordedAt: events[2]!.recordedAt.toISOString() });
    });

    describe('split by serialised size (scripted client; the source a real SQLite store)', () => {
      /** What each append sent weighed, as the server counts it: data and metadata. */
      const appendSizes = () =>
        client.appendToStream.mock.calls.map(([, sent]) =>
          (sent as JSONEventData[]).reduce(
            (sum, event) =>
              sum +
              Buffer.byteLength(JSON.stringify(event.data)) +
              Buffer.byteLength(JSON.stringify(event.metadata)),
            0,
          ),
        );

      const migrate = async (events: RecordedEvent[]) => {
        const source = SqliteEventStore.open(':memory:');
        try {
          await source.importRecorded(events);
          client.readAll.mockImplementation(() => reading([]));
          client.appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 0n });
          return await migrateEvents(source, store);
        } finally {
          await source.close();
        }
      };

      it('migrates a 900 KB event on an append of its own, between small ones', async () => {
        const big = { ...imported('group-a', 1), data: { notes: 'x'.repeat(900 * 1024) } };
        const events = [imported('group-a', 0), big, imported('group-a', 2)];

        const summary = await migrate(events);

        expect(summary).toMatchObject({ copied: 3, complete: true });
        const runs = client.appendToStream.mock.calls.map(([, sent]) =>
          (sent as JSONEventData[]).map((event) => event.id),
        );
        expect(runs).toEqual([[events[0]!.id], [big.id], [events[2]!.id]]);
        for (const size of appendSizes()) expect(size).toBeLessThan(MAX_APPEND_BYTES);
      });

      it('migrates 10,000 tiny events of one stream in appends under the budget, not by count', async () => {
        const events = Array.from({ length: 10_000 }, (_, i) => imported('group-a', i));

        const summary = await migrate(events);

        expect(summary).toMatchObject({ copied: 10_000, complete: true });
        const sent = client.appendToStream.mock.calls.flatMap(([, batch]) =>
          (batch as JSONEventData[]).map((event) => event.id),
        );
        expect(sent).toEqual(events.map((event) => event.id));
        const sizes = appendSizes();
        for (const size of sizes) expect(size).toBeLessThanOrEqual(IMPORT_APPEND_BUDGET_BYTES);
        // Filled by size: far more than the 200 a count limit allowed.
        expect(client.appendToStream.mock.calls[0]![1].length).toBeGreaterThan(200);
        // Each append at the revision its first event had.
        let written = 0;
        for (const [, batch, options] of client.appendToStream.mock.calls) {
          expect(options.expectedRevision).toEqual(written === 0 ? NO_STREAM : BigInt(written - 1));
          written += (batch as JSONEventData[]).length;
        }
      });

      it('refuses an event over the server limit before writing anything', async () => {
        const huge = { ...imported('group-a', 1), data: { notes: 'x'.repeat(MAX_APPEND_BYTES) } };

        await expect(store.importRecorded([imported('group-a', 0), huge])).rejects.toThrow(
          /bytes serialised/,
        );
        expect(client.appendToStream).not.toHaveBeenCalled();
      });
    });

    it('refuses a revision the stream does not have next with both versions', async () => {
      client.appendToStream.mockRejectedValue(
        new VendorWrongExpectedVersionError(undefined, {
          streamName: 'group-a',
          expected: 3n,
          current: 1n,
        }),
      );

      const failure = await store
        .importRecorded([imported('group-a', 4)])
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WrongExpectedVersionError);
      expect(failure).toMatchObject({ streamId: 'group-a', expectedVersion: 4, actualVersion: 2 });
    });

    it('refuses an event EventStoreDB cannot hold before writing any', async () => {
      await expect(
        store.importRecorded([imported('group-a', 0), { ...imported('group-a', 1), id: 'x-1' }]),
      ).rejects.toBeInstanceOf(RangeError);
      expect(client.appendToStream).not.toHaveBeenCalled();
    });
  });

  describe('checkAccess at start (scripted client: the answers of a secured server)', () => {
    const denied = () =>
      Object.assign(new Error('Access denied'), {
        code: 7,
        details: 'Access denied',
        metadata: { getMap: () => ({ exception: 'access-denied' }) },
      });

    it('reads one event of $all backwards from the end, on the leader', async () => {
      client.readAll.mockImplementation(() => reading([]));

      await store.checkAccess();

      expect(client.readAll).toHaveBeenCalledWith({
        fromPosition: END,
        maxCount: 1,
        direction: BACKWARDS,
        resolveLinkTos: false,
        requiresLeader: true,
      });
    });

    it.each<[string, string | undefined, RegExp]>([
      ['a named user', 'ops', /user "ops".*\$admins.*read on \$all/],
      ['no user', undefined, /no user in the esdb URL.*\$admins in EVENT_STORE_URL/],
    ])('refuses with what to grant when $all is denied to %s', async (_case, userName, says) => {
      const secured = new EventStoreDbEventStore(client.asClient(), {
        ...(userName === undefined ? {} : { userName }),
      });
      client.readAll.mockImplementation(() => failing(denied()));

      const failure = await secured.checkAccess().catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(EventStoreAccessDeniedError);
      expect((failure as Error).message).toMatch(says);
      await secured.close();
    });

    it('takes the user from the connection string, never the password', async () => {
      const opened = EventStoreDbEventStore.open('esdb://reader:s3cret@127.0.0.1:1?tls=false');
      const read = jest
        .spyOn(opened as unknown as { readAllEvents: () => Promise<unknown> }, 'readAllEvents')
        .mockRejectedValue(
          new EventStoreUnavailableError('denied', { cause: new AccessDeniedError() }),
        );

      const failure = (await opened.checkAccess().catch((error: unknown) => error)) as Error;

      expect(read).toHaveBeenCalled();
      expect(failure.message).toContain('user "reader"');
      expect(failure.message).not.toContain('s3cret');
      await opened.close();
    });

    it('lets a server that cannot be reached now start (the first request reports it)', async () => {
      client.readAll.mockImplementation(() => failing(new UnavailableError()));

      await expect(store.checkAccess()).resolves.toBeUndefined();
    });
  });

  it('refuses every call once closed, and disposes the client once', async () => {
    await store.close();
    await store.close();

    await expect(store.append('group-1', [newEvent()], 0)).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await expect(store.readStream('group-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readAll({ limit: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.importRecorded([])).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(client.dispose).toHaveBeenCalledTimes(1);
  });

  it('turns a request cut off by close into EventStoreUnavailableError', async () => {
    let cut: (error: Error) => void = () => undefined;
    client.readStream.mockImplementation(
      () =>
        new Readable({
          objectMode: true,
          read() {
            cut = (error) => this.destroy(error);
          },
        }),
    );

    const reading = store.readStream('group-1');
    await nextTurn();
    const closing = store.close();
    cut(new UnknownError());

    await expect(reading).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await closing;
  });
});

describe('EventStoreDbEventStore with nothing listening at the address', () => {
  it('reports EventStoreUnavailableError, not a vendor error', async () => {
    const port = await closedPort();
    const store = EventStoreDbEventStore.open(`esdb://127.0.0.1:${port}?tls=false`);
    try {
      await expect(store.readStream('group-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.append('group-1', [newEvent()], 0)).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    } finally {
      await store.close();
    }
  });
});

/** A client whose every answer the test sets; subscriptions are event emitters it drives. */
class ScriptedClient {
  readonly appendToStream = jest.fn();
  readonly readStream = jest.fn();
  readonly readAll = jest.fn();
  readonly subscribeToAll = jest.fn(
    (_options: { fromPosition: unknown; filter: unknown; requiresLeader?: boolean }) => {
      const subscription = new ScriptedSubscription();
      this.subscriptions.push(subscription);
      for (const waiting of this.waiting.splice(0)) waiting(subscription);
      return subscription;
    },
  );
  readonly dispose = jest.fn(async () => undefined);
  /** The reservation streams (`command-<commandId>`): created once, at NO_STREAM. */
  readonly reservations = new Map<string, JSONRecordedEvent>();
  readonly reserve = jest.fn(
    async (streamId: string, events: JSONEventData[], _options?: unknown) => {
      const held = this.reservations.get(streamId);
      if (held !== undefined) {
        throw new VendorWrongExpectedVersionError(undefined, {
          streamName: streamId,
          expected: NO_STREAM,
          current: 0n,
        });
      }
      this.reservations.set(streamId, vendorEvent(events[0]!, streamId, 0));
      return { success: true, nextExpectedRevision: 0n };
    },
  );
  private readonly subscriptions: ScriptedSubscription[] = [];

  /**
   * The client the store is given: reservation streams answered as the server would, every
   * other request as the test scripted it.
   */
  asClient(): EventStoreDbClient {
    const reservation = (streamId: string) => streamId.startsWith('command-');
    return {
      appendToStream: (streamId: string, events: JSONEventData[], options: unknown) =>
        reservation(streamId)
          ? this.reserve(streamId, events, options)
          : this.appendToStream(streamId, events, options),
      readStream: (streamId: string, options: unknown) => {
        if (!reservation(streamId)) return this.readStream(streamId, options);
        const held = this.reservations.get(streamId);
        return held === undefined
          ? failing(new StreamNotFoundError(undefined, streamId))
          : reading([held]);
      },
      readAll: (options: unknown) => this.readAll(options),
      subscribeToAll: (options: { fromPosition: unknown; filter: unknown }) =>
        this.subscribeToAll(options),
      dispose: () => this.dispose(),
    } as unknown as EventStoreDbClient;
  }
  private readonly waiting: ((subscription: ScriptedSubscription) => void)[] = [];

  /** The server accepts the next append, whose last event takes `lastRevision`. */
  answerAppend(lastRevision: number, before: readonly JSONRecordedEvent[] = []): void {
    let sent: JSONEventData[] = [];
    let streamId = '';
    this.appendToStream.mockImplementationOnce(async (id: string, events: JSONEventData[]) => {
      [streamId, sent] = [id, events];
      return { success: true, nextExpectedRevision: BigInt(lastRevision) };
    });
    this.readStream.mockImplementation((_id: string, options: StreamReadOptions) =>
      streamOf([
        ...before,
        ...sent.map((event, index) =>
          vendorEvent(event, streamId, lastRevision - sent.length + 1 + index),
        ),
      ])(_id, options),
    );
  }

  subscription(): ScriptedSubscription {
    const last = this.subscriptions[this.subscriptions.length - 1];
    if (last === undefined) throw new Error('nothing subscribed');
    return last;
  }

  nextSubscription(): Promise<ScriptedSubscription> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

class ScriptedSubscription extends EventEmitter {
  readonly unsubscribe = jest.fn(async () => undefined);

  deliver(event: JSONRecordedEvent): void {
    this.emit('data', { event });
  }
}

function newEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'GroupFounded',
    data: { name: 'Zorgnetwerk Oost' },
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
    ...overrides,
  };
}

function imported(streamId: string, revision: number): RecordedEvent {
  const { id, type, data, metadata, schemaVersion } = newEvent();
  return {
    id,
    streamId,
    revision,
    position: String(revision),
    type,
    data,
    effectiveAt: new Date('2022-01-01T00:00:00.000Z'),
    recordedAt: new Date('2022-01-02T03:04:05.678Z'),
    metadata,
    schemaVersion,
  };
}

/** Events as the server would hand back a stream written with them. */
function written(
  events: readonly EventToAppend[],
  streamId: string,
  firstRevision: number,
  appendId = 'earlier',
): JSONRecordedEvent[] {
  return events.map((event, index) =>
    vendorEvent(toEventData(event, appendId), streamId, firstRevision + index),
  );
}

function vendorEvent(data: JSONEventData, streamId: string, revision: number): JSONRecordedEvent {
  const position = at(BigInt(1_000 + revision * 100));
  return {
    streamId,
    id: data.id,
    isJson: true,
    revision: BigInt(revision),
    type: data.type,
    created: new Date('2025-01-01T00:00:00.000Z'),
    data: JSON.parse(JSON.stringify(data.data)) as JSONRecordedEvent['data'],
    metadata: JSON.parse(JSON.stringify(data.metadata ?? {})) as JSONRecordedEvent['metadata'],
    position,
  };
}

function logEvent(streamId: string, type: string, position: Position): JSONRecordedEvent {
  return { ...vendorEvent(toEventData(newEvent({ type }), 'a'), streamId, 0), position };
}

function at(logPosition: bigint): Position {
  return { commit: logPosition, prepare: logPosition };
}

interface StreamReadOptions {
  readonly fromRevision?: bigint | 'start';
  readonly maxCount?: number;
}

/** A stream's events as the server reads them: from a revision, at most a count. */
function streamOf(events: readonly JSONRecordedEvent[]) {
  return (_streamId: string, { fromRevision = 'start', maxCount }: StreamReadOptions = {}) =>
    reading(
      events
        .filter((event) => fromRevision === 'start' || event.revision >= fromRevision)
        .slice(0, maxCount ?? events.length),
    );
}

/** What the client's stream reads yield: resolved events, one by one. */
function reading(events: readonly JSONRecordedEvent[]): Readable {
  return Readable.from(events.map((event) => ({ event })));
}

function failing(error: Error): Readable {
  return new Readable({
    objectMode: true,
    read() {
      this.destroy(error);
    },
  });
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A loopback port nothing listens on: taken from the system, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
