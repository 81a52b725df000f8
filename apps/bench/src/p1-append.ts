/**
 * P1: single-event appends from concurrent writers, each to its own stream at the version
 * it knows, durable (WAL, synchronous=FULL), through the store port; against raw
 * better-sqlite3 inserting the same rows, and against Emmett's SQLite event store.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { EmmettRequest, EmmettResult, benchEvent, benchStream } from './append-payload';
import { askChild } from './child-run';
import { countEvents, removeDatabase } from './generated-files';
import { Ticker, say } from './progress';
import { FigureResult } from './figure';
import {
  Row,
  formatCount,
  formatPercent,
  formatRate,
  formatTimes,
  notMeasured,
  verdict,
} from './table';

export interface AppendOptions {
  readonly writers: number;
  readonly durationMs: number;
  /** How long Emmett's unqueued writers run: they fail fast, and may hang. */
  readonly unqueuedMs: number;
  readonly tempDir: string;
}

interface Throughput {
  readonly events: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Durable commits, where the store counts them (group commit). */
  readonly commits?: number;
}

/** Optional on the adapter: how many commits its appends took. */
interface CountsGroupCommits {
  groupCommits?(): { readonly commits: number; readonly appends: number };
}

const SYNCHRONOUS_FULL = 2;

export async function measureAppend(options: AppendOptions): Promise<FigureResult> {
  const { writers, durationMs, tempDir } = options;
  const seconds = `${durationMs / 1000} s`;
  const figure = `P1 append, ${writers} writers (events/s)`;
  const notes = [
    `P1: ${writers} writers, each appending one event at a time to its own stream at the version it knows and awaiting it, ` +
      `for ${seconds}, through \`SqliteEventStore.open(file)\` on a fresh temporary file. Raw better-sqlite3 inserts the same rows ` +
      '(same JSON, the table the store creates) in one loop, 1 or 100 rows per BEGIN IMMEDIATE transaction. ' +
      'Every figure is checked against the rows the file holds afterwards.',
  ];

  say(`P1 ours: ${writers} writers through SqliteEventStore for ${seconds}`);
  const ours = await appendThroughStore(join(tempDir, 'p1-ours.db'), writers, durationMs);
  say(`P1 ours: ${formatRate(ours.perSecond)}`);
  if (ours.commits !== undefined) {
    notes.push(
      `P1 ours: ${formatCount(ours.events)} appends in ${formatCount(ours.commits)} durable commits ` +
        `(${(ours.events / ours.commits).toFixed(1)} appends per commit, as the store's groupCommits() counts them).`,
    );
  }

  say(`P1 raw better-sqlite3, 1 row per transaction, for ${seconds}`);
  const raw1 = await appendRaw(join(tempDir, 'p1-raw-1.db'), 1, writers, durationMs);
  say(`P1 raw 1 row/tx: ${formatRate(raw1.perSecond)}`);
  say(`P1 raw better-sqlite3, 100 rows per transaction, for ${seconds}`);
  const raw100 = await appendRaw(join(tempDir, 'p1-raw-100.db'), 100, writers, durationMs);
  say(`P1 raw 100 rows/tx: ${formatRate(raw100.perSecond)}`);

  const rows: Row[] = [
    {
      figure: `${figure} vs raw better-sqlite3, 100 rows/transaction`,
      ours: formatRate(ours.perSecond),
      baseline: `raw, 100 rows/tx: ${formatRate(raw100.perSecond)}`,
      ratio: formatPercent(ours.perSecond / raw100.perSecond),
      target: '≥ 50 %',
      met: verdict(ours.perSecond / raw100.perSecond, '>=', 0.5),
    },
    {
      figure: `${figure} vs raw better-sqlite3, 1 row/transaction`,
      ours: formatRate(ours.perSecond),
      baseline: `raw, 1 row/tx: ${formatRate(raw1.perSecond)}`,
      ratio: formatPercent(ours.perSecond / raw1.perSecond),
      target: '—',
      met: '—',
    },
  ];

  const emmettFigure = `${figure} vs Emmett SQLite, one store, appends queued`;
  const emmett = emmettVersions();
  if (emmett === undefined) {
    rows.push(
      notMeasured(emmettFigure, '≥ 75×', '@event-driven-io/emmett-sqlite is not installed'),
    );
    return { rows, notes };
  }
  try {
    say(`P1 Emmett (${emmett}), ${writers} writers, appends queued, for ${seconds}`);
    const queued = await appendThroughEmmett(join(tempDir, 'p1-emmett-queued.db'), {
      writers,
      durationMs,
      mode: 'queued',
      graceMs: 30_000,
    });
    say(`P1 Emmett queued: ${formatRate(queued.perSecond)}`);
    rows.push({
      figure: emmettFigure,
      ours: formatRate(ours.perSecond),
      baseline: `Emmett: ${formatRate(queued.perSecond)}${describeFailures(queued.result)}`,
      ratio: formatTimes(ours.perSecond / queued.perSecond),
      target: '≥ 75×',
      met: verdict(ours.perSecond / queued.perSecond, '>=', 75),
    });
    notes.push(
      `P1 Emmett is ${emmett}, in a process of its own, appending the same events (data and metadata) with the expected version. ` +
        'Its store, on a file, opens a sqlite3 connection for each call and closes it after, and concurrent calls share that ' +
        "connection (see the unqueued row), so the queued run passes the writers' appends to it one at a time, in arrival order.",
      `P1 durability as SQLite reports it: ours and raw journal_mode=wal, synchronous=${SYNCHRONOUS_FULL} (FULL); ` +
        `Emmett journal_mode=${queued.result.journalMode}, synchronous=${queued.result.synchronous} (its connections' default; 2 is FULL).`,
    );
  } catch (error) {
    rows.push(notMeasured(emmettFigure, '≥ 75×', describe(error)));
  }

  const unqueuedFigure = 'P1 Emmett, one store, appends not queued (information)';
  try {
    const unqueuedSeconds = `${options.unqueuedMs / 1000} s`;
    say(`P1 Emmett, ${writers} writers, unqueued on one store, for ${unqueuedSeconds}`);
    const shared = await appendThroughEmmett(join(tempDir, 'p1-emmett-shared.db'), {
      writers,
      durationMs: options.unqueuedMs,
      mode: 'shared',
      graceMs: 5_000,
    });
    const { result } = shared;
    rows.push({
      figure: unqueuedFigure,
      ours: '—',
      baseline:
        `${formatCount(result.appended)} appends resolved, ${formatCount(result.failed)} failed${describeErrors(result.errors)}, ` +
        `${result.inFlightAtEnd} still pending ${result.seconds.toFixed(1)} s after the start; ` +
        `${formatCount(shared.committed)} events in the file once the process had ended`,
      ratio: '—',
      target: '—',
      met: '—',
    });
    notes.push(
      `P1 Emmett unqueued: the ${writers} writers call appendToStream on one store all at once, as Emmett's own benchmark does ` +
        `with Promise.all, for ${unqueuedSeconds}; a writer stops at its first failure; the process is ended ` +
        `${(options.unqueuedMs + 5_000) / 1000} s after the start at the latest, then the file is counted.`,
    );
  } catch (error) {
    rows.push(notMeasured(unqueuedFigure, '—', describe(error)));
  }
  return { rows, notes };
}

