import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditCheckpoint, readAuditCheckpoint } from '@partnerships/audit/audit-tree';
import { HashList } from '@partnerships/audit/merkle-tree';

/** What the worker sends: each level's memory (hashes, then room) and its count of hashes. */
export interface CheckpointMessage {
  readonly problem: string | undefined;
  readonly levels: { readonly memory: ArrayBuffer; readonly length: number }[] | undefined;
}

/**
 * From this size on a checkpoint is read on a thread of its own. Below it the thread costs
 * more than it saves: at 1M events (64 MB) a start took 2.03-2.18 s with it against
 * 1.85-2.11 s without; at 10M (640 MB) 9.42-11.16 s against 9.74-12.91 s (median 9.78 s
 * against 10.37 s).
 */
const ASIDE_FROM_BYTES = 256 * 2 ** 20;

/** The built worker, beside this file. */
const WORKER = join(__dirname, `audit-checkpoint-worker${extname(__filename)}`);

/**
 * The audit tree's checkpoint at `file`, read and checked on a thread of its own while this
 * one loads the read model's snapshot when it is large: at ten million events, 640 MB read
 * and hashed in about a second that a start no longer waits for. A smaller one, or one
 * where no built worker is there (the TypeScript sources under test), is read here, at once.
 */
export function readAuditCheckpointAside(
  file: string | undefined,
  asideFromBytes = ASIDE_FROM_BYTES,
): Promise<AuditCheckpoint> {
  if (
    file === undefined ||
    extname(WORKER) !== '.js' ||
    !existsSync(WORKER) ||
    sizeOf(file) < asideFromBytes
  ) {
    return Promise.resolve(readAuditCheckpoint(file));
  }
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { workerData: { file } });
    const failed = (why: string) =>
      resolve({ levels: undefined, problem: `cannot read ${file}: ${why}` });
    worker.once('message', ({ levels, problem }: CheckpointMessage) =>
      resolve({
        problem,
        levels: levels?.map(({ memory, length }) => HashList.over(Buffer.from(memory), length)),
      }),
    );
    worker.once('error', (error) => failed(error.message));
    worker.once('exit', (code) => failed(`the reading thread stopped (exit code ${code})`));
  });
}

/** The file's size; 0 when it cannot be told (readAuditCheckpoint then says why). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
