/**
 * npm run generate -- --events 1000000 --seed 42 [--out data/generated.db] [--years 10]
 * Writes a realistic network history, decided by the real deciders, to a SQLite file.
 */
import { existsSync } from 'node:fs';
import { parseCommandLine } from '../../admin/src/command-line';
import { SingleBar } from 'cli-progress';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { NetworkSimulation } from './simulation';

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

  const store = SqliteEventStore.open(values.out);
  const simulation = new NetworkSimulation({ events, seed, start, years });
  const bar = new SingleBar({
    format: 'generate [{bar}] {percentage}% {value}/{total} events | {eta_formatted} left',
    stream: process.stderr,
    etaBuffer: 50,
  });
  const started = Date.now();
  bar.start(events, 0);
  let written = 0;
  try {
    for (const batch of simulation.batches(10_000)) {
      await store.importRecorded!(batch);
      written += batch.length;
      bar.update(written);
    }
  } finally {
    bar.stop();
    await store.close();
  }
  const { organizations, groups, partnerships, refused } = simulation.stats;
  const { interventions, arrangements, arrangementsWithCommitments } = simulation.stats;
  console.log(
    `generated ${written} events in ${((Date.now() - started) / 1000).toFixed(1)} s into ${values.out}: ` +
      `${organizations} organisations, ${groups} groups, ${partnerships} partnerships, ` +
      `${interventions} interventions, ${arrangementsWithCommitments} of ${arrangements} arrangements with commitments ` +
      `(${refused} attempts refused by the rules)`,
  );
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
