/**
 * npm run generate -- --events 1000000 --seed 42 [--out data/generated.db] [--years 10]
 * Writes a realistic network history, decided by the real deciders, to a SQLite file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseCommandLine } from '../../admin/src/command-line';
import { SingleBar } from 'cli-progress';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import type { ImportRow } from '@partnerships/event-store/sqlite/sqlite-schema';
import { SimulationOptions, SimulationStats, stampedRow } from './simulation';
import type { SimulationMessage, SimulationWorkerData } from './simulation-worker';

/**
 * Rows the simulation posts at a time: small, so that both threads keep busy to the end,
 * and so that few rows wait on the simulation's thread when V8 collects its young
 * generation (each that survives is copied, and most then again into the old). At a
 * million events, alternating: 2,000 at a time 18.8-22.0 s against 22.5-28.8 s for 5,000,
 * and 5,000 24.7-28.9 s against 29.8-32.3 s for 25,000 (3+3 each); 1,000 no better.
 */
const BATCH_SIZE = 2_000;
/** Batches decided ahead of the writer: enough to keep both threads busy, bounded memory. */
const MAX_UNWRITTEN = 38;
/**
 * Rows per transaction. A commit writes every index page its rows touched, and the rows
 * land at random places in the indexes: at a million events, committing every 250,000
 * rows inserted them in 14.4-15.5 s against 23.2-27.6 s committing every 25,000 (3+3).
 */
const ROWS_PER_COMMIT = 250_000;
/** The indexes of a 10M-event file are a few GiB; a larger cache pages them less. */
const CACHE_SIZE_MIB = 256;

const USAGE =
  'usage: npm run generate -- --events <n> [--seed <n>] [--out <file>] [--years <n>] [--start <date>]';

async function main(): Promise<void> {
  const { values } = parseCommandLine({
    usage: USAGE,
    options: {
      events: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'data/generated.db' },
      years: { type: 'string', default: '10' },
      start: { type: 'string', default: '2016-01-01T00:00:00Z' },
    },
    positionals: { min: 0, max: 0 },
  });
  const events = positiveInteger('--events', values.events);
  const seed = positiveInteger('--seed', values.seed);
  const years = positiveInteger('--years', values.years);
  const start = new Date(values.start);
  if (Number.isNaN(start.getTime())) throw new Error(`--start is not a date: ${values.start}`);
  if (existsSync(values.out)) throw new Error(`${values.out} exists; choose a new file`);

  const store = SqliteEventStore.open(values.out, { cacheSizeMiB: CACHE_SIZE_MIB });
  const bar = new SingleBar({
    format: 'generate [{bar}] {percentage}% {value}/{total} events | {eta_formatted} left',
    stream: process.stderr,
    etaBuffer: 50,
  });
  const started = Date.now();
  bar.start(events, 0);
  const simulation = new SimulationThread({ events, seed, start, years });
  let written = 0;
  let inserted = 0;
  try {
    written = await store.importRowPieces(
      (async function* () {
        for await (const rows of simulation.batches()) {
          yield rows;
          // Asked for the next: this one is inserted.
          inserted += rows.length;
          bar.update(inserted);
        }
      })(),
      ROWS_PER_COMMIT,
      // The file is new and of no use unless whole: forced to disk once, at the end.
      { syncAtEndOnly: true },
    );
  } finally {
    bar.stop();
    await simulation.stop();
    await store.close();
  }
  const stats = await simulation.stats;
  const { organizations, groups, partnerships, refused } = stats;
  const { interventions, arrangements, arrangementsWithCommitments } = stats;
  console.log(
    `generated ${written} events in ${((Date.now() - started) / 1000).toFixed(1)} s into ${values.out}: ` +
      `${organizations} organisations, ${groups} groups, ${partnerships} partnerships, ` +
      `${interventions} interventions, ${arrangementsWithCommitments} of ${arrangements} arrangements with commitments ` +
      `(${refused} attempts refused by the rules)`,
  );
}

/**
 * The simulation on a worker thread: its batches of rows, in order, stamped here with their
 * ids and metadata. The worker waits while {@link MAX_UNWRITTEN} batches are not yet taken
 * and written.
 */
class SimulationThread {
  /** The simulation's figures, once it has posted its last batch. */
  readonly stats: Promise<SimulationStats>;
  private readonly worker: Worker;
  private readonly counter: Int32Array;
  private readonly received: SimulationMessage[] = [];
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(options: SimulationOptions) {
    const unwritten = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    this.counter = new Int32Array(unwritten);
    this.worker = new Worker(join(__dirname, 'simulation-worker.js'), {
      workerData: {
        options,
        batchSize: BATCH_SIZE,
        unwritten,
        maxUnwritten: MAX_UNWRITTEN,
      } satisfies SimulationWorkerData,
    });
    let finished!: (stats: SimulationStats) => void;
    let failed!: (error: unknown) => void;
    this.stats = new Promise((resolve, reject) => {
      finished = resolve;
      failed = reject;
    });
    this.stats.catch(() => undefined);
    const fail = (error: unknown): void => {
      this.failure ??= error;
      failed(error);
      this.wakeUp();
    };
    this.worker.on('message', (message: SimulationMessage) => {
      if (message.kind === 'done') finished(message.stats);
      this.received.push(message);
      this.wakeUp();
    });
    this.worker.once('error', fail);
    this.worker.once('exit', (code) => {
      if (code !== 0) fail(new Error(`the simulation stopped with exit code ${code}`));
    });
  }

  /** Each batch in order; the next is asked for once the caller is done with this one. */
  async *batches(): AsyncGenerator<readonly ImportRow[]> {
    for (;;) {
      const message = this.received.shift();
      if (message === undefined) {
        if (this.failure !== undefined) throw this.failure;
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      if (message.kind === 'done') return;
      yield message.rows.map(stampedRow);
      Atomics.sub(this.counter, 0, 1);
      Atomics.notify(this.counter, 0);
    }
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function positiveInteger(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`${name} must be a positive integer, not "${value}"\n${USAGE}`);
  }
  return parsed;
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