async function appendThroughStore(
  file: string,
  writers: number,
  durationMs: number,
): Promise<Throughput> {
  removeDatabase(file);
  const store = SqliteEventStore.open(file);
  let events = 0;
  let seconds: number;
  let commits: number | undefined;
  try {
    const settings = store.settings();
    if (settings.journalMode !== 'wal' || settings.synchronous !== SYNCHRONOUS_FULL) {
      throw new Error(`the store runs ${JSON.stringify(settings)}, not WAL with synchronous=FULL`);
    }
    const ticker = new Ticker('P1 ours');
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        const stream = benchStream(writer);
        let version = 0;
        while (performance.now() < deadline) {
          const result = await store.append(stream, [benchEvent(writer, version)], version);
          version = result.nextVersion;
          events++;
          ticker.tick(() => `${formatCount(events)} events`);
        }
      }),
    );
    seconds = (performance.now() - started) / 1000;
    commits = (store as CountsGroupCommits).groupCommits?.().commits;
  } finally {
    await store.close();
  }
  const recorded = countEvents(file);
  removeDatabase(file);
  if (recorded !== events) {
    throw new Error(`${events} appends resolved but the file holds ${recorded} events`);
  }
  return { events, seconds, perSecond: events / seconds, commits };
}

async function appendRaw(
  file: string,
  rowsPerTransaction: number,
  writers: number,
  durationMs: number,
): Promise<Throughput> {
  removeDatabase(file);
  // The very table the store writes: let the store create it.
  await SqliteEventStore.open(file).close();
  const db = new Database(file);
  let events = 0;
  let seconds: number;
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const journal = String(db.pragma('journal_mode', { simple: true }));
    const synchronous = Number(db.pragma('synchronous', { simple: true }));
    if (journal !== 'wal' || synchronous !== SYNCHRONOUS_FULL) {
      throw new Error(`raw SQLite runs journal_mode=${journal}, synchronous=${synchronous}`);
    }
    const insert = db.prepare(
      `INSERT INTO events (id, stream_id, revision, type, data, effective_at, recorded_at, metadata, schema_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const commit = db.transaction((rows: readonly (readonly unknown[])[]) => {
      for (const row of rows) insert.run(...row);
    });
    const revisions = new Array<number>(writers).fill(0);
    let writer = 0;
    const ticker = new Ticker(
      `P1 raw ${rowsPerTransaction} row${rowsPerTransaction > 1 ? 's' : ''}/tx`,
    );
    const started = performance.now();
    const deadline = started + durationMs;
    while (performance.now() < deadline) {
      const rows: unknown[][] = [];
      for (let i = 0; i < rowsPerTransaction; i++) {
        const revision = revisions[writer] ?? 0;
        const event = benchEvent(writer, revision);
        const now = Date.now();
        rows.push([
          event.id,
          benchStream(writer),
          revision,
          event.type,
          JSON.stringify(event.data),
          now,
          now,
          JSON.stringify(event.metadata),
          event.schemaVersion,
        ]);
        revisions[writer] = revision + 1;
        writer = (writer + 1) % writers;
      }
      commit.immediate(rows);
      events += rows.length;
      ticker.tick(() => `${formatCount(events)} events`);
    }
    seconds = (performance.now() - started) / 1000;
  } finally {
    db.close();
  }
  const recorded = countEvents(file);
  removeDatabase(file);
  if (recorded !== events) throw new Error(`${events} rows inserted but ${recorded} in the file`);
  return { events, seconds, perSecond: events / seconds };
}

interface EmmettRun {
  readonly result: EmmettResult;
  /** What the file holds afterwards, the warm-up append left out. */
  readonly committed: number;
  readonly perSecond: number;
}

async function appendThroughEmmett(
  file: string,
  request: Omit<EmmettRequest, 'file'>,
): Promise<EmmettRun> {
  removeDatabase(file);
  try {
    // Emmett logs its errors with console.log: the child's stdout is kept out of the table.
    // Appends still pending are ended with the process, before the file is counted.
    const answer = await askChild<{ result?: EmmettResult; error?: string }>(
      'p1-emmett-child.js',
      { ...request, file } satisfies EmmettRequest,
      'the Emmett process',
    );
    if (answer.result === undefined) throw new Error(answer.error ?? 'no answer');
    const committed = countRows(file, 'emt_messages') - 1;
    // Every resolved append must be in the file; a failed one may or may not be.
    if (request.mode === 'queued' && committed < answer.result.appended) {
      throw new Error(
        `${answer.result.appended} Emmett appends resolved but the file holds ${committed} events`,
      );
    }
    return {
      result: answer.result,
      committed,
      perSecond: answer.result.appended / answer.result.seconds,
    };
  } finally {
    removeDatabase(file);
  }
}

function countRows(file: string, table: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    return db.prepare<[], number>(`SELECT COUNT(*) FROM ${table}`).pluck().get() ?? 0;
  } finally {
    db.close();
  }
}

/** `@event-driven-io/emmett-sqlite 0.38.5, sqlite3 5.1.7`, or undefined when not installed. */
function emmettVersions(): string | undefined {
  try {
    const main = require.resolve('@event-driven-io/emmett-sqlite');
    const emmett = readVersion(join(dirname(main), '..', 'package.json'));
    const sqlite3 = readVersion(require.resolve('sqlite3/package.json'));
    return `@event-driven-io/emmett-sqlite ${emmett} on sqlite3 ${sqlite3}`;
  } catch {
    return undefined;
  }
}

function readVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

function describeFailures(result: EmmettResult): string {
  if (result.failed === 0) return '';
  return `; ${formatCount(result.failed)} appends failed${describeErrors(result.errors)}`;
}

function describeErrors(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return '';
  return ` (${entries.map(([message, count]) => `${count}× ${message}`).join('; ')})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
