/**
 * Reads a start's files on a thread of its own (start-files.ts): the snapshot first, posted
 * as soon as it is read, then the audit tree's checkpoint. Their memory moves to the
 * thread that started it, without a copy.
 */
import { workerData } from 'node:worker_threads';
import { readAuditCheckpoint } from '@partnerships/audit/audit-tree';
import { projectionSchemaHash, readSnapshot } from '@partnerships/projections/snapshot-file';
import type { CheckpointMessage, SnapshotMessage, StartFilesData } from './start-files';

const { files, port, posted } = workerData as StartFilesData;

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

const { levels, problem } = readAuditCheckpoint(files.auditTree);
const checkpoint: CheckpointMessage = {
  problem,
  levels: levels?.map((list) => {
    const memory = list.memory;
    // Only memory the list has to itself can move; anything else is copied once.
    const owned =
      memory.byteOffset === 0 && memory.byteLength === memory.buffer.byteLength
        ? memory.buffer
        : new Uint8Array(memory).buffer;
    return { memory: owned as ArrayBuffer, length: list.length };
  }),
};
port.postMessage(checkpoint, checkpoint.levels?.map((level) => level.memory) ?? []);
