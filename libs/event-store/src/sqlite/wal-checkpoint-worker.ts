/**
 * The checkpoints' thread (wal-checkpoints.ts): copies the write-ahead log's committed
 * pages into the database file from a connection of its own, so that the appends' thread
 * only writes to the log.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReport, WalCheckpointData } from './wal-checkpoints';

const { file, intervalMs } = workerData as WalCheckpointData;
const db = new Database(file, { fileMustExist: true, timeout: 0 });
// A checkpoint forces the log to disk before it copies and the file after.
db.pragma('synchronous = FULL');
const checkpoint = db.prepare<[], { busy: number; log: number; checkpointed: number }>(
  'PRAGMA wal_checkpoint(PASSIVE)',
);

let last: CheckpointReport = { log: -1, checkpointed: -1 };
const timer = setInterval(() => {
  try {
    const result = checkpoint.get();
    if (result === undefined || result.busy !== 0) return;
    const { log, checkpointed } = result;
    if (log === last.log && checkpointed === last.checkpointed) return;
    last = { log, checkpointed };
    parentPort?.postMessage(last);
  } catch {
    // Busy (a restore holds the file) or gone: the next tick tries again.
  }
}, intervalMs);

parentPort?.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
