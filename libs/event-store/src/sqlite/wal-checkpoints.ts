/**
 * Checkpoints on a thread of their own. In WAL mode a commit appends the transaction's
 * pages to the log, and every so often a checkpoint copies the log's pages into the
 * database file and forces both to disk. Left to SQLite, the connection whose commit
 * crosses the threshold (1,000 pages) does that copy inside its commit, and the group
 * commit's callers wait for it. Here a worker thread's connection checkpoints every
 * {@link CHECKPOINT_INTERVAL_MS} (PASSIVE: never waiting for a writer or a reader), and the
 * appends' connection keeps SQLite's own checkpoint only as a fallback, at
 * {@link FALLBACK_CHECKPOINT_PAGES}, restored to SQLite's default should the thread end.
 *
 * Durability does not move: a commit is on disk when its frames in the log are, as before.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { builtWorker } from '../built-worker';

export const CHECKPOINT_INTERVAL_MS = 50;
/** About 64 MiB of log at 4 KiB pages: reached only when the thread falls far behind. */
export const FALLBACK_CHECKPOINT_PAGES = 16_384;
/** SQLite's own threshold, for a connection without the thread. */
const DEFAULT_CHECKPOINT_PAGES = 1_000;

export interface WalCheckpointData {
  readonly file: string;
  readonly intervalMs: number;
}

/** The log's frames, and how many of them are in the database file, after a checkpoint. */
export interface CheckpointReport {
  readonly log: number;
  readonly checkpointed: number;
}

export class WalCheckpoints {
  /** The last checkpoint's report; undefined before the first that found anything. */
  last: CheckpointReport | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    db: Database.Database,
  ) {
    db.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
    worker.on('message', (report: CheckpointReport) => {
      this.last = report;
    });
    this.exited = new Promise((resolve) => {
      // A thread that cannot run (the file gone, out of memory) hands checkpoints back.
      const restore = (): void => {
        if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_CHECKPOINT_PAGES}`);
        resolve();
      };
      worker.on('error', restore);
      worker.on('exit', restore);
    });
    worker.unref();
  }

  /** The thread for the file of `db` (in WAL mode), or none where no worker can run. */
  static start(file: string, db: Database.Database): WalCheckpoints | undefined {
    const script = builtWorker(__dirname, 'wal-checkpoint-worker');
    if (script === undefined) return undefined;
    const workerData: WalCheckpointData = { file, intervalMs: CHECKPOINT_INTERVAL_MS };
    return new WalCheckpoints(new Worker(script, { workerData }), db);
  }

  /** Ends the thread once its connection is closed, so that the last to close is the store's. */
  async stop(): Promise<void> {
    // Held open until the thread has closed its connection: the process waits for it.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
