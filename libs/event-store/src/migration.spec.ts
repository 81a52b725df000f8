import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, EventToAppend, RecordedEvent } from './event-store';
import {
  EventField,
  MigrationConflictError,
  MigrationProgress,
  MigrationUnsupportedError,
  migrateEvents,
} from './migration';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

describe('migrateEvents, SQLite file to SQLite file', () => {
  let directory: string;
  let source: SqliteEventStore;
  let target: SqliteEventStore;
  const opened: SqliteEventStore[] = [];

  const open = (name: string): SqliteEventStore => {
    const store = SqliteEventStore.open(join(directory, name));
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'migration-'));
    source = open('source.db');
    target = open('target.db');
    await recordHistory(source);
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('copies every event with its id, stream, revision, both times and metadata, in order', async () => {
    const summary = await migrateEvents(source, target, { pageSize: 3 });

    const original = await logOf(source);
    const copy = await logOf(target);
    expect(copy.map(withoutPosition)).toEqual(original.map(withoutPosition));
    for (const streamId of new Set(original.map((event) => event.streamId))) {
      expect((await target.readStream(streamId)).map(withoutPosition)).toEqual(
        (await source.readStream(streamId)).map(withoutPosition),
      );
    }
    expect(summary).toMatchObject({
      copied: original.length,
      skipped: 0,
      total: original.length,
      complete: true,
    });
    expect(summary.seconds).toBeGreaterThanOrEqual(0);
  });

  it('keeps the times to the millisecond, however long ago they were', async () => {
    await migrateEvents(source, target);

    const [first] = await logOf(target);
    expect(first!.recordedAt.toISOString()).toBe('2019-04-01T09:00:00.123Z');
    expect(first!.effectiveAt.toISOString()).toBe('2019-03-15T00:00:00.000Z');
  });

  it('copies nothing twice when run again', async () => {
    await migrateEvents(source, target, { pageSize: 4 });
    const afterFirstRun = await logOf(target);

    const again = await migrateEvents(source, target, { pageSize: 4 });

    expect(again).toMatchObject({ copied: 0, skipped: afterFirstRun.length, complete: true });
    expect(await logOf(target)).toEqual(afterFirstRun);
  });

  it('copies only what the source recorded since the last run', async () => {
    await migrateEvents(source, target);
    const before = (await logOf(target)).length;
    const streamId = `organization-${randomUUID()}`;
    await source.append(streamId, [newEvent(), newEvent()], 0);

    const summary = await migrateEvents(source, target);

    expect(summary).toMatchObject({ copied: 2, skipped: before });
    expect((await logOf(target)).map(withoutPosition)).toEqual(
      (await logOf(source)).map(withoutPosition),
    );
  });

  it('goes on where a run that was stopped left off', async () => {
    const controller = new AbortController();
    const stopped = await migrateEvents(source, target, {
      pageSize: 2,
      onProgress: ({ copied }) => {
        if (copied >= 2) controller.abort();
      },
      signal: controller.signal,
    });
    expect(stopped).toMatchObject({ copied: 2, complete: false });

    const resumed = await migrateEvents(source, target, { pageSize: 2 });

    const original = await logOf(source);
    expect(resumed).toMatchObject({ copied: original.length - 2, skipped: 2, complete: true });
    expect((await logOf(target)).map(withoutPosition)).toEqual(original.map(withoutPosition));
  });

  it('reports progress after each page, up to the total', async () => {
    const reports: MigrationProgress[] = [];
    const total = (await logOf(source)).length;

    await migrateEvents(source, target, {
      pageSize: 4,
      onProgress: (progress) => reports.push(progress),
    });

    expect(reports[0]).toEqual({ copied: 0, skipped: 0, total });
    expect(reports[reports.length - 1]).toEqual({ copied: total, skipped: 0, total });
    const copiedCounts = reports.map((report) => report.copied);
    expect(copiedCounts).toEqual([...copiedCounts].sort((a, b) => a - b));
    expect(reports.length).toBe(1 + Math.ceil(total / 4));
  });

  it('copies an empty log as nothing', async () => {
    const empty = open('empty.db');

    await expect(migrateEvents(empty, target)).resolves.toMatchObject({
      copied: 0,
      skipped: 0,
      total: 0,
      complete: true,
    });
  });

  describe('refuses a target that holds other events, writing nothing', () => {
    const expectRefusedUnchanged = async (
      prepare: (original: readonly RecordedEvent[]) => Promise<void>,
    ): Promise<MigrationConflictError> => {
      await prepare(await logOf(source));
      const before = await logOf(target);

      const failure = await migrateEvents(source, target, { pageSize: 2 }).catch(
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(MigrationConflictError);
      expect(await logOf(target)).toEqual(before);
      return failure as MigrationConflictError;
    };

    it('an event of its own, in a stream the source does not have', async () => {
      const failure = await expectRefusedUnchanged(async () => {
        await target.append(`organization-${randomUUID()}`, [newEvent()], 0);
      });

      expect(failure.sourceEvent).toBeDefined();
    });

    it("another event at a stream's revision", async () => {
      const failure = await expectRefusedUnchanged(async (original) => {
        const first = original[0]!;
        await target.importRecorded([{ ...first, id: randomUUID() }]);
      });

      expect(failure.targetEvent.id).not.toBe(failure.sourceEvent!.id);
    });

    it.each<[EventField, (event: RecordedEvent) => RecordedEvent]>([
      ['data', (event) => ({ ...event, data: { ...event.data, name: 'Changed' } })],
      ['type', (event) => ({ ...event, type: 'OrganizationRenamed' })],
      ['stream', (event) => ({ ...event, streamId: `organization-${randomUUID()}` })],
      [
        'recordedAt',
        (event) => ({ ...event, recordedAt: new Date(event.recordedAt.getTime() + 1) }),
      ],
      ['metadata', (event) => ({ ...event, metadata: { ...event.metadata, actor: 'someone' } })],
    ])('an event with the same id and another %s', async (field, change) => {
      const failure = await expectRefusedUnchanged(async (original) => {
        await target.importRecorded([change(original[0]!)]);
      });

      expect(failure.targetEvent.id).toBe(failure.sourceEvent!.id);
      expect(failure.differingFields).toEqual([field]);
    });

    it('the same events in another order', async () => {
      await expectRefusedUnchanged(async (original) => {
        const [first, second] = original;
        expect(second!.streamId).not.toBe(first!.streamId);
        await target.importRecorded([second!, first!]);
      });
    });

    it('every event of the source and one more', async () => {
      const failure = await expectRefusedUnchanged(async () => {
        await migrateEvents(source, target);
        await target.append(`group-${randomUUID()}`, [newEvent({ type: 'GroupFounded' })], 0);
      });

      expect(failure.sourceEvent).toBeUndefined();
    });
  });

  it('refuses a target that cannot import recorded events', async () => {
    const { importRecorded: _importRecorded, ...withoutImport } = adapterMethods(target);

    await expect(migrateEvents(source, withoutImport)).rejects.toBeInstanceOf(
      MigrationUnsupportedError,
    );
    expect(await logOf(target)).toEqual([]);
  });

  it('copies from a source that cannot count its events', async () => {
    const { countAll: _countAll, ...withoutCount } = adapterMethods(source);
    const reports: MigrationProgress[] = [];

    const summary = await migrateEvents(withoutCount, target, {
      onProgress: (progress) => reports.push(progress),
    });

    expect(summary.total).toBeUndefined();
    expect(summary.copied).toBe((await logOf(source)).length);
    expect(reports.every((report) => report.total === undefined)).toBe(true);
  });
});

