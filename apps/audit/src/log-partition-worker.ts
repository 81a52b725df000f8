/**
 * The second thread of `audit verify` on a SQLite store (log-partition.ts): reads and
 * checks the log's second part through a connection of its own, handing its rows over in
 * chunks as it goes (for the merge to follow) and its arrays at the end.
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { PartAnswer, chunkTransferables, readPart, transferablesOf } from './log-partition';
import { LogExtent, SqliteLogRows } from './sqlite-log-rows';

/** What the worker is given: the file, how far to read it, and where to count its rows. */
export interface PartData {
  readonly file: string;
  readonly extent: LogExtent;
  /** One Int32 the worker keeps its count of rows read in, for the progress bar. */
  readonly progress: SharedArrayBuffer;
}

const port = parentPort;
if (port === null) throw new Error('log-partition-worker runs only as a worker thread');

function answer({ file, extent, progress }: PartData, to: MessagePort): PartAnswer {
  const read = new Int32Array(progress);
  const rows = SqliteLogRows.open(file);
  try {
    return readPart(
      rows,
      extent,
      1,
      (count) => Atomics.store(read, 0, count),
      (chunk) => to.postMessage(chunk, chunkTransferables(chunk)),
    );
  } finally {
    rows.close();
  }
}

let result: PartAnswer;
try {
  result = answer(workerData as PartData, port);
} catch (error) {
  result = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}
port.postMessage(result, result.kind === 'read' ? transferablesOf(result) : []);
