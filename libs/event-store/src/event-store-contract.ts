import { randomUUID } from 'node:crypto';
import {
  CommandIdTakenError,
  DuplicateEventIdError,
  EventStore,
  EventStoreUnavailableError,
  EventToAppend,
  InvalidPositionError,
  RecordedEvent,
  WrongExpectedVersionError,
} from './event-store';

export interface OpenedEventStore {
  readonly store: EventStore;
  readonly dispose: () => Promise<void>;
  /**
   * The position of the log's last event, when the adapter knows a cheaper way to find it
   * than reading the whole log (a shared server's log may be long).
   */
  readonly head?: () => Promise<string | undefined>;
}

/**
 * Where an adapter's store legitimately differs from the full contract. Each difference
 * turns off only the expectation it names; what the store does promise is still checked.
 */
export interface EventStoreCapabilities {
  /**
   * Every event of one append carries the same recordedAt. EventStoreDB stamps each event
   * of an append as it writes it, microseconds apart, which may cross a millisecond.
   */
  readonly oneRecordedAtPerAppend: boolean;
  /** The adapter implements `importRecorded`. */
  readonly importsRecorded: boolean;
}

export const FULL_CAPABILITIES: EventStoreCapabilities = {
  oneRecordedAtPerAppend: true,
  importsRecorded: true,
};

export interface ContractOptions {
  readonly capabilities?: Partial<EventStoreCapabilities>;
  /** Reports the whole suite as skipped, without opening a store (no server to run it on). */
  readonly skip?: boolean;
}

/**
 * The behaviour every adapter of the port shares. Streams and event ids are fresh UUIDs
 * and global reads start at the log's head when the test began, so an adapter may run
 * this against a shared server as well as a fresh file.
 */
