/**
 * The hashing thread of `audit verify` on a SQLite store (row-hashing.ts): reads the rows
 * the main thread checks through a connection of its own and builds the Merkle tree of
 * their leaves.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { eventLeafText } from '@partnerships/audit/leaf';
import { leafHashLatin1OfText } from '@partnerships/audit/hashes';
import { MerkleTree } from '@partnerships/audit/merkle-tree';
import type { RowHashingAnswer, RowHashingData } from './row-hashing';
import {
  RowReader,
  SqliteLogRows,
  eventOfRow,
  isPlainRow,
  pageFingerprint,
} from './sqlite-log-rows';

function hashRows({ file, extent }: RowHashingData): RowHashingAnswer {
  const rows = SqliteLogRows.open(file);
  try {
    const tree = MerkleTree.withRoomFor(extent.count);
    const reader = new RowReader();
    const fingerprints: number[] = [];
    for (const page of rows.pages(extent)) {
      fingerprints.push(pageFingerprint(page));
      for (const row of page) {
        if (isPlainRow(row)) {
          reader.read(row);
          tree.appendLatin1(reader.leafHash());
        } else {
          tree.appendLatin1(leafHashLatin1OfText(eventLeafText(eventOfRow(row))));
        }
      }
    }
    const levels = tree.levelBytes().map((bytes) => {
      const copy = new ArrayBuffer(bytes.length);
      new Uint8Array(copy).set(bytes);
      return copy;
    });
    return { kind: 'tree', size: tree.size, levels, fingerprints };
  } finally {
    rows.close();
  }
}

const port = parentPort;
if (port === null) throw new Error('row-hashing-worker runs only as a worker thread');
let answer: RowHashingAnswer;
try {
  answer = hashRows(workerData as RowHashingData);
} catch (error) {
  answer = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}
port.postMessage(answer, answer.kind === 'tree' ? answer.levels : []);
