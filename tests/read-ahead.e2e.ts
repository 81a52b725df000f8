/**
 * The SQLite store's read-ahead (libs/event-store/src/sqlite/read-ahead.ts) as built: its
 * worker thread runs only from the compiled files, so this suite loads the store from dist
 * (built by the global setup) and compares every page with a store that reads directly.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { NetworkSimulation } from '../apps/generate/src/simulation';
import type { EventToAppend, RecordedEvent } from '@partnerships/event-store/event-store';
import type { LogPage } from '@partnerships/event-store/log-page';
import type { SqliteEventStore as Store } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';

// The built module, not the sources jest would load: only it has its worker beside it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SqliteEventStore } = require(
  join(__dirname, '..', 'dist', 'libs', 'event-store', 'src', 'sqlite', 'sqlite-event-store.js'),
) as { SqliteEventStore: typeof Store };

const PAGE = 1_000;

/** A full collection, through the flag set at run time (the suite's process has no --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function event(name: string): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { name, notes: ['a', { nested: 'é' }] },
    metadata: {
      actor: 'alice',
      commandId,
      correlationId: commandId,
      causationId: randomUUID(),
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}

async function appendEvents(store: Store, count: number, from = 0): Promise<void> {
  for (let index = from; index < from + count; index += 50) {
    const batch = Array.from({ length: Math.min(50, from + count - index) }, (_, offset) =>
      // Names with the separator the page text uses, quotes and other scripts.
      event(`organisation ${index + offset} \u001f "quoted" 名前`),
    );
    await store.append(`organization-org-${index}`, batch, 0);
  }
}

async function readLog(store: Store): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
    after = page.at(-1)!.position;
  }
}

describe('the SQLite read-ahead', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-ahead-'));
    file = join(dir, 'events.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every page exactly as a direct read does', async () => {
    const writer = SqliteEventStore.open(file);
    await appendEvents(writer, 5_500);
    const ahead = SqliteEventStore.open(file);
    const direct = SqliteEventStore.open(file, { readAhead: false });
    try {
      const [read, readDirectly] = [await readLog(ahead), await readLog(direct)];
      expect(read).toEqual(readDirectly);
      // The same properties in the same order, to a spread and to JSON, as the plain events
      // a direct read makes (data and metadata are parsed when read).
      const asText = (events: RecordedEvent[]) =>
        events.map((event) => `${Object.keys(event).join()} ${JSON.stringify({ ...event })}`);
      expect(asText(read)).toEqual(asText(readDirectly));
      // Pages 2-5 came from the worker; the last, short one was read directly.
      expect(ahead.pagesReadAheadSoFar()).toBe(4);
      expect(direct.pagesReadAheadSoFar()).toBe(0);
    } finally {
      await Promise.all([writer.close(), ahead.close(), direct.close()]);
    }
  });

  it('gives every page by rows as its events, the pages read ahead sharing one table of names', async () => {
    const writer = SqliteEventStore.open(file);
    // Ids of every form: lowercase UUIDs (kept as bytes), others as they are.
    const idOf = (index: number): string =>
      index % 7 === 0
        ? `event-${index}`
        : index % 11 === 0
          ? randomUUID().toUpperCase()
          : randomUUID();
    for (let index = 0; index < 3_500; index += 50) {
      const batch = Array.from({ length: 50 }, (_, offset) => ({
        ...event(`organisation ${index + offset}`),
        id: idOf(index + offset),
      }));
      await writer.append(`organization-org-${index}`, batch, 0);
    }
    const ahead = SqliteEventStore.open(file);
    const direct = SqliteEventStore.open(file, { readAhead: false });
    try {
      const events = await readLog(direct);
      const pages: LogPage[] = [];
      for (let after: string | undefined; ;) {
        const page = await ahead.readPage({ after, limit: PAGE });
        pages.push(page);
        if (page.length < PAGE) break;
        after = String(page.position(PAGE - 1));
      }
      const rows = pages.flatMap((page) =>
        Array.from({ length: page.length }, (_, row) => ({
          id: page.id(row),
          streamId: page.streamId(row),
          streamName: page.names[page.streamRef(row)],
          revision: page.revision(row),
          position: String(page.position(row)),
          type: page.type(row),
          typeName: page.names[page.typeRef(row)],
          data: page.data(row),
          effectiveAt: page.effectiveAt(row),
          recordedAt: page.recordedAt(row),
          schemaVersion: page.schemaVersion(row),
          event: page.event(row),
        })),
      );
      expect(rows).toEqual(
        events.map((event) => ({
          id: event.id,
          streamId: event.streamId,
          streamName: event.streamId,
          revision: event.revision,
          position: event.position,
          type: event.type,
          typeName: event.type,
          data: event.data,
          effectiveAt: event.effectiveAt.getTime(),
          recordedAt: event.recordedAt.getTime(),
          schemaVersion: event.schemaVersion,
          event,
        })),
      );
      const others = events.filter((event) => !/^[0-9a-f-]{36}$/.test(event.id));
      expect(others.length).toBeGreaterThan(700);
      // Pages 2 and 3 came from the worker with the same table; the first was read directly.
      expect(ahead.pagesReadAheadSoFar()).toBe(2);
      // The read model keeps the same ids from the rows as from the events.
      const fromRows = new NetworkProjection();
      for (const page of pages)
        for (let row = 0; row < page.length; row++) fromRows.applyRow(page, row);
      const fromEvents = new NetworkProjection();
      for (const event of events) fromEvents.apply(event);
      expect(fromRows.exportState()).toEqual(fromEvents.exportState());
      expect(fromRows.eventIdAt(1_001)).toBe(events[1_001]!.id);
      expect(fromRows.indexOfEventId(events[2_002]!.id)).toBe(2_002);
      expect(pages[2]!.names).toBe(pages[1]!.names);
      expect(pages[1]!.names).not.toBe(pages[0]!.names);
    } finally {
      await Promise.all([writer.close(), ahead.close(), direct.close()]);
    }
  });

  it('rebuilds the read model from pages read ahead as from the events read directly', async () => {
    const simulation = new NetworkSimulation({
      events: 12_000,
      seed: 7,
      start: new Date('2016-01-01T00:00:00Z'),
      years: 10,
    });
    const writer = SqliteEventStore.open(file);
    for (const batch of simulation.batches(1_000)) await writer.importRecorded(batch);
    await writer.close();
    const ahead = SqliteEventStore.open(file);
    const direct = SqliteEventStore.open(file, { readAhead: false });
    try {
      const fromPages = new NetworkProjection();
      const follower = new LogFollower(ahead, fromPages, PAGE);
      await follower.start();
      follower.stop();
      const fromEvents = new NetworkProjection();
      for (const event of await readLog(direct)) fromEvents.apply(event);
      expect(ahead.pagesReadAheadSoFar()).toBe(11);
      expect(fromPages.length).toBe(12_000);
      expect(fromPages.exportState()).toEqual(fromEvents.exportState());
    } finally {
      await Promise.all([ahead.close(), direct.close()]);
    }
  });

  it('reads a page again when the worker found it short and commits came since', async () => {
    const writer = SqliteEventStore.open(file);
    await appendEvents(writer, 1_500);
    const ahead = SqliteEventStore.open(file);
    try {
      const first = await ahead.readAll({ limit: PAGE });
      // The worker reads the 500 events after the first page meanwhile; 600 more follow.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await appendEvents(writer, 600, 1_500);
      const second = await ahead.readAll({ after: first.at(-1)!.position, limit: PAGE });
      expect(second).toHaveLength(PAGE);
      expect(second.at(-1)!.data).toMatchObject({
        name: expect.stringMatching(/^organisation 1999 /),
      });
      expect(ahead.pagesReadAheadSoFar()).toBe(0);
    } finally {
      await Promise.all([writer.close(), ahead.close()]);
    }
  });

  it('fails on a damaged event as a direct read does', async () => {
    const writer = SqliteEventStore.open(file);
    await appendEvents(writer, 3_000);
    await writer.close();
    // An event's data that is not JSON, holding the page text's separator.
    const db = new Database(file);
    db.prepare(`UPDATE events SET data = ? WHERE position = 1500`).run('{"name":"x"\u001f}');
    db.close();
    const ahead = SqliteEventStore.open(file);
    const direct = SqliteEventStore.open(file, { readAhead: false });
    try {
      const failure = (store: Store) => readLog(store).then(() => 'read', String);
      expect(await failure(ahead)).toBe(await failure(direct));
      expect(await failure(direct)).toMatch(/JSON/);
    } finally {
      await Promise.all([ahead.close(), direct.close()]);
    }
  });

  it('keeps no page alive through the values the reader keeps', async () => {
    // Pages of about 8 MB of text; a name kept from every event of each page. Were a name a
    // view into its page's text, the five pages read ahead would stay alive (about 40 MB).
    const writer = SqliteEventStore.open(file);
    const padded = (index: number): EventToAppend => ({
      ...event(`organisation ${index} with a name long enough to be sliced`),
      data: {
        name: `organisation ${index} with a name long enough to be sliced`,
        padding: 'x'.repeat(8_000),
      },
    });
    for (let index = 0; index < 6_000; index += 100) {
      const batch = Array.from({ length: 100 }, (_, offset) => padded(index + offset));
      await writer.append(`organization-org-${index}`, batch, 0);
    }
    await writer.close();
    const ahead = SqliteEventStore.open(file);
    try {
      const kept: unknown[] = [];
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      let after: string | undefined;
      for (;;) {
        const page = await ahead.readAll({ after, limit: PAGE });
        for (const read of page) kept.push(read.data.name);
        if (page.length < PAGE) break;
        after = page.at(-1)!.position;
      }
      collectGarbage();
      const grown = process.memoryUsage().heapUsed - before;
      expect(kept).toHaveLength(6_000);
      expect(ahead.pagesReadAheadSoFar()).toBe(5);
      expect(grown).toBeLessThan(16 * 2 ** 20);
    } finally {
      await ahead.close();
    }
  });

  it('closes while a page is being read ahead', async () => {
    const writer = SqliteEventStore.open(file);
    await appendEvents(writer, 2_500);
    await writer.close();
    const ahead = SqliteEventStore.open(file);
    await ahead.readAll({ limit: PAGE });
    await ahead.close();
    await expect(ahead.readAll({ limit: PAGE })).rejects.toThrow('closed');
  });
});
