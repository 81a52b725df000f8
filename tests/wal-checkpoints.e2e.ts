/**
 * The SQLite store's checkpoint thread (libs/event-store/src/sqlite/wal-checkpoints.ts) as
 * built: its worker runs only from the compiled files, so this suite loads the store from
 * dist (built by the global setup).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventToAppend } from '@partnerships/event-store/event-store';
import type { SqliteEventStore as Store } from '@partnerships/event-store/sqlite/sqlite-event-store';

// The built module, not the sources jest would load: only it has its worker beside it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SqliteEventStore } = require(
  join(__dirname, '..', 'dist', 'libs', 'event-store', 'src', 'sqlite', 'sqlite-event-store.js'),
) as { SqliteEventStore: typeof Store };

const APPENDS = 3_000;

function event(index: number): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    // About 1 KiB each: the appends fill well over SQLite's own 1,000-page threshold.
    data: { name: `organisation ${index}`, notes: 'n'.repeat(1_000) },
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}

/** Appends from many writers at once, as a loaded server's group commits take them. */
async function appendMany(store: Store): Promise<void> {
  await Promise.all(
    Array.from({ length: APPENDS }, (_, index) =>
      store.append(`organization-org-${index}`, [event(index)], 0),
    ),
  );
}

async function until<T>(read: () => T | undefined, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in 10 s: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the SQLite checkpoint thread', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpoints-'));
    file = join(dir, 'events.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies every committed frame of the log into the file, and the store closes last', async () => {
    const store = SqliteEventStore.open(file);
    await appendMany(store);
    const report = await until(
      () => store.checkpointThreadReport(),
      ({ log, checkpointed }) => log > 0 && checkpointed === log,
    );
    expect(report.log).toBeGreaterThan(0);
    await store.close();
    // The store's connection, closed after the thread's, folded the log in and removed it.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) FROM events').pluck().get()).toBe(APPENDS);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
  });

  it('leaves checkpoints to SQLite when turned off', async () => {
    const store = SqliteEventStore.open(file, { checkpointThread: false });
    await appendMany(store);
    expect(store.checkpointThreadReport()).toBeUndefined();
    await store.close();
    const reopened = SqliteEventStore.open(file);
    try {
      expect(await reopened.countAll()).toBe(APPENDS);
    } finally {
      await reopened.close();
    }
  });
});