/**
 * A history like the application records: a backdated start imported from an older
 * store, then interleaved streams, a multi-event command and a later schema version.
 */
async function recordHistory(store: SqliteEventStore): Promise<void> {
  const organization = `organization-${randomUUID()}`;
  const group = `group-${randomUUID()}`;
  const partnership = `partnership-${randomUUID()}`;
  const old = newEvent();
  await store.importRecorded([
    {
      ...old,
      streamId: organization,
      revision: 0,
      position: 'older-store',
      effectiveAt: new Date('2019-03-15T00:00:00.000Z'),
      recordedAt: new Date('2019-04-01T09:00:00.123Z'),
      data: { organizationId: 'buurtzorg', name: 'Buurtzorg' },
    },
  ]);
  await store.append(group, [newEvent({ type: 'GroupFounded' })], 0);
  await store.append(
    organization,
    [newEvent({ type: 'CapabilityAssessed', effectiveAt: new Date('2024-01-02T03:04:05.678Z') })],
    1,
  );
  await store.append(
    group,
    [
      newEvent({ type: 'OrganizationJoinedGroup', data: { position: 'CORE', note: null } }),
      newEvent({ type: 'PositionChanged', data: { position: 'RING' }, schemaVersion: 2 }),
    ],
    1,
  );
  await store.append(partnership, [newEvent({ type: 'PartnershipFormed' })], 0);
  await store.append(group, [newEvent({ type: 'GroupDissolved', data: { reason: 'ü€𝄞' } })], 3);
  await store.append(partnership, [newEvent({ type: 'PartnershipEnded' })], 1);
}

function newEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { name: 'Wijkteam Noord', nested: { list: [1, 'two', null] } },
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

async function logOf(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events[events.length - 1]?.position, limit: 100 });
    if (page.length === 0) return events;
    events.push(...page);
  }
}

function withoutPosition({ position: _position, ...event }: RecordedEvent): Partial<RecordedEvent> {
  return event;
}

/** The store's methods as a plain object, so that a test can leave one out. */
function adapterMethods(store: SqliteEventStore): EventStore {
  return {
    append: (...args) => store.append(...args),
    readStream: (...args) => store.readStream(...args),
    readCommand: (...args) => store.readCommand(...args),
    readAll: (...args) => store.readAll(...args),
    readPage: (...args) => store.readPage(...args),
    onCommit: (...args) => store.onCommit(...args),
    close: () => store.close(),
    importRecorded: (...args) => store.importRecorded(...args),
    countAll: () => store.countAll(),
  };
}
