/**
 * The second thread of `audit verify` on a SQLite store (log-partition.ts): reads and
 * checks the log's second part through a connection of its own, handing its rows over in
 * chunks as it goes (for the merge to follow) and its arrays at the end; then, given the
 * first part's keys, finds the ids and commands repeated across the log (findRepeats),
 * while the other thread merges.
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import {
  PartAnswer,
  PartKeys,
  PartRead,
  Repeats,
  chunkTransferables,
  findRepeats,
  postableRead,
  readPart,
} from './log-partition';
import { LogExtent, SqliteLogRows } from './sqlite-log-rows';

/** What the worker is given: the file, how far to read it, and where to count its rows. */
export interface PartData {
  readonly file: string;
  readonly extent: LogExtent;
  /** One Int32 the worker keeps its count of rows read in, for the progress bar. */
  readonly progress: SharedArrayBuffer;
}

/** The ids and commands repeated across the log, or why they could not be found. */
export type RepeatsAnswer =
  ({ readonly kind: 'repeats' } & Repeats) | { readonly kind: 'failed'; readonly message: string };

const port = parentPort;
if (port === null) throw new Error('log-partition-worker runs only as a worker thread');

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const { file, extent, progress } = workerData as PartData;
const rows = SqliteLogRows.open(file);

function answer(to: MessagePort): PartAnswer {
  const read = new Int32Array(progress);
  return readPart(
    rows,
    extent,
    1,
    (count) => Atomics.store(read, 0, count),
    (chunk) => to.postMessage(chunk, chunkTransferables(chunk)),
  );
}

let result: PartAnswer;
try {
  result = answer(port);
} catch (error) {
  result = { kind: 'failed', message: messageOf(error) };
}
if (result.kind === 'read') {
  const part: PartRead = result;
  const { message, transfer } = postableRead(part);
  port.postMessage(message, transfer);
  // The first part's keys, once the other thread has read it.
  port.once('message', (first: PartKeys) => {
    let repeats: RepeatsAnswer;
    try {
      repeats = { kind: 'repeats', ...findRepeats([first, part], rows) };
    } catch (error) {
      repeats = { kind: 'failed', message: messageOf(error) };
    }
    rows.close();
    port.postMessage(repeats);
  });
} else {
  rows.close();
  port.postMessage(result);
}
