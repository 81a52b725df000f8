/**
 * Reads a start's files on a thread of its own (start-files.ts): the snapshot first, posted
 * as soon as it is read (in memory both threads share, without a copy), then its checksum,
 * taken while the thread that started it decodes it, then the audit tree's checkpoint.
 */
import { workerData } from 'node:worker_threads';
import { verifyOpenCheckpoint } from '@partnerships/audit/audit-tree';
import {
  projectionSchemaHash,
  readSnapshotUnchecked,
} from '@partnerships/projections/snapshot-file';
import { checksumProblem } from '@partnerships/projections/snapshot-checksum';
import { CHECKSUM, CheckpointMessage, SnapshotMessage, StartFilesData } from './start-files';

const { files, port, posted, checkpointFd } = workerData as StartFilesData;

const flags = new Int32Array(posted);

/**
 * Posts the snapshot read (in memory both threads share: the starting thread decodes it
 * meanwhile), then takes its checksum. Nothing of it stays here once this returns.
 */
function postSnapshot(): void {
  let message: SnapshotMessage;
  try {
    const read =
      files.snapshot === undefined
        ? undefined
        : readSnapshotUnchecked(files.snapshot, projectionSchemaHash());
    message = { kind: 'snapshot', read };
  } catch (error) {
    message = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(message);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  let checksum: number = CHECKSUM.agrees;
  if (message.kind === 'snapshot' && message.read !== undefined && 'snapshot' in message.read) {
    try {
      const problem = checksumProblem(message.read.snapshot);
      checksum = problem === undefined ? CHECKSUM.agrees : CHECKSUM.differs;
    } catch {
      checksum = CHECKSUM.failed;
    }
  }
  Atomics.store(flags, 1, checksum);
  Atomics.notify(flags, 1);
}

postSnapshot();

// The checkpoint is only checked here, through the file the starting thread opened: its
// levels are read from that file when the tree asks for them.
if (checkpointFd !== undefined && files.auditTree !== undefined) {
  const checkpoint: CheckpointMessage = verifyOpenCheckpoint(checkpointFd, files.auditTree);
  port.postMessage(checkpoint);
}
