import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventLeafText } from '@partnerships/audit/leaf';
import { leafHashLatin1OfText, toHex } from '@partnerships/audit/hashes';
import { LogChecks } from '@partnerships/audit/log-checks';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { NetworkSimulation } from '../../generate/src/simulation';
import {
  ROWS_PER_PAGE,
  RowReader,
  SqliteLogRows,
  eventOfRow,
  isPlainRow,
  pageFingerprint,
} from './sqlite-log-rows';

interface Reading {
  readonly leaves: string[];
  readonly root: string;
  readonly results: ReturnType<LogChecks['results']>;
  readonly streams: number;
}

/** The log as verify read it before: through the port, one RecordedEvent per event. */
async function readThroughPort(file: string): Promise<Reading> {
  const store = SqliteEventStore.open(file);
  const leaves: string[] = [];
  const checks = new LogChecks();
  const tree = new MerkleTree();
  try {
    let after: string | undefined;
    for (;;) {
      const page = await store.readAll({ after, limit: 1000 });
      if (page.length === 0) break;
      for (const event of page) {
        const leaf = eventLeafText(event);
        leaves.push(leaf);
        tree.appendLatin1(leafHashLatin1OfText(leaf));
        checks.add(event);
      }
      after = page[page.length - 1].position;
    }
  } finally {
    await store.close();
  }
  return {
    leaves,
    root: toHex(tree.root()),
    results: checks.results(),
    streams: checks.streamCount,
  };
}

/** The log as verify reads it now on SQLite: rows. */
function readAsRows(file: string): Reading {
  const rows = SqliteLogRows.open(file);
  const reader = new RowReader();
  const leaves: string[] = [];
  const checks = new LogChecks();
  const tree = new MerkleTree();
  try {
    for (const page of rows.pages(rows.extent())) {
      for (const row of page) {
        if (isPlainRow(row)) {
          const event = reader.read(row);
          const leaf = reader.leafText();
          leaves.push(leaf);
          tree.appendLatin1(reader.leafHash());
          expect(reader.leafHash()).toBe(leafHashLatin1OfText(leaf));
          checks.check(event);
        } else {
          const event = eventOfRow(row);
          const leaf = eventLeafText(event);
          leaves.push(leaf);
          tree.appendLatin1(leafHashLatin1OfText(leaf));
          checks.add(event);
        }
      }
    }
  } finally {
    rows.close();
  }
  return {
    leaves,
    root: toHex(tree.root()),
    results: checks.results(),
    streams: checks.streamCount,
  };
}

