/**
 * The hashing thread of `audit verify` (leaf-hashing.ts): reads the pages the main thread
 * names through a store connection of its own and builds the Merkle tree of their leaves.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { eventLeafText } from '@partnerships/audit/leaf';
import { leafHashLatin1OfText } from '@partnerships/audit/hashes';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import { openEventStore } from '@partnerships/event-store/open-event-store';
import type { PageRequest, WorkerAnswer } from './leaf-hashing';

const port = parentPort;
if (port === null) throw new Error('leaf-hashing-worker runs only as a worker thread');

const store = openEventStore((workerData as { url: string }).url);
const tree = new MerkleTree();
let failure: string | undefined;
let work: Promise<void> = Promise.resolve();

async function read(request: PageRequest): Promise<void> {
  if (failure !== undefined) return;
  const page = await store.readAll({ after: request.after, limit: request.count });
  const last = page.at(-1)?.position;
  if (page.length !== request.count || last !== request.last) {
    failure =
      `the log changed while it was read: after position ${request.after ?? 'the start'} ` +
      `the second reading found ${page.length} events up to ${last ?? 'nothing'}, ` +
      `the first ${request.count} up to ${request.last}`;
    return;
  }
  for (const event of page) tree.appendLatin1(leafHashLatin1OfText(eventLeafText(event)));
}

async function finish(): Promise<void> {
  await store.close();
  let answer: WorkerAnswer;
  if (failure !== undefined) answer = { kind: 'failed', message: failure };
  else {
    const levels = tree.levelBytes().map((bytes) => {
      const copy = new ArrayBuffer(bytes.length);
      new Uint8Array(copy).set(bytes);
      return copy;
    });
    answer = { kind: 'tree', size: tree.size, levels };
  }
  port?.postMessage(answer, answer.kind === 'tree' ? answer.levels : []);
}

port.on('message', (message: PageRequest | { kind: 'done' }) => {
  work = work
    .then(() => (message.kind === 'page' ? read(message) : finish()))
    .catch((error: unknown) => {
      failure ??= error instanceof Error ? error.message : String(error);
      if (message.kind === 'done') port.postMessage({ kind: 'failed', message: failure });
    });
});
