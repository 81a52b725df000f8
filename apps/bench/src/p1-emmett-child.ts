/**
 * P1's Emmett baseline, in a process of its own: Emmett writes its errors to stdout with
 * console.log, and appends that never settle must not hold the benchmark up (the parent
 * kills this process when it has its answer).
 */
import type { Event } from '@event-driven-io/emmett';
import {
  getSQLiteEventStore,
  sqliteConnection,
  type SQLiteEventStore,
} from '@event-driven-io/emmett-sqlite';
import { EmmettRequest, EmmettResult, benchEvent, benchStream } from './append-payload';

type BenchEvent = Event<'ArrangementAgreed', Record<string, unknown>, Record<string, unknown>>;

function toEmmett(writer: number, revision: number): BenchEvent {
  const event = benchEvent(writer, revision);
  return {
    type: 'ArrangementAgreed',
    data: { ...event.data },
    metadata: { eventId: event.id, ...event.metadata },
  };
}

async function run(request: EmmettRequest): Promise<EmmettResult> {
  const store = getSQLiteEventStore({ fileName: request.file });
  // Creates the schema, outside the measurement.
  await store.appendToStream('warmup-0', [toEmmett(-1, 0)]);
  const { synchronous, journalMode } = await readSettings(request.file);

  const errors: Record<string, number> = {};
  let appended = 0;
  let failed = 0;
  let writersStopped = 0;
  let inFlight = 0;
  const append = request.mode === 'queued' ? queued(store) : direct(store);

  const started = performance.now();
  const deadline = started + request.durationMs;
  const progress = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    process.stderr.write(
      `bench: P1 Emmett (${request.mode}): ${elapsed.toFixed(0)} s, ${appended} appended, ${failed} failed\n`,
    );
  }, 2_000);

  const writer = async (index: number): Promise<void> => {
    const stream = benchStream(index);
    let version = 0n;
    while (performance.now() < deadline) {
      inFlight++;
      try {
        const result = await append.toStream(stream, toEmmett(index, Number(version)), version);
        version = result.nextExpectedStreamVersion;
        appended++;
      } catch (error) {
        failed++;
        const key = describe(error);
        errors[key] = (errors[key] ?? 0) + 1;
        if (request.mode === 'shared') {
          writersStopped++;
          return;
        }
        // The append may or may not have committed: the stream says where it is.
        try {
          version = (await append.readStream(stream)).currentStreamVersion;
        } catch (readError) {
          const readKey = `reading the stream after a failure: ${describe(readError)}`;
          errors[readKey] = (errors[readKey] ?? 0) + 1;
          writersStopped++;
          return;
        }
      } finally {
        inFlight--;
      }
    }
  };
  const writers = Promise.all(Array.from({ length: request.writers }, (_, index) => writer(index)));
  let ended = performance.now();
  await Promise.race([
    writers.then(() => {
      ended = performance.now();
    }),
    new Promise<void>((resolve) =>
      setTimeout(() => {
        ended = performance.now();
        resolve();
      }, request.durationMs + request.graceMs),
    ),
  ]);
  clearInterval(progress);
  return {
    appended,
    failed,
    writersStopped,
    inFlightAtEnd: inFlight,
    seconds: (ended - started) / 1000,
    errors,
    synchronous,
    journalMode,
  };
}

interface Appender {
  toStream(
    stream: string,
    event: BenchEvent,
    expected: bigint,
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  readStream(stream: string): Promise<{ currentStreamVersion: bigint }>;
}

function direct(store: SQLiteEventStore): Appender {
  return {
    toStream: (stream, event, expected) =>
      store.appendToStream(stream, [event], { expectedStreamVersion: expected }),
    readStream: (stream) => store.readStream(stream),
  };
}

/** One operation at a time, in the order asked, on the one store. */
function queued(store: SQLiteEventStore): Appender {
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work, work);
    tail = result.catch(() => undefined);
    return result;
  };
  const inner = direct(store);
  return {
    toStream: (stream, event, expected) => serialize(() => inner.toStream(stream, event, expected)),
    readStream: (stream) => serialize(() => inner.readStream(stream)),
  };
}

/** The durability Emmett's connections run with: its own defaults, read back from SQLite. */
async function readSettings(file: string): Promise<{ synchronous: number; journalMode: string }> {
  const connection = sqliteConnection({ fileName: file });
  try {
    const synchronous = await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous');
    const journal = await connection.querySingle<{ journal_mode: string }>('PRAGMA journal_mode');
    return {
      synchronous: synchronous?.synchronous ?? -1,
      journalMode: journal?.journal_mode ?? 'unknown',
    };
  } finally {
    connection.close();
  }
}

function describe(error: unknown): string {
  // sqlite3's messages start with their code (SQLITE_BUSY: database is locked).
  return error instanceof Error ? error.message : String(error);
}

process.once('message', (request: EmmettRequest) => {
  run(request).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? error.message : String(error) }, () =>
        process.exit(1),
      ),
  );
});
