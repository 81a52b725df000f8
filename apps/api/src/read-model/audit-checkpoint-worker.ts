/**
 * Reads the audit tree's checkpoint on a thread of its own (audit-checkpoint-reading.ts)
 * and hands its levels' memory to the thread that started it, without a copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readAuditCheckpoint } from '@partnerships/audit/audit-tree';
import type { CheckpointMessage } from './audit-checkpoint-reading';

const port = parentPort;
if (port === null) throw new Error('audit-checkpoint-worker runs only as a worker thread');
const { levels, problem } = readAuditCheckpoint((workerData as { file: string }).file);
const message: CheckpointMessage = {
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
port.postMessage(message, message.levels?.map((level) => level.memory) ?? []);
