/**
 * The simulation on a thread of its own, so that deciding the next events and writing the
 * previous ones to SQLite run at the same time. Batches of rows go to the parent as
 * messages; the shared counter of batches not yet written holds the simulation back when
 * the writer is slower, so that memory stays bounded whatever the history's length.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NetworkSimulation, SimulationOptions, UnstampedRow, unstampedRowsOf } from './simulation';

export interface SimulationWorkerData {
  readonly options: SimulationOptions;
  readonly batchSize: number;
  /** Int32Array over it: [0] is how many batches were posted and not yet written. */
  readonly unwritten: SharedArrayBuffer;
  readonly maxUnwritten: number;
}

export type SimulationMessage =
  | { readonly kind: 'batch'; readonly rows: readonly UnstampedRow[] }
  | { readonly kind: 'done'; readonly stats: NetworkSimulation['stats'] };

// Refused commands are part of the simulation: thousands of rule errors whose stack traces
// nobody reads would cost more than the decisions themselves.
Error.stackTraceLimit = 0;

const data = workerData as SimulationWorkerData;
const port = parentPort!;
const unwritten = new Int32Array(data.unwritten);
const simulation = new NetworkSimulation(data.options);

function post(rows: UnstampedRow[]): void {
  for (;;) {
    const waiting = Atomics.load(unwritten, 0);
    if (waiting < data.maxUnwritten) break;
    Atomics.wait(unwritten, 0, waiting);
  }
  Atomics.add(unwritten, 0, 1);
  port.postMessage({ kind: 'batch', rows } satisfies SimulationMessage);
}

// Each event becomes its row (plain values, its data written as JSON) as soon as it is
// decided: the events die young, and the writer has only to stamp and insert.
let rows: UnstampedRow[] = [];
for (const command of simulation.decidedCommands()) {
  for (const row of unstampedRowsOf(command)) rows.push(row);
  if (rows.length >= data.batchSize) {
    post(rows);
    rows = [];
  }
}
if (rows.length > 0) post(rows);
port.postMessage({ kind: 'done', stats: simulation.stats } satisfies SimulationMessage);
