/**
 * Reads a start's files on a thread of its own (start-files.ts): the snapshot first, posted
 * as soon as it is read (its memory moves to the thread that started it, without a copy),
 * then checks the audit tree's checkpoint.
 */
import { workerData } from 'node:worker_threads';
import { verifyOpenCheckpoint } from '@partnerships/audit/audit-tree';
import { projectionSchemaHash, readSnapshot } from '@partnerships/projections/snapshot-file';
import type { CheckpointMessage, SnapshotMessage, StartFilesData } from './start-files';

const { files, port, posted, checkpointFd } = workerData as StartFilesData;

let snapshot: SnapshotMessage;
let moved: ArrayBuffer[] = [];
try {
  const read =
    files.snapshot === undefined ? undefined : readSnapshot(files.snapshot, projectionSchemaHash());
  snapshot = { kind: 'snapshot', read };
  if (read !== undefined && 'snapshot' in read) {
    // readSnapshot gives the state and each section memory of its own: each moves whole.
    moved = [read.snapshot.state, ...read.snapshot.sections].map(
      (view) => view.buffer as ArrayBuffer,
    );
  }
} catch (error) {
  snapshot = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}
port.postMessage(snapshot, moved);
const flag = new Int32Array(posted);
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);

// The checkpoint is only checked here, through the file the starting thread opened: its
// levels are read from that file when the tree asks for them.
if (checkpointFd !== undefined && files.auditTree !== undefined) {
  const checkpoint: CheckpointMessage = verifyOpenCheckpoint(checkpointFd, files.auditTree);
  port.postMessage(checkpoint);
}
