/**
 * P2: rebuilding the read model from a generated history through the port, against a raw
 * scan of the same table that parses every event's JSON and builds nothing.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { askChild } from './child-run';
import { FigureResult } from './figure';
import { copyDatabase, removeDatabase } from './generated-files';
import { Ticker, say } from './progress';
import { formatCount, formatPercent, formatRate, formatSize, verdict } from './table';

export interface RebuildOptions {
  readonly file: string;
  readonly events: number;
  /** Runs of each, alternating; the best of each counts. */
  readonly repetitions: number;
  readonly tempDir: string;
}

/** What P2's child process (p2-child.ts) is asked to measure, and its answer. */
export interface P2Request {
  readonly kind: 'scan' | 'rebuild';
  readonly file: string;
  readonly events: number;
}
export type P2Answer = { readonly rate: number } | { readonly error: string };

interface ScanRow {
  readonly data: string;
  readonly metadata: string;
}

export async function measureRebuild(options: RebuildOptions): Promise<FigureResult> {
  const file = copyDatabase(options.file, join(options.tempDir, 'p2.db'));
  const size = formatSize(options.events);
  const raw: number[] = [];
  const ours: number[] = [];
  try {
    for (let run = 1; run <= options.repetitions; run++) {
      const of = `run ${run} of ${options.repetitions}`;
      say(`P2 raw scan of ${size} events, ${of}`);
      raw.push(await inChild({ kind: 'scan', file, events: options.events }));
      say(`P2 raw scan: ${formatRate(raw.at(-1) ?? 0, ' events/s')}`);
      say(`P2 rebuild of ${size} events through LogFollower + NetworkProjection, ${of}`);
      ours.push(await inChild({ kind: 'rebuild', file, events: options.events }));
      say(`P2 rebuild: ${formatRate(ours.at(-1) ?? 0, ' events/s')}`);
    }
  } finally {
    removeDatabase(file);
  }
  const best = (rates: number[]): number => Math.max(...rates);
  const fraction = best(ours) / best(raw);
  const runs = options.repetitions > 1 ? `, best of ${options.repetitions}` : '';
  return {
    rows: [
      {
        figure: `P2 rebuild of the read model from ${size} generated events (events/s${runs})`,
        ours: formatRate(best(ours), ' events/s'),
        baseline: `raw scan + JSON.parse: ${formatRate(best(raw), ' events/s')}`,
        ratio: formatPercent(fraction),
        target: '≥ 60 %',
        met: verdict(fraction, '>=', 0.6),
      },
    ],
    notes: [
      `P2 ours is \`new LogFollower(store, new NetworkProjection()).start()\` on a store opened beforehand (opening is not timed); ` +
        'the raw scan is `SELECT * FROM events ORDER BY position` with `JSON.parse` of every data and metadata. Same file, warm page cache. ' +
        "Each run is in a process of its own, with the benchmark's Node.js flags, as a server's start rebuilds in a fresh process.",
    ],
  };
}

/** Events per second of the raw scan (P2's baseline, also the audit figure's). */
export function scan(file: string, expected: number): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    const select = db.prepare<[], ScanRow>('SELECT * FROM events ORDER BY position');
    const ticker = new Ticker('P2 raw scan');
    let count = 0;
    let keys = 0;
    const started = performance.now();
    for (const row of select.iterate()) {
      // Keep what is parsed in use, so that no parse can be skipped.
      keys += Object.keys(JSON.parse(row.data) as object).length;
      keys += Object.keys(JSON.parse(row.metadata) as object).length;
      count++;
      if ((count & 0xffff) === 0) ticker.tick(() => `${formatCount(count)} events`);
    }
    const seconds = (performance.now() - started) / 1000;
    if (count !== expected || keys === 0) {
      throw new Error(`the raw scan read ${count} events, not ${expected}`);
    }
    return count / seconds;
  } finally {
    db.close();
  }
}

/** Events per second of one run, measured by a child process (p2-child.ts). */
async function inChild(request: P2Request): Promise<number> {
  // The next run starts once this one's process, and its memory, are gone.
  const answer = await askChild<P2Answer>('p2-child.js', request, "P2's process");
  if ('error' in answer) throw new Error(answer.error);
  return answer.rate;
}

/** Events per second of a full rebuild through the port. */
export async function rebuild(file: string, expected: number): Promise<number> {
  const store = SqliteEventStore.open(file);
  try {
    const projection = new NetworkProjection();
    const follower = new LogFollower(store, projection);
    const started = performance.now();
    await follower.start();
    const seconds = (performance.now() - started) / 1000;
    follower.stop();
    const applied = projection.length;
    if (applied !== expected) throw new Error(`the rebuild applied ${applied}, not ${expected}`);
    return applied / seconds;
  } finally {
    await store.close();
  }
}
