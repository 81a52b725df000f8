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
import { ROWS_PER_PAGE, RowReader, SqliteLogRows, eventOfRow, isPlainRow } from './sqlite-log-rows';
import { LogMerge, PartChunk, findRepeats, readPart } from './log-partition';
import { dropUniqueIds } from '../../../tests/support/sqlite-file';

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

/** The log as verify reads it with two threads: two halves, merged (here on one thread). */
function readInParts(file: string, colliding = false): Omit<Reading, 'leaves'> | 'not plain' {
  const rows = SqliteLogRows.open(file);
  try {
    const extent = rows.extent();
    const parts = ([0, 1] as const).map((part) => readPart(rows, extent, part, () => undefined));
    const [a, b] = parts;
    if (a.kind !== 'read' || b.kind !== 'read') return 'not plain';
    expect(a.count).toBeGreaterThan(0);
    expect(b.count).toBeGreaterThan(0);
    if (colliding) {
      // Every id and command hashed alike: only the exact comparison can tell them apart.
      for (const part of [a, b]) {
        part.idHashes.fill(7);
        part.commandHashes.fill(7);
      }
    }
    // Both halves whole, then the second in chunks as verify's worker sends them.
    const whole = new LogMerge(a, a.count + b.count, rows);
    whole.finish(b);
    const merged = whole.checked(findRepeats([a, b], rows));
    const merge = new LogMerge(a, rows.extent().room, rows);
    const chunks: PartChunk[] = [];
    const again = readPart(
      rows,
      rows.extent(),
      1,
      () => undefined,
      (chunk) => chunks.push(chunk),
      256,
    );
    if (again.kind !== 'read') throw new Error('read before');
    if (colliding) {
      again.idHashes.fill(7);
      again.commandHashes.fill(7);
    }
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) merge.add(chunk);
    merge.finish(again);
    const chunked = merge.checked(findRepeats([a, again], rows));
    expect(chunked.results).toEqual(merged.results);
    expect(toHex(chunked.tree.root())).toBe(toHex(merged.tree.root()));
    expect(chunked.tree.size).toBe(merged.tree.size);
    return {
      root: toHex(merged.tree.root()),
      results: merged.results,
      streams: merged.streamCount,
    };
  } finally {
    rows.close();
  }
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
    expect(readInParts(file)).toEqual({
      root: port.root,
      results: port.results,
      streams: port.streams,
    });
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
    expect(readInParts(file)).toEqual({
      root: port.root,
      results: port.results,
      streams: port.streams,
    });
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
    // In two halves, such a row sends verify back to one thread.
    expect(readInParts(file)).toBe('not plain');
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

  it('in two halves gives what the port gives, also for what only the whole log shows', async () => {
    const file = await generated(3_000);
    const db = new Database(file);
    dropUniqueIds(db);
    const streamOf = (position: number) =>
      (
        db.prepare('SELECT stream_id FROM events WHERE position = ?').get(position) as {
          stream_id: string;
        }
      ).stream_id;
    const half = (stream: string) => stream.charCodeAt(stream.length - 1) & 1;
    // Two events of the two halves, far apart: one takes the other's id, then its metadata
    // (its command).
    const first = 10;
    let other = 1200;
    while (half(streamOf(other)) === half(streamOf(first))) other++;
    db.prepare(
      'UPDATE events SET id = (SELECT id FROM events WHERE position = ?) WHERE position = ?',
    ).run(first, other);
    let command = 1300;
    while (half(streamOf(command)) === half(streamOf(first + 1))) command++;
    db.prepare(
      'UPDATE events SET metadata = (SELECT metadata FROM events WHERE position = ?) WHERE position = ?',
    ).run(first + 1, command);
    // A command of two events with an event of the other half in between.
    const pairs = db
      .prepare(
        `SELECT a.position AS position FROM events a JOIN events b
         ON b.stream_id = a.stream_id AND b.revision = a.revision + 1 AND b.position = a.position + 2
         WHERE a.position > 1500`,
      )
      .all() as { position: number }[];
    const pair = pairs.find(
      ({ position }) => half(streamOf(position + 1)) !== half(streamOf(position)),
    );
    expect(pair).toBeDefined();
    db.prepare(
      'UPDATE events SET metadata = (SELECT metadata FROM events WHERE position = ?) WHERE position = ?',
    ).run(pair!.position, pair!.position + 2);
    db.close();

    const port = await readThroughPort(file);
    const failed = port.results.filter((result) => !result.ok).map((result) => result.name);
    expect(failed).toEqual(expect.arrayContaining(['ids', 'commands']));
    const failures = (name: string) =>
      port.results.find((result) => result.name === name)!.failures;
    expect([failures('ids'), failures('commands')]).toEqual([1, 2]);
    const expected = { root: port.root, results: port.results, streams: port.streams };
    expect(readInParts(file)).toEqual(expected);
    // Equal hashes of different values fail nothing.
    expect(readInParts(file, true)).toEqual(expected);
  });

  it('reads no further than the extent it was given', async () => {
    const file = await generated(300);
    const rows = SqliteLogRows.open(file);
    const extent = { room: 100, last: 100 };
    const read = [...rows.pages(extent)].flat();
    rows.close();
    expect(read).toHaveLength(100);
    expect(read.every((row) => isPlainRow(row))).toBe(true);
  });
});