describe('the SQLite log read as rows (audit verify)', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'audit-rows-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  async function generated(events: number): Promise<string> {
    const file = join(directory, 'log.db');
    const store = SqliteEventStore.open(file);
    const simulation = new NetworkSimulation({
      events,
      seed: 3,
      start: new Date('2016-01-01T00:00:00Z'),
      years: 10,
    });
    for (const batch of simulation.batches(1_000)) await store.importRecorded!(batch);
    await store.close();
    return file;
  }

  it('gives the leaves, root and check results the port gives, over several pages', async () => {
    const file = await generated(2 * ROWS_PER_PAGE + 123);
    const port = await readThroughPort(file);
    const rows = readAsRows(file);
    expect(rows.leaves).toHaveLength(2 * ROWS_PER_PAGE + 123);
    expect(rows.leaves).toEqual(port.leaves);
    expect(rows.root).toBe(port.root);
    expect(rows.results).toEqual(port.results);
    expect(rows.results.every((result) => result.ok)).toBe(true);
    expect(rows.streams).toBe(port.streams);
  });

  it('names the same broken checks as the port on a tampered log', async () => {
    const file = await generated(3_000);
    const db = new Database(file);
    // A revision moved, an event removed, a time moved back, data made invalid.
    db.prepare('UPDATE events SET revision = revision + 100000 WHERE position = 700').run();
    db.prepare('DELETE FROM events WHERE position = 900').run();
    db.prepare('UPDATE events SET effective_at = 0 WHERE position = 1500').run();
    db.prepare(`UPDATE events SET data = '{"x":1}' WHERE position = 2000`).run();
    db.close();
    const port = await readThroughPort(file);
    const rows = readAsRows(file);
    expect(rows.leaves).toEqual(port.leaves);
    expect(rows.root).toBe(port.root);
    expect(rows.results).toEqual(port.results);
    expect(rows.results.filter((result) => !result.ok).map((result) => result.name)).toEqual(
      expect.arrayContaining(['revisions', 'times', 'data', 'replay']),
    );
  });

  it('reads rows the STRICT table would refuse as the port reads them', async () => {
    // A file whose table was rewritten without STRICT: the port still opens it.
    const file = join(directory, 'loose.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, stream_id TEXT, revision,
      type TEXT, data, effective_at, recorded_at, metadata, schema_version)`);
    db.exec(`CREATE INDEX events_by_command ON events (json_extract(metadata, '$.commandId'))`);
    db.pragma('user_version = 2');
    const insert = db.prepare(
      'INSERT INTO events (id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const metadata = (actor: unknown, commandId: unknown) =>
      JSON.stringify({
        actor,
        commandId,
        correlationId: 'c',
        causationId: 'c',
        commandDigest: 'd',
      });
    const data = '{"organizationId":"o-1","name":"Ö \\ud800 \\"q\\"","b":[2,{"z":1,"a":null}]}';
    insert.run(
      'e1',
      'organization-o-1',
      0,
      'OrganizationRegistered',
      data,
      1000,
      2000,
      metadata('a', 'c1'),
      1,
    );
    insert.run(
      'e2',
      'organization-o-1',
      '1',
      'CapabilityAssessed',
      data,
      1000.5,
      2000,
      metadata(null, 'c2'),
      1,
    );
    insert.run(
      'e3',
      'organization-o-1',
      2,
      'T',
      '{"b":1,"a":2}',
      '2016-01-01T00:00:00Z',
      3000,
      metadata(7, null),
      2.5,
    );
    insert.run(
      'e4',
      'organization-o-1',
      3,
      'T',
      '{"10":1,"9":2}',
      -1,
      3000,
      metadata(undefined, 'c4'),
      1,
    );
    db.close();

    const port = await readThroughPort(file);
    const rows = readAsRows(file);
    expect(rows.leaves).toHaveLength(4);
    expect(rows.leaves).toEqual(port.leaves);
    expect(rows.root).toBe(port.root);
    expect(rows.results).toEqual(port.results);
  });

  it("reads metadata's actor and commandId as JSON.parse does, in every form", async () => {
    const file = await generated(40);
    const forms = [
      '{"actor":"a","commandId":"c","correlationId":"c","causationId":"c","commandDigest":"d"}',
      '{"actor":null,"commandId":"c","correlationId":"c","causationId":"c","commandDigest":"d"}',
      '{"actor":"","commandId":"","correlationId":"","causationId":"","commandDigest":""}',
      '{"actor":"é 😀 \\"q\\"","commandId":"c\\u0041","correlationId":"c","causationId":"c","commandDigest":"d"}',
      '{"actor":"a","commandId":"c","correlationId":"c","causationId":"c","commandDigest":"d","actor":"b"}',
      '{"commandId":"c","actor":"a","correlationId":"c","causationId":"c","commandDigest":"d"}',
      '{ "actor":"a","commandId":"c","correlationId":"c","causationId":"c","commandDigest":"d"}',
      '{"actor":"a","commandId":"c","correlationId":"c","causationId":"c","commandDigest":"d"}\n',
      '{"actor":7,"commandId":["c"],"correlationId":"c","causationId":"c","commandDigest":"d"}',
      '{"commandId":"c"}',
      '{"actor":"x\\u0041","commandId":"y","correlationId":"c","causationId":"c","commandDigest":"d"}',
    ];
    const db = new Database(file);
    const update = db.prepare('UPDATE events SET metadata = ? WHERE position = ?');
    forms.forEach((form, index) => update.run(form, index + 1));
    db.close();
    const port = await readThroughPort(file);
    const rows = readAsRows(file);
    expect(rows.leaves).toEqual(port.leaves);
    expect(rows.results).toEqual(port.results);
    expect(rows.leaves[1]).toContain('"actor":null');
    expect(rows.leaves[4]).toContain('"actor":"b"');
    expect(rows.leaves[10]).toContain('"actor":"xA","commandId":"y"');
  });

  it('fingerprints pages so that a changed row shows', async () => {
    const file = await generated(500);
    const rows = SqliteLogRows.open(file);
    const before = [...rows.pages(rows.extent())].map(pageFingerprint);
    rows.close();
    const db = new Database(file);
    db.prepare(`UPDATE events SET data = data || ' ' WHERE position = 250`).run();
    db.close();
    const again = SqliteLogRows.open(file);
    const after = [...again.pages(again.extent())].map(pageFingerprint);
    again.close();
    expect(after).toHaveLength(before.length);
    expect(after).not.toEqual(before);
  });

  it('reads no further than the extent it was given', async () => {
    const file = await generated(300);
    const rows = SqliteLogRows.open(file);
    const extent = { count: 100, last: 100 };
    const read = [...rows.pages(extent)].flat();
    rows.close();
    expect(read).toHaveLength(100);
    expect(read.every((row) => isPlainRow(row))).toBe(true);
  });
});
