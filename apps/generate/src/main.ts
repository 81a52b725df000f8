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
import type { SimulationOptions, SimulationStats } from './simulation';
import type { SimulationMessage, SimulationWorkerData } from './simulation-worker';

/** One transaction per batch: large enough that a commit's cost is spread thin. */
const BATCH_SIZE = 25_000;
/** Batches decided ahead of the writer: enough to keep both threads busy, bounded memory. */
const MAX_UNWRITTEN = 3;
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
  let written = 0;
  let stats: SimulationStats;
  try {
    stats = await simulate({ events, seed, start, years }, async (rows) => {
      await store.importRows(rows);
      written += rows.length;
      bar.update(written);
    });
  } finally {
    bar.stop();
    await store.close();
  }
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
 * Runs the simulation on a worker thread and writes each batch it posts, in order; the
 * worker waits while {@link MAX_UNWRITTEN} batches are not yet written.
 */
function simulate(
  options: SimulationOptions,
  write: (rows: readonly ImportRow[]) => Promise<void>,
): Promise<SimulationStats> {
  const unwritten = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const counter = new Int32Array(unwritten);
  const worker = new Worker(join(__dirname, 'simulation-worker.js'), {
    workerData: {
      options,
      batchSize: BATCH_SIZE,
      unwritten,
      maxUnwritten: MAX_UNWRITTEN,
    } satisfies SimulationWorkerData,
  });
  return new Promise((resolve, reject) => {
    let writing = Promise.resolve();
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      void worker.terminate();
      reject(error);
    };
    worker.on('message', (message: SimulationMessage) => {
      // Messages arrive in order; writes are chained so that they stay in that order.
      writing = writing.then(async () => {
        if (failed) return;
        if (message.kind === 'done') {
          resolve(message.stats);
          return;
        }
        await write(message.rows);
        Atomics.sub(counter, 0, 1);
        Atomics.notify(counter, 0);
      });
      writing.catch(fail);
    });
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (code !== 0) fail(new Error(`the simulation stopped with exit code ${code}`));
    });
  });
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