export function describeEventStoreContract(
  adapterName: string,
  open: () => Promise<OpenedEventStore>,
  options: ContractOptions = {},
): void {
  const capabilities = { ...FULL_CAPABILITIES, ...options.capabilities };
  const where = (capable: boolean) => (capable ? it : it.skip);
  const describeSuite = options.skip === true ? describe.skip : describe;

  describeSuite(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    let head: string | undefined;

    beforeEach(async () => {
      const opened = await open();
      ({ store, dispose } = opened);
      head = opened.head === undefined ? await headOf(store) : await opened.head();
    });

    afterEach(async () => {
      await dispose();
    });

    const readAllSinceStart = () => readAllAfter(store, head);

    it('reads a stream back with revisions 0..n-1 and every field as appended', async () => {
      const streamId = newStreamId();
      const appended = [
        newEvent({
          type: 'GroupFounded',
          data: {
            name: 'Zorgnetwerk Oost',
            nested: { list: [1, 'two', null] },
            note: null,
          },
        }),
        newEvent({
          type: 'OrganizationJoinedGroup',
          data: { position: 'core', naïve: 'ü€𝄞' },
        }),
        newEvent({ type: 'PositionChanged', data: {}, schemaVersion: 3 }),
      ];

      const result = await store.append(streamId, appended, 0);
      const read = await store.readStream(streamId);

      expect(result.repeated).toBe(false);
      expect(result.nextVersion).toBe(3);
      expect(read.map((event) => event.revision)).toEqual([0, 1, 2]);
      expect(read).toEqual(result.events);
      read.forEach((event, index) => {
        const given = appended[index]!;
        expect(event.id).toBe(given.id);
        expect(event.streamId).toBe(streamId);
        expect(event.type).toBe(given.type);
        expect(event.data).toEqual(given.data);
        expect(event.metadata).toEqual(given.metadata);
        expect(event.schemaVersion).toBe(given.schemaVersion);
        expect(event.effectiveAt).toBeInstanceOf(Date);
        expect(event.recordedAt).toBeInstanceOf(Date);
        expect(typeof event.position).toBe('string');
      });
    });

    it('reads a stream that does not exist as empty', async () => {
      await store.append(newStreamId(), [newEvent()], 'any');

      await expect(store.readStream(newStreamId())).resolves.toEqual([]);
    });

    it('appends to a new stream at expectedVersion 0', async () => {
      const streamId = newStreamId();

      const result = await store.append(streamId, [newEvent()], 0);

      expect(result.nextVersion).toBe(1);
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it('appends at the expected version of an existing stream', async () => {
      const streamId = newStreamId();
      await store.append(streamId, [newEvent(), newEvent()], 0);

      const result = await store.append(streamId, [newEvent()], 2);

      expect(result.nextVersion).toBe(3);
      expect(result.events.map((event) => event.revision)).toEqual([2]);
    });

    it('refuses a wrong expected version with both versions and records nothing', async () => {
      const streamId = newStreamId();
      await store.append(streamId, [newEvent(), newEvent()], 0);
      const before = await readAllSinceStart();

      for (const expectedVersion of [0, 1, 3]) {
        const failure = await store
          .append(streamId, [newEvent()], expectedVersion)
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(WrongExpectedVersionError);
        expect(failure).toMatchObject({ streamId, expectedVersion, actualVersion: 2 });
      }
      const onNewStream = await store
        .append(newStreamId(), [newEvent()], 1)
        .catch((error: unknown) => error);
      expect(onNewStream).toBeInstanceOf(WrongExpectedVersionError);
      expect(onNewStream).toMatchObject({ expectedVersion: 1, actualVersion: 0 });

      expect(await store.readStream(streamId)).toHaveLength(2);
      expect(await readAllSinceStart()).toEqual(before);
    });

    it('appends only while the other streams a decision read are at their versions', async () => {
      const streamId = newStreamId();
      const read = newStreamId();
      await store.append(read, [newEvent(), newEvent()], 0);

      const held = await store.append(streamId, [newEvent()], 0, {
        unchanged: [
          { streamId: read, version: 2 },
          { streamId: newStreamId(), version: 0 },
        ],
      });
      expect(held.nextVersion).toBe(1);

      await store.append(read, [newEvent()], 2);
      const before = await readAllSinceStart();
      const failure = await store
        .append(streamId, [newEvent()], 1, { unchanged: [{ streamId: read, version: 2 }] })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WrongExpectedVersionError);
      expect(failure).toMatchObject({ streamId: read, expectedVersion: 2, actualVersion: 3 });
      expect(await store.readStream(streamId)).toHaveLength(1);
      expect(await readAllSinceStart()).toEqual(before);
    });

    it("appends at 'any' whatever the stream holds", async () => {
      const streamId = newStreamId();

      const first = await store.append(streamId, [newEvent()], 'any');
      const second = await store.append(streamId, [newEvent(), newEvent()], 'any');

      expect(first.nextVersion).toBe(1);
      expect(second.nextVersion).toBe(3);
      expect((await store.readStream(streamId)).map((event) => event.revision)).toEqual([0, 1, 2]);
    });

    it('reads a stream from a revision on: only what came after a version already held', async () => {
      const streamId = newStreamId();
      await store.append(streamId, [newEvent(), newEvent()], 0);
      await store.append(streamId, [newEvent()], 2);
      const whole = await store.readStream(streamId);

      expect(await store.readStream(streamId, { fromRevision: 0 })).toEqual(whole);
      expect(await store.readStream(streamId, { fromRevision: 1 })).toEqual(whole.slice(1));
      expect(await store.readStream(streamId, { fromRevision: 2 })).toEqual(whole.slice(2));
      expect(await store.readStream(streamId, { fromRevision: 3 })).toEqual([]);
      expect(await store.readStream(streamId, { fromRevision: 50 })).toEqual([]);
      expect(await store.readStream(newStreamId(), { fromRevision: 2 })).toEqual([]);
      for (const fromRevision of [-1, 1.5, Number.NaN]) {
        await expect(store.readStream(streamId, { fromRevision })).rejects.toBeInstanceOf(
          RangeError,
        );
      }
    });

    it('records a multi-event command entirely or not at all (its commandId recorded elsewhere)', async () => {
      const [elsewhere] = newCommand(1);
      const first = await store.append(newStreamId(), [elsewhere!], 0);
      const before = await readAllSinceStart();
      const streamId = newStreamId();
      const batch = newCommand(3, { commandId: elsewhere!.metadata.commandId });

      const failure = await store.append(streamId, batch, 0).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(CommandIdTakenError);
      expect(failure).toBeInstanceOf(DuplicateEventIdError);
      expect(failure).toMatchObject({
        commandId: elsewhere!.metadata.commandId,
        recorded: first.events,
      });
      expect(await store.readStream(streamId)).toEqual([]);
      expect(await readAllSinceStart()).toEqual(before);
      // The failed append took no revision either.
      const next = await store.append(streamId, newCommand(1), 0);
      expect(next.events[0]!.revision).toBe(0);
    });

    it('records a multi-event append entirely or not at all (an id from its own stream)', async () => {
      const streamId = newStreamId();
      const recorded = newEvent();
      await store.append(streamId, [recorded], 0);
      const before = await readAllSinceStart();
      const batch = [newEvent(), Object.assign({}, newEvent(), { id: recorded.id }), newEvent()];

      // At 'any': at a matching version EventStoreDB would not compare ids with the stream.
      const failure = await store.append(streamId, batch, 'any').catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(DuplicateEventIdError);
      expect(failure).toMatchObject({ eventId: recorded.id });
      expect(await store.readStream(streamId)).toHaveLength(1);
      expect(await readAllSinceStart()).toEqual(before);
      const next = await store.append(streamId, [newEvent()], 1);
      expect(next.events[0]!.revision).toBe(1);
    });

    it('returns the first recording when the same events are appended again', async () => {
      const streamId = newStreamId();
      const batch = [newEvent(), newEvent()];
      const first = await store.append(streamId, batch, 0);
      await store.append(streamId, [newEvent()], 2);
      const before = await readAllSinceStart();

      const again = await store.append(streamId, batch, 0);
      const againAny = await store.append(streamId, batch, 'any');

      for (const repeat of [again, againAny]) {
        expect(repeat.repeated).toBe(true);
        expect(repeat.nextVersion).toBe(2);
        expect(repeat.events).toEqual(first.events);
      }
      expect(await readAllSinceStart()).toEqual(before);
      expect(await store.readStream(streamId)).toHaveLength(3);
    });

    it('reads what a commandId recorded, in order, and nothing for one never used', async () => {
      const command = newCommand(2);
      const first = await store.append(newStreamId(), command, 0);
      await store.append(newStreamId(), newCommand(1), 0);

      expect(await store.readCommand(command[0]!.metadata.commandId)).toEqual(first.events);
      expect(await store.readCommand(randomUUID())).toEqual([]);
    });

    it('refuses a command already recorded in another stream, naming what it recorded', async () => {
      const command = newCommand(2);
      const first = await store.append(newStreamId(), command, 0);
      const before = await readAllSinceStart();
      const otherStream = newStreamId();

      for (const expectedVersion of [0, 'any'] as const) {
        const failure = await store
          .append(otherStream, command, expectedVersion)
          .catch((error: unknown) => error);

        expect(failure).toBeInstanceOf(CommandIdTakenError);
        expect(failure).toMatchObject({
          commandId: command[0]!.metadata.commandId,
          recorded: first.events,
        });
      }
      expect(await store.readStream(otherStream)).toEqual([]);
      expect(await readAllSinceStart()).toEqual(before);
    });

    it('refuses other events under a commandId already used, in its own stream too', async () => {
      const streamId = newStreamId();
      const [recorded] = newCommand(1);
      await store.append(streamId, [recorded!], 0);
      const before = await readAllSinceStart();
      const commandId = recorded!.metadata.commandId;

      for (const [target, expectedVersion] of [
        [streamId, 1],
        [newStreamId(), 0],
      ] as const) {
        const failure = await store
          .append(target, newCommand(1, { commandId }), expectedVersion)
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(CommandIdTakenError);
        expect(failure).toMatchObject({ commandId });
      }
      expect(await readAllSinceStart()).toEqual(before);
    });

    it('lets one of 10 concurrent appends of one commandId to different streams record', async () => {
      const commandId = randomUUID();
      const streams = Array.from({ length: 10 }, () => newStreamId());

      const outcomes = await Promise.allSettled(
        streams.map((streamId) => store.append(streamId, newCommand(2, { commandId }), 0)),
      );

      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(CommandIdTakenError);
        }
      }
      const log = await readAllSinceStart();
      expect(log.filter((event) => event.metadata.commandId === commandId)).toHaveLength(2);
    });

    it('refuses a repeat that adds an event to the ones recorded', async () => {
      const streamId = newStreamId();
      const batch = [newEvent(), newEvent()];
      await store.append(streamId, batch, 0);

      await expect(store.append(streamId, [...batch, newEvent()], 'any')).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      expect(await store.readStream(streamId)).toHaveLength(2);
    });

    it('orders every stream in one global log in commit order', async () => {
      const [a, b, c] = [newStreamId(), newStreamId(), newStreamId()];
      const appended: RecordedEvent[] = [];
      for (const [streamId, count] of [
        [a, 2],
        [b, 1],
        [a, 1],
        [c, 3],
        [b, 2],
      ] as const) {
        const batch = Array.from({ length: count }, () => newEvent());
        appended.push(...(await store.append(streamId, batch, 'any')).events);
      }

      const log = await readAllSinceStart();

      expect(log.map((event) => event.id)).toEqual(appended.map((event) => event.id));
      expect(log).toEqual(appended);
      expect(new Set(log.map((event) => event.position)).size).toBe(log.length);
      for (let index = 1; index < log.length; index++) {
        expect(log[index]!.recordedAt.getTime()).toBeGreaterThanOrEqual(
          log[index - 1]!.recordedAt.getTime(),
        );
      }
    });

    it('pages through the log with after = the last position seen', async () => {
      const streams = [newStreamId(), newStreamId()];
      const appended: string[] = [];
      for (let index = 0; index < 7; index++) {
        const event = newEvent();
        await store.append(streams[index % 2]!, [event], 'any');
        appended.push(event.id);
      }

      const pages: (readonly RecordedEvent[])[] = [];
      let after = head;
      for (;;) {
        const page = await store.readAll({ after, limit: 3 });
        pages.push(page);
        if (page.length === 0) break;
        after = page[page.length - 1]!.position;
      }

      expect(pages.map((page) => page.length)).toEqual([3, 3, 1, 0]);
      expect(pages.flat().map((event) => event.id)).toEqual(appended);
      await expect(store.readAll({ after: after!, limit: 3 })).resolves.toEqual([]);
    });

    it('refuses to read after a position it did not issue', async () => {
      await store.append(newStreamId(), [newEvent()], 0);

      await expect(store.readAll({ after: 'not-a-position', limit: 10 })).rejects.toBeInstanceOf(
        InvalidPositionError,
      );
    });

    it('records an absent effectiveAt as the recording moment', async () => {
      const result = await store.append(newStreamId(), [newEvent(), newEvent()], 0);

      for (const event of result.events) {
        expect(event.effectiveAt.getTime()).toBe(event.recordedAt.getTime());
      }
      const [first, second] = result.events.map((event) => event.recordedAt.getTime());
      if (capabilities.oneRecordedAtPerAppend) {
        expect(second).toBe(first);
      } else {
        expect(second).toBeGreaterThanOrEqual(first!);
      }
    });

    it('keeps a past effectiveAt to the millisecond', async () => {
      const streamId = newStreamId();
      const effectiveAt = new Date('2024-01-02T03:04:05.678Z');

      await store.append(streamId, [newEvent({ effectiveAt })], 0);
      const [event] = await store.readStream(streamId);

      expect(event!.effectiveAt.toISOString()).toBe('2024-01-02T03:04:05.678Z');
      expect(event!.recordedAt.getTime()).toBeGreaterThan(effectiveAt.getTime());
    });

    it('calls a commit listener once the events can be read from the log', async () => {
      const event = newEvent();
      // Each call is a wake-up to read the log (one may come without a commit, e.g. when a
      // subscription starts): the listener reads on each until it sees the commit.
      const seen = new Promise<readonly RecordedEvent[]>((resolve, reject) => {
        const unsubscribe = store.onCommit(() => {
          readAllAfter(store, head).then((log) => {
            if (!log.some((recorded) => recorded.id === event.id)) return;
            unsubscribe();
            resolve(log);
          }, reject);
        });
      });

      await store.append(newStreamId(), [event], 0);

      expect((await seen).map((recorded) => recorded.id)).toContain(event.id);
    });

    it('stops calling a listener once unsubscribed', async () => {
      let unsubscribedCalls = 0;
      const unsubscribe = store.onCommit(() => {
        unsubscribedCalls++;
      });
      unsubscribe();
      // A listener that stays subscribed tells when the commit has been announced.
      const announced = new Promise<void>((resolve) => {
        const stop = store.onCommit(() => {
          stop();
          resolve();
        });
      });

      await store.append(newStreamId(), [newEvent()], 0);
      await announced;

      expect(unsubscribedCalls).toBe(0);
    });

    it('lets exactly one of 20 concurrent appends at version 0 win', async () => {
      const streamId = newStreamId();

      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.append(streamId, [newEvent()], 0)),
      );

      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const failure of lost) expect(failure).toBeInstanceOf(WrongExpectedVersionError);
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it("gives concurrent 'any' appends to one stream contiguous revisions", async () => {
      const streamId = newStreamId();

      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.append(streamId, [newEvent(), newEvent()], 'any')),
      );

      const read = await store.readStream(streamId);
      expect(read.map((event) => event.revision)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      for (const result of results) {
        const [first, second] = result.events;
        expect(second!.revision).toBe(first!.revision + 1);
        expect(result.nextVersion).toBe(second!.revision + 1);
      }
    });

    describe('importing recorded events', () => {
      const importInto = (target: EventStore, events: readonly RecordedEvent[]) => {
        if (target.importRecorded === undefined) throw new Error('the adapter imports nothing');
        return target.importRecorded(events);
      };

      where(capabilities.importsRecorded)(
        'keeps ids, streams, revisions, both times, metadata and the order given',
        async () => {
          const [a, b] = [newStreamId(), newStreamId()];
          const imported = [
            recorded(a, 0, '2021-03-01T08:00:00.001Z', '2021-02-27T12:00:00.000Z'),
            recorded(b, 0, '2021-03-01T08:00:00.001Z', '2021-03-01T08:00:00.001Z'),
            recorded(a, 1, '2021-03-02T09:30:00.250Z', '2021-03-02T09:00:00.000Z', {
              schemaVersion: 2,
              metadata: Object.assign({}, newEvent().metadata, { actor: 'auditor-7' }),
            }),
          ];

          await importInto(store, imported);

          const log = await readAllSinceStart();
          expect(log.map(withoutPosition)).toEqual(imported.map(withoutPosition));
          expect((await store.readStream(a)).map(withoutPosition)).toEqual(
            [imported[0]!, imported[2]!].map(withoutPosition),
          );
          expect(new Set(log.map((event) => event.position)).size).toBe(3);
        },
      );

      where(capabilities.importsRecorded)(
        'lets the stream go on from the imported revisions',
        async () => {
          const streamId = newStreamId();
          await importInto(store, [
            recorded(streamId, 0, '2022-06-01T10:00:00.000Z', '2022-06-01T10:00:00.000Z'),
          ]);

          const next = await store.append(streamId, [newEvent()], 1);

          expect(next.events[0]!.revision).toBe(1);
          expect(next.events[0]!.recordedAt.getTime()).toBeGreaterThan(
            Date.parse('2022-06-01T10:00:00.000Z'),
          );
          await expect(store.readStream(streamId)).resolves.toHaveLength(2);
        },
      );

      where(capabilities.importsRecorded)(
        'refuses an event whose revision is taken or not next, recording nothing of it',
        async () => {
          const streamId = newStreamId();
          await store.append(streamId, [newEvent()], 0);
          const before = await readAllSinceStart();

          for (const revision of [0, 2]) {
            const failure = await importInto(store, [
              recorded(streamId, revision, '2023-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z'),
            ]).catch((error: unknown) => error);
            expect(failure).toBeInstanceOf(WrongExpectedVersionError);
            expect(failure).toMatchObject({
              streamId,
              expectedVersion: revision,
              actualVersion: 1,
            });
          }
          expect(await readAllSinceStart()).toEqual(before);
        },
      );
    });

    it('refuses every call once closed, and closes twice without complaint', async () => {
      const streamId = newStreamId();
      await store.append(streamId, [newEvent()], 0);

      await store.close();
      await store.close();

      await expect(store.append(streamId, [newEvent()], 'any')).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      await expect(store.readStream(streamId)).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readAll({ limit: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });
  });
}

