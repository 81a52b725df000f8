import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  EventToAppend,
  InvalidPositionError,
  RecordedEvent,
  WrongExpectedVersionError,
} from '../event-store';
import { describeEventStoreContract } from '../event-store-contract';
import { SqliteEventStore } from './sqlite-event-store';
import { ImportRow, importRowOf } from './sqlite-schema';

describeEventStoreContract('SQLite on a temporary file', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'event-store-'));
  const store = SqliteEventStore.open(join(directory, 'nested', 'events.db'));
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describeEventStoreContract('SQLite in memory', async () => {
  const store = SqliteEventStore.open(':memory:');
  return { store, dispose: () => store.close() };
});

describe('SqliteEventStore', () => {
  let directory: string;
  let file: string;
  const opened: { close(): unknown }[] = [];

  const openStore = (location = file): SqliteEventStore => {
    const store = SqliteEventStore.open(location);
    opened.push(store);
    return store;
  };
  /** A second, plain connection to the file, to look past the adapter. */
  const openRaw = (): Database.Database => {
    const db = new Database(file);
    opened.push(db);
    return db;
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'event-store-'));
    file = join(directory, 'events.db');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const store of opened.splice(0).reverse()) await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  describe('other writers', () => {
    it('tells its listeners of commits made by another connection to the same file', async () => {
      const reader = openStore();
      const writer = openStore();
      const told = new Promise<void>((resolve) => reader.onCommit(resolve));
      const { events } = await writer.append(newStreamId(), [newEvent()], 0);
      await told;
      expect((await reader.readAll({ limit: 10 })).map((event) => event.id)).toEqual([
        events[0].id,
      ]);
    });
  });

  describe('group commit', () => {
    it('commits concurrent appends together, each answered with its own outcome', async () => {
      const store = openStore();
      const streams = Array.from({ length: 50 }, () => newStreamId());
      const results = await Promise.all(
        streams.map((streamId) => store.append(streamId, [newEvent()], 0)),
      );
      expect(results.map((result) => result.nextVersion)).toEqual(streams.map(() => 1));
      const { commits, appends } = store.groupCommits();
      expect(appends).toBe(50);
      expect(commits).toBeLessThan(50);
      expect(new Set(results.map((result) => result.events[0].position)).size).toBe(50);
    });

    it('tells a group-commit observer how many appends each commit held', async () => {
      const store = openStore();
      const sizes: number[] = [];
      const stop = store.onGroupCommit((appends) => sizes.push(appends));
      await Promise.all(
        Array.from({ length: 20 }, () => store.append(newStreamId(), [newEvent()], 0)),
      );
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(20);
      expect(sizes).toHaveLength(store.groupCommits().commits);
      stop();
      await store.append(newStreamId(), [newEvent()], 0);
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(20);
    });

    it('counts the events after a position without reading them', async () => {
      const store = openStore();
      expect(await store.countAfter(undefined)).toBe(0);
      const { events } = await store.append(newStreamId(), [newEvent(), newEvent()], 0);
      await store.append(newStreamId(), [newEvent()], 0);
      expect(await store.countAfter(undefined)).toBe(3);
      expect(await store.countAfter(events[0].position)).toBe(2);
      expect(await store.countAfter(events[1].position)).toBe(1);
      await expect(store.countAfter('-1')).rejects.toBeInstanceOf(InvalidPositionError);
    });

    it('fails a conflicting append alone; the others of its group are recorded', async () => {
      const store = openStore();
      const contested = newStreamId();
      const other = newStreamId();
      const outcomes = await Promise.allSettled([
        store.append(contested, [newEvent()], 0),
        store.append(contested, [newEvent()], 0),
        store.append(other, [newEvent()], 0),
      ]);
      expect(store.groupCommits().commits).toBe(1);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const refusal = (outcomes[1] as PromiseRejectedResult).reason;
      expect(refusal).toBeInstanceOf(WrongExpectedVersionError);
      expect(refusal).toMatchObject({ expectedVersion: 0, actualVersion: 1 });
      expect(await store.readStream(contested)).toHaveLength(1);
      expect(await store.readStream(other)).toHaveLength(1);
    });

    it('acknowledges an append only once another connection can read it', async () => {
      const store = openStore();
      const raw = openRaw();
      const seenAtAcknowledgement = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const { events } = await store.append(newStreamId(), [newEvent()], 0);
          return raw.prepare('SELECT count(*) FROM events WHERE id = ?').pluck().get(events[0].id);
        }),
      );
      expect(seenAtAcknowledgement).toEqual(Array.from({ length: 10 }, () => 1));
    });

    describe('reads of the log right after its commits', () => {
      /** Every page from `after` on, `limit` at a time, as plain data. */
      const pagesFrom = async (
        store: SqliteEventStore,
        after: string | undefined,
        limit: number,
      ): Promise<unknown[]> => {
        const pages: unknown[] = [];
        for (let from = after; ;) {
          const page = await store.readAll({ after: from, limit });
          pages.push(JSON.parse(JSON.stringify(page)));
          if (page.length === 0) return pages;
          from = page[page.length - 1].position;
        }
      };

      it('gives the events of its latest commit as recorded, the same as the file has them', async () => {
        const store = openStore();
        // Opened first: opening a store writes to the file (its schema version), and a write
        // by another connection after this store's commits sends its reads to the file.
        const fromFile = openStore();
        const { events: first } = await store.append(newStreamId(), [newEvent()], 0);
        const contested = newStreamId();
        const outcomes = await Promise.allSettled([
          store.append(contested, [newEvent(), newEvent()], 0),
          store.append(contested, [newEvent()], 0),
          store.append(newStreamId(), [newEvent(), newEvent(), newEvent()], 0),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual([
          'fulfilled',
          'rejected',
          'fulfilled',
        ]);
        const recorded = outcomes.flatMap((outcome) =>
          outcome.status === 'fulfilled' ? outcome.value.events : [],
        );
        // The events of the commit, not the same rows read back: the objects the appends got.
        const page = await store.readPage({ after: first[0].position, limit: 10 });
        expect(page.length).toBe(recorded.length);
        recorded.forEach((event, row) => expect(page.event(row)).toBe(event));

        // A commit that recorded nothing (refused) leaves the latest commit the log's end.
        await expect(store.append(contested, [newEvent()], 0)).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );
        for (const after of [undefined, first[0].position, ...recorded.map((e) => e.position)]) {
          for (const limit of [1, 2, 100]) {
            expect(await pagesFrom(store, after, limit)).toEqual(
              await pagesFrom(fromFile, after, limit),
            );
          }
        }
      });

      it('reads from the file what another connection committed after its latest commit', async () => {
        const store = openStore();
        const other = openStore();
        const before = (await store.append(newStreamId(), [newEvent()], 0)).events[0];
        const { events: mine } = await store.append(newStreamId(), [newEvent(), newEvent()], 0);
        const { events: theirs } = await other.append(newStreamId(), [newEvent()], 0);
        const ids = (events: readonly RecordedEvent[]) => events.map((event) => event.id);
        expect(ids(await store.readAll({ after: before.position, limit: 10 }))).toEqual(
          ids([...mine, ...theirs]),
        );
        expect(ids(await store.readAll({ after: mine[1].position, limit: 10 }))).toEqual(
          ids(theirs),
        );
      });

      it('reads from the file what an import wrote after its latest commit', async () => {
        const store = openStore();
        const { events: mine } = await store.append(newStreamId(), [newEvent()], 0);
        const source = SqliteEventStore.open(':memory:');
        opened.push(source);
        await source.append(newStreamId(), [newEvent()], 0);
        const imported = await source.readAll({ limit: 10 });
        await store.importRecorded(imported);
        expect(
          (await store.readAll({ after: mine[0].position, limit: 10 })).map((event) => event.id),
        ).toEqual(imported.map((event) => event.id));
      });
    });

    it('commits appends still waiting when the store is closed', async () => {
      const store = SqliteEventStore.open(file);
      const pending = store.append(newStreamId(), [newEvent()], 0);
      await store.close();
      await expect(pending).resolves.toMatchObject({ nextVersion: 1 });
      expect(openRaw().prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    });
  });

  describe('durability settings', () => {
    it('runs a file in WAL mode with synchronous FULL, as SQLite reports them', () => {
      const store = openStore();

      expect(store.settings()).toEqual({
        journalMode: 'wal',
        synchronous: 2,
        busyTimeoutMs: expect.any(Number),
      });
      expect(store.settings().busyTimeoutMs).toBeGreaterThan(0);
      // WAL is a property of the file; another connection sees it too.
      expect(openRaw().pragma('journal_mode', { simple: true })).toBe('wal');
    });

    it('runs :memory: with synchronous FULL', () => {
      const store = openStore(':memory:');

      expect(store.settings()).toMatchObject({ journalMode: 'memory', synchronous: 2 });
    });

    it('creates the parent directories of a new file', async () => {
      const store = openStore(join(directory, 'a', 'b', 'events.db'));

      await store.append(newStreamId(), [newEvent()], 0);

      expect(await store.readAll({ limit: 10 })).toHaveLength(1);
    });
  });

  describe('event ids across streams', () => {
    it('refuses an id another command recorded in another stream (ids are unique in the file)', async () => {
      const store = openStore();
      const elsewhere = newEvent();
      await store.append(newStreamId(), [elsewhere], 0);
      const streamId = newStreamId();
      const batch = [newEvent(), { ...newEvent(), id: elsewhere.id }, newEvent()];

      const failure = await store.append(streamId, batch, 0).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(DuplicateEventIdError);
      expect(failure).toMatchObject({ eventId: elsewhere.id });
      expect(await store.readStream(streamId)).toEqual([]);
    });

    it('finds a commandId through its index, not by reading every row', () => {
      openStore();
      const plan = openRaw()
        .prepare(
          "EXPLAIN QUERY PLAN SELECT id FROM events WHERE json_extract(metadata, '$.commandId') = ?",
        )
        .all('x') as { detail: string }[];

      expect(plan.map((step) => step.detail).join(' ')).toContain('events_by_command');
    });
  });

  describe('opening', () => {
    it('refuses an empty location', () => {
      expect(() => openStore('')).toThrow(EventStoreUnavailableError);
    });

    it('refuses a location whose parent is a file', () => {
      writeFileSync(join(directory, 'plain'), 'not a directory');

      expect(() => openStore(join(directory, 'plain', 'events.db'))).toThrow(
        EventStoreUnavailableError,
      );
    });

    it('refuses a file that is not a SQLite database', () => {
      writeFileSync(file, 'x'.repeat(4096));

      expect(() => openStore()).toThrow(EventStoreUnavailableError);
    });

    it('refuses a file whose schema is newer than this build knows', () => {
      const raw = new Database(file);
      raw.pragma('user_version = 99');
      raw.close();

      expect(() => openStore()).toThrow(EventStoreUnavailableError);
    });

    it('records its schema version in the file', () => {
      openStore();

      expect(openRaw().pragma('user_version', { simple: true })).toBe(2);
    });
  });

  it('keeps events across close and reopen, at the same positions', async () => {
    const streamId = newStreamId();
    const first = openStore();
    await first.append(streamId, [newEvent(), newEvent()], 0);
    await first.append(
      newStreamId(),
      [newEvent({ effectiveAt: new Date('2023-05-06T07:08:09.010Z') })],
      0,
    );
    const before = await first.readAll({ limit: 100 });
    await first.close();

    const reopened = openStore();

    expect(await reopened.readAll({ limit: 100 })).toEqual(before);
    const next = await reopened.append(streamId, [newEvent()], 2);
    expect(next.events[0]!.revision).toBe(2);
    expect(Number(next.events[0]!.position)).toBeGreaterThan(
      Number(before[before.length - 1]!.position),
    );
  });

  describe('recordedAt', () => {
    it('is at least an effectiveAt given slightly ahead, and later commits do not go back', async () => {
      const store = openStore();
      const ahead = new Date(Date.now() + 120_000);

      const first = await store.append(newStreamId(), [newEvent({ effectiveAt: ahead })], 0);
      const second = await store.append(newStreamId(), [newEvent()], 0);

      expect(first.events[0]!.recordedAt.getTime()).toBe(ahead.getTime());
      expect(first.events[0]!.effectiveAt.getTime()).toBe(ahead.getTime());
      expect(second.events[0]!.recordedAt.getTime()).toBeGreaterThanOrEqual(ahead.getTime());
    });

    it('does not go back when the clock steps back, whichever connection commits', async () => {
      const store = openStore();
      const other = openStore();
      const before = (await store.append(newStreamId(), [newEvent()], 0)).events[0]!.recordedAt;

      jest.spyOn(Date, 'now').mockReturnValue(before.getTime() - 3_600_000);
      const here = await store.append(newStreamId(), [newEvent()], 0);
      const there = await other.append(newStreamId(), [newEvent()], 0);

      expect(here.events[0]!.recordedAt.getTime()).toBe(before.getTime());
      expect(there.events[0]!.recordedAt.getTime()).toBe(before.getTime());
      expect(here.events[0]!.effectiveAt.getTime()).toBe(before.getTime());
    });

    it('follows the clock when it moves forward', async () => {
      const store = openStore();
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + 1_000);

      const result = await store.append(newStreamId(), [newEvent()], 0);

      expect(result.events[0]!.recordedAt.getTime()).toBe(now + 1_000);
    });
  });

  describe('vendor errors', () => {
    it('turns an id repeated inside one append into DuplicateEventIdError', async () => {
      const store = openStore();
      const streamId = newStreamId();
      const event = newEvent();

      const failure = await store
        .append(streamId, [event, newEvent(), event], 0)
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(DuplicateEventIdError);
      expect(failure).toMatchObject({ eventId: event.id });
      expect(failure).not.toBeInstanceOf(Database.SqliteError);
      expect(await store.readAll({ limit: 10 })).toEqual([]);
    });

    it('turns a (stream, revision) taken by a writer it could not see into WrongExpectedVersionError', async () => {
      const store = openStore();
      const streamId = newStreamId();
      await store.append(streamId, [newEvent()], 0);
      // Stands in for a writer that ignores the lock: it takes the revision the adapter
      // has just checked is free, so only the UNIQUE constraint can stop the append.
      openRaw().exec(`
        CREATE TRIGGER another_writer BEFORE INSERT ON events
        WHEN NEW.stream_id = '${streamId}'
        BEGIN
          INSERT INTO events (id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version)
          VALUES ('${randomUUID()}', NEW.stream_id, NEW.revision, 'Intruder', '{}', 0, 0, '{}', 1);
        END`);

      const failure = await store
        .append(streamId, [newEvent()], 1)
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WrongExpectedVersionError);
      expect(failure).toMatchObject({ streamId, expectedVersion: 1 });
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it('turns a busy file into EventStoreUnavailableError', async () => {
      const store = SqliteEventStore.open(file, { busyTimeoutMs: 10 });
      opened.push(store);
      const raw = openRaw();
      raw.exec('BEGIN IMMEDIATE');

      await expect(store.append(newStreamId(), [newEvent()], 0)).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      raw.exec('ROLLBACK');
      await expect(store.append(newStreamId(), [newEvent()], 0)).resolves.toMatchObject({
        nextVersion: 1,
      });
    });
  });

  it('shares one log and one version check between two stores on the same file', async () => {
    const a = openStore();
    const b = openStore();
    const streamId = newStreamId();

    await a.append(streamId, [newEvent()], 0);
    const fromB = await b.append(streamId, [newEvent()], 'any');

    expect(fromB.events[0]!.revision).toBe(1);
    await expect(a.append(streamId, [newEvent()], 1)).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect((await a.readAll({ limit: 10 })).map((event) => event.id)).toEqual(
      (await b.readAll({ limit: 10 })).map((event) => event.id),
    );
  });

  describe('commit listeners', () => {
    it('keep the append and the other listeners going when one throws or rejects', async () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const store = openStore();
      let calls = 0;
      store.onCommit(() => {
        throw new Error('listener broke');
      });
      store.onCommit(async () => {
        throw new Error('async listener broke');
      });
      const lastCalled = new Promise<void>((resolve) =>
        store.onCommit(() => {
          calls++;
          resolve();
        }),
      );

      const result = await store.append(newStreamId(), [newEvent()], 0);
      await lastCalled;
      // The async listener's rejection is reported a tick later.
      await new Promise<void>((resolve) => setImmediate(resolve));

      expect(result.repeated).toBe(false);
      expect(calls).toBe(1);
      expect(warn).toHaveBeenCalledTimes(2);
    });

    it('are called after the commit: another connection already reads the events', async () => {
      const store = openStore();
      const other = openRaw();
      const event = newEvent();
      let seenByOther: unknown;
      store.onCommit(() => {
        seenByOther = other.prepare('SELECT id FROM events').pluck().all();
      });

      await store.append(newStreamId(), [event], 0);

      expect(seenByOther).toEqual([event.id]);
    });

    it('are not called for a repeat, which records nothing', async () => {
      const store = openStore();
      const streamId = newStreamId();
      const batch = [newEvent()];
      await store.append(streamId, batch, 0);
      let calls = 0;
      store.onCommit(() => {
        calls++;
      });

      const repeat = await store.append(streamId, batch, 0);

      expect(repeat.repeated).toBe(true);
      expect(calls).toBe(0);
    });

    it('cannot be registered on a closed store', async () => {
      const store = openStore();
      await store.close();

      expect(() => store.onCommit(() => undefined)).toThrow(EventStoreUnavailableError);
    });
  });

  describe('importing recorded events', () => {
    const recorded = (streamId: string, revision: number, recordedAt: string): RecordedEvent => {
      const { id, type, data, metadata, schemaVersion } = newEvent();
      return {
        id,
        streamId,
        revision,
        position: 'elsewhere',
        type,
        data,
        effectiveAt: new Date('2020-01-01T00:00:00.000Z'),
        recordedAt: new Date(recordedAt),
        metadata,
        schemaVersion,
      };
    };

    it('writes a whole call or nothing of it, across streams', async () => {
      const store = openStore();
      const [a, b] = [newStreamId(), newStreamId()];

      const failure = await store
        .importRecorded([
          recorded(a, 0, '2020-01-01T00:00:00.000Z'),
          recorded(b, 0, '2020-01-01T00:00:01.000Z'),
          recorded(a, 2, '2020-01-01T00:00:02.000Z'),
        ])
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WrongExpectedVersionError);
      expect(failure).toMatchObject({ streamId: a, expectedVersion: 2, actualVersion: 1 });
      expect(await store.readAll({ limit: 10 })).toEqual([]);
    });

    it('refuses an id already recorded, in any stream', async () => {
      const store = openStore();
      const event = newEvent();
      await store.append(newStreamId(), [event], 0);

      const failure = await store
        .importRecorded([
          { ...recorded(newStreamId(), 0, '2020-01-01T00:00:00.000Z'), id: event.id },
        ])
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(DuplicateEventIdError);
      expect(await store.readAll({ limit: 10 })).toHaveLength(1);
    });

    it('keeps recordedAt exactly, and later appends do not go back before it', async () => {
      const store = openStore();
      const streamId = newStreamId();
      const future = new Date(Date.now() + 60_000).toISOString();
      await store.importRecorded([recorded(streamId, 0, future)]);

      const next = await store.append(streamId, [newEvent()], 1);

      expect((await store.readStream(streamId))[0]!.recordedAt.toISOString()).toBe(future);
      expect(next.events[0]!.recordedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(future));
    });

    it('announces the commit to listeners', async () => {
      const store = openStore();
      const heard = jest.fn();
      store.onCommit(heard);

      await store.importRecorded([recorded(newStreamId(), 0, '2020-01-01T00:00:00.000Z')]);
      await store.importRecorded([]);

      expect(heard).toHaveBeenCalledTimes(1);
    });

    it.each<[string, Partial<RecordedEvent>]>([
      ['a negative revision', { revision: -1 }],
      ['an invalid recordedAt', { recordedAt: new Date(Number.NaN) }],
      ['an invalid effectiveAt', { effectiveAt: new Date(Number.NaN) }],
      ['a fractional schemaVersion', { schemaVersion: 1.5 }],
    ])('refuses %s', async (_case, change) => {
      const store = openStore();

      await expect(
        store.importRecorded([
          { ...recorded(newStreamId(), 0, '2020-01-01T00:00:00.000Z'), ...change },
        ]),
      ).rejects.toBeInstanceOf(RangeError);
    });

    describe('as rows made beforehand (importRows)', () => {
      it('records exactly what importRecorded records of the same events', async () => {
        const [a, b] = [newStreamId(), newStreamId()];
        const events = [
          recorded(a, 0, '2020-01-01T00:00:00.000Z'),
          recorded(b, 0, '2020-01-01T00:00:01.000Z'),
          recorded(a, 1, '2020-01-01T00:00:02.123Z'),
        ];
        const byEvents = openStore();
        const byRows = openStore(join(directory, 'rows.db'));

        await byEvents.importRecorded(events);
        await byRows.importRows(events.map(importRowOf));

        const log = await byRows.readAll({ limit: 10 });
        expect(log).toEqual(await byEvents.readAll({ limit: 10 }));
        expect(log.map(({ id }) => id)).toEqual(events.map(({ id }) => id));
      });

      it('writes a whole call or nothing of it', async () => {
        const store = openStore();
        const streamId = newStreamId();

        const failure = await store
          .importRows([
            importRowOf(recorded(streamId, 0, '2020-01-01T00:00:00.000Z')),
            importRowOf(recorded(streamId, 2, '2020-01-01T00:00:01.000Z')),
          ])
          .catch((error: unknown) => error);

        expect(failure).toMatchObject({ streamId, expectedVersion: 2, actualVersion: 1 });
        expect(await store.readAll({ limit: 10 })).toEqual([]);
      });

      it.each<[string, (row: ImportRow) => void]>([
        ['a negative revision', (row) => (row[2] = -1)],
        ['a fractional recordedAt', (row) => (row[6] = 1.5)],
        ['a fractional schemaVersion', (row) => (row[8] = 1.5)],
        ['data that is not text', (row) => ((row as unknown[])[4] = { name: 'x' })],
      ])('refuses %s, writing nothing', async (_case, change) => {
        const store = openStore();
        const row = importRowOf(recorded(newStreamId(), 0, '2020-01-01T00:00:00.000Z'));
        change(row);

        await expect(store.importRows([row])).rejects.toBeInstanceOf(RangeError);
        expect(await store.readAll({ limit: 10 })).toEqual([]);
      });
    });

    describe('as rows in pieces (importRowPieces)', () => {
      /** Rows 0..count-1 of one stream, at one second apart. */
      const rowsOf = (streamId: string, from: number, count: number): ImportRow[] =>
        Array.from({ length: count }, (_, index) =>
          importRowOf(
            recorded(
              streamId,
              from + index,
              new Date(Date.UTC(2020, 0, 1, 0, 0, from + index)).toISOString(),
            ),
          ),
        );
      /** The rows another connection sees committed. */
      const committed = (raw: Database.Database): number =>
        raw.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;

      it('records what importRows records, committing every rowsPerCommit rows and at the end', async () => {
        const streamId = newStreamId();
        const rows = rowsOf(streamId, 0, 7);
        const byPieces = openStore();
        const raw = openRaw();
        const seen: number[] = [];
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          for (let at = 0; at < rows.length; at += 2) {
            yield rows.slice(at, at + 2);
            seen.push(committed(raw));
          }
        }

        await expect(byPieces.importRowPieces(pieces(), 4)).resolves.toBe(7);

        // Inserted as they come, committed once four or more wait: after the second piece
        // (4 rows) and at the end.
        expect(seen).toEqual([0, 4, 4, 4]);
        expect(committed(raw)).toBe(7);
        const byRows = openStore(join(directory, 'rows.db'));
        await byRows.importRows(rows);
        expect(await byPieces.readAll({ limit: 10 })).toEqual(await byRows.readAll({ limit: 10 }));
      });

      it('rolls back to the last commit when a piece fails, keeping what was committed', async () => {
        const streamId = newStreamId();
        const store = openStore();
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          yield rowsOf(streamId, 0, 3); // committed: 3 rows wait
          yield rowsOf(streamId, 3, 2);
          yield rowsOf(streamId, 6, 1); // revision 5 is missing
        }

        const failure = await store.importRowPieces(pieces(), 3).catch((error: unknown) => error);

        expect(failure).toMatchObject({ streamId, expectedVersion: 6, actualVersion: 5 });
        const log = await store.readAll({ limit: 10 });
        expect(log.map(({ revision }) => revision)).toEqual([0, 1, 2]);
        // The store serves again, from where the commit left it.
        await store.importRows(rowsOf(streamId, 3, 1));
        await expect(store.countAll()).resolves.toBe(4);
      });

      it('rolls back to the last commit when the pieces themselves fail', async () => {
        const store = openStore();
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          yield rowsOf(newStreamId(), 0, 2);
          throw new Error('the simulation stopped');
        }

        await expect(store.importRowPieces(pieces(), 10)).rejects.toThrow('the simulation stopped');
        await expect(store.countAll()).resolves.toBe(0);
      });

      it('serves nothing else meanwhile, and hears of the rows at the end', async () => {
        const store = openStore();
        const told = jest.fn();
        store.onCommit(told);
        const during: unknown[] = [];
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          yield rowsOf(newStreamId(), 0, 2);
          during.push(await store.countAll().catch((error: unknown) => error));
          during.push(
            await store.append(newStreamId(), [newEvent()], 0).catch((error: unknown) => error),
          );
          expect(told).not.toHaveBeenCalled();
        }

        await store.importRowPieces(pieces(), 1);

        expect(during).toEqual([
          expect.objectContaining({ message: 'the SQLite event store is busy with an import' }),
          expect.objectContaining({ message: 'the SQLite event store is busy with an import' }),
        ]);
        expect(during[0]).toBeInstanceOf(EventStoreUnavailableError);
        expect(told).toHaveBeenCalledTimes(1);
        await expect(store.countAll()).resolves.toBe(2);
      });

      it('keeps only what was committed when the store is closed in the middle', async () => {
        const streamId = newStreamId();
        const store = openStore();
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          yield rowsOf(streamId, 0, 2); // committed
          yield rowsOf(streamId, 2, 1);
          await store.close();
          yield rowsOf(streamId, 3, 1);
        }

        await expect(store.importRowPieces(pieces(), 2)).rejects.toBeInstanceOf(
          EventStoreUnavailableError,
        );

        const reopened = openStore();
        const log = await reopened.readAll({ limit: 10 });
        expect(log.map(({ revision }) => revision)).toEqual([0, 1]);
      });

      it('with syncAtEndOnly, ends with every row in the file itself and synchronous FULL again', async () => {
        const streamId = newStreamId();
        const rows = rowsOf(streamId, 0, 5);
        const store = openStore();
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          yield rows.slice(0, 3);
          // Committed and in the log (the -wal file), not yet in the file itself.
          expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
          yield rows.slice(3);
        }

        await expect(store.importRowPieces(pieces(), 2, { syncAtEndOnly: true })).resolves.toBe(5);

        expect(statSync(`${file}-wal`).size).toBe(0);
        expect(store.settings()).toMatchObject({ journalMode: 'wal', synchronous: 2 });
        expect(committed(openRaw())).toBe(5);
      });

      it('with syncAtEndOnly, is back at synchronous FULL after a failure', async () => {
        const store = openStore();
        async function* pieces(): AsyncGenerator<ImportRow[]> {
          yield rowsOf(newStreamId(), 0, 2);
          throw new Error('the simulation stopped');
        }

        await expect(store.importRowPieces(pieces(), 1, { syncAtEndOnly: true })).rejects.toThrow(
          'the simulation stopped',
        );
        expect(store.settings()).toMatchObject({ synchronous: 2 });
        await expect(store.countAll()).resolves.toBe(2);
      });

      it.each([0, -1, 1.5])(
        'refuses %p rows per commit, reading no piece',
        async (rowsPerCommit) => {
          const store = openStore();
          const next = jest.fn();
          const pieces: AsyncIterable<ImportRow[]> = {
            [Symbol.asyncIterator]: () => ({ next }),
          };

          await expect(store.importRowPieces(pieces, rowsPerCommit)).rejects.toBeInstanceOf(
            RangeError,
          );
          expect(next).not.toHaveBeenCalled();
          await expect(store.countAll()).resolves.toBe(0);
        },
      );
    });
  });

  it('counts the events of the log', async () => {
    const store = openStore();
    await expect(store.countAll()).resolves.toBe(0);

    await store.append(newStreamId(), [newEvent(), newEvent()], 0);
    await store.append(newStreamId(), [newEvent()], 0);

    await expect(store.countAll()).resolves.toBe(3);
  });

  describe('arguments', () => {
    it.each(['-1', '1.5', '01', '', ' 1', '1e3', '0x10', '99999999999999999999'])(
      'refuses after = %j as a position it did not issue',
      async (after) => {
        const store = openStore();

        await expect(store.readAll({ after, limit: 10 })).rejects.toBeInstanceOf(
          InvalidPositionError,
        );
      },
    );

    it('reads after 0 from the beginning, and after the head as empty', async () => {
      const store = openStore();
      const [event] = (await store.append(newStreamId(), [newEvent()], 0)).events;

      expect(await store.readAll({ after: '0', limit: 10 })).toEqual([event]);
      expect(await store.readAll({ after: event!.position, limit: 10 })).toEqual([]);
    });

    it.each([0, -1, 1.5, Number.NaN])('refuses a page size of %p', async (limit) => {
      const store = openStore();

      await expect(store.readAll({ limit })).rejects.toBeInstanceOf(RangeError);
    });

    it('refuses an empty append, an invalid effectiveAt and a fractional schemaVersion', async () => {
      const store = openStore();

      await expect(store.append(newStreamId(), [], 'any')).rejects.toBeInstanceOf(RangeError);
      await expect(
        store.append(newStreamId(), [newEvent({ effectiveAt: new Date(Number.NaN) })], 'any'),
      ).rejects.toBeInstanceOf(RangeError);
      await expect(
        store.append(newStreamId(), [newEvent({ schemaVersion: 1.5 })], 'any'),
      ).rejects.toBeInstanceOf(RangeError);
      expect(await store.readAll({ limit: 10 })).toEqual([]);
    });
  });
});

function newStreamId(): string {
  return `organization-${randomUUID()}`;
}

function newEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { name: 'Buurtzorg' },
    metadata: {
      actor: 'manager-1',
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
    ...overrides,
  };
}