/** The events one command records: one commandId (and digest) for all of them. */
function newCommand(count: number, { commandId = randomUUID() as string } = {}): EventToAppend[] {
  return Array.from({ length: count }, () => {
    const event = newEvent();
    return Object.assign({}, event, {
      metadata: Object.assign({}, event.metadata, {
        commandId,
        correlationId: commandId,
        causationId: commandId,
      }),
    });
  });
}

function newStreamId(): string {
  return `contract-${randomUUID()}`;
}

/** An event as another store recorded it, to be imported. */
function recorded(
  streamId: string,
  revision: number,
  recordedAt: string,
  effectiveAt: string,
  overrides: Partial<RecordedEvent> = {},
): RecordedEvent {
  const { id, type, data, metadata, schemaVersion } = newEvent();
  return {
    id,
    streamId,
    revision,
    position: `elsewhere-${randomUUID()}`,
    type,
    data,
    effectiveAt: new Date(effectiveAt),
    recordedAt: new Date(recordedAt),
    metadata,
    schemaVersion,
    ...overrides,
  };
}

function withoutPosition({ position: _position, ...event }: RecordedEvent): Partial<RecordedEvent> {
  return event;
}

/** Event ids are UUIDs because EventStoreDB accepts nothing else. */
function newEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { name: 'Wijkteam Noord' },
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

const PAGE = 500;

async function headOf(store: EventStore): Promise<string | undefined> {
  const log = await readAllAfter(store, undefined);
  return log[log.length - 1]?.position;
}

async function readAllAfter(
  store: EventStore,
  after: string | undefined,
): Promise<readonly RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, limit: PAGE });
    if (page.length === 0) return events;
    events.push(...page);
    position = page[page.length - 1]!.position;
  }
}
