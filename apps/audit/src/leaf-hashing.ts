import { Worker } from 'node:worker_threads';
import { eventLeafText } from '@partnerships/audit/leaf';
import { HASH_BYTES, leafHashLatin1OfText } from '@partnerships/audit/hashes';
import { HashList, MerkleTree } from '@partnerships/audit/merkle-tree';
import { builtWorker } from '@partnerships/event-store/built-worker';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { InputError } from './cli-support';

/** What the main thread asks of the worker: the page of the log it has just read. */
export interface PageRequest {
  readonly kind: 'page';
  readonly after: string | undefined;
  readonly count: number;
  /** The position of the page's last event, as the main thread read it. */
  readonly last: string;
}

/** What the worker answers at the end: the tree's levels, or why it could not build them. */
export type WorkerAnswer =
  | { readonly kind: 'tree'; readonly size: number; readonly levels: ArrayBuffer[] }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The Merkle tree of the log as `readLog` reads it, page by page. Canonical leaves and
 * SHA-256 are most of what verifying costs beside reading; with a second thread they are
 * computed there, from the same pages read again through the port by a connection of its
 * own (handing parsed events between threads costs more than reading them twice), while
 * this thread runs the checks. A page the worker reads differently (another count, another
 * last position) fails the run: the log changed under it.
 */
export interface LeafHashing {
  /** The page just read, starting after `after`; called before its events are used. */
  page(after: string | undefined, events: readonly RecordedEvent[]): void;
  /** The tree over every page given. */
  finish(): Promise<MerkleTree>;
  /** Stops the worker if there is one (after a failure elsewhere). */
  abandon(): Promise<void>;
}

/** On this thread: every leaf hashed as its page arrives. */
export class LeafHashingHere implements LeafHashing {
  private readonly tree = new MerkleTree();

  page(_after: string | undefined, events: readonly RecordedEvent[]): void {
    for (const event of events) this.tree.appendLatin1(leafHashLatin1OfText(eventLeafText(event)));
  }

  finish(): Promise<MerkleTree> {
    return Promise.resolve(this.tree);
  }

  abandon(): Promise<void> {
    return Promise.resolve();
  }
}

export class LeafHashingInWorker implements LeafHashing {
  private readonly answer: Promise<WorkerAnswer>;

  private constructor(private readonly worker: Worker) {
    this.answer = new Promise((resolve) => {
      worker.once('message', (message: WorkerAnswer) => resolve(message));
      worker.once('error', (error) => resolve({ kind: 'failed', message: error.message }));
      worker.once('exit', (code) =>
        resolve({ kind: 'failed', message: `the hashing thread stopped (exit code ${code})` }),
      );
    });
  }

  /** A worker reading the store at `url`; undefined when the built worker is not there. */
  static start(url: string): LeafHashingInWorker | undefined {
    const worker = builtWorker(__dirname, 'leaf-hashing-worker');
    if (worker === undefined) return undefined;
    return new LeafHashingInWorker(new Worker(worker, { workerData: { url } }));
  }

  page(after: string | undefined, events: readonly RecordedEvent[]): void {
    const request: PageRequest = {
      kind: 'page',
      after,
      count: events.length,
      last: events[events.length - 1].position,
    };
    this.worker.postMessage(request);
  }

  async finish(): Promise<MerkleTree> {
    this.worker.postMessage({ kind: 'done' });
    const answer = await this.answer;
    await this.worker.terminate();
    if (answer.kind === 'failed') throw new Error(`hashing the leaves: ${answer.message}`);
    return treeOfLevels(answer.size, answer.levels);
  }

  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * AUDIT_HASHING_THREADS through the port (EventStoreDB, `verify --against`, `export`): 1
 * hashes the leaves in a worker thread, 0 (the default here) on this one. Through the port
 * the worker's second reading builds every RecordedEvent again, which costs about what it
 * saves; `verify` on a SQLite file reads rows instead, in two halves on two threads by default
 * when a core is free (verify-threads.ts, log-partition.ts).
 */
export function leafHashing(url: string, env: NodeJS.ProcessEnv): LeafHashing {
  const threads = env['AUDIT_HASHING_THREADS'] ?? '0';
  if (threads === '0') return new LeafHashingHere();
  if (threads !== '1') {
    throw new InputError(`AUDIT_HASHING_THREADS must be 0 or 1, not ${JSON.stringify(threads)}`);
  }
  return LeafHashingInWorker.start(url) ?? new LeafHashingHere();
}

/** The levels of a tree of `size` leaves, as MerkleTree.levelBytes gives them, made a tree. */
export function treeOfLevels(size: number, levels: readonly ArrayBuffer[]): MerkleTree {
  const tree = new MerkleTree(
    levels.map((bytes) => HashList.over(Buffer.from(bytes), bytes.byteLength / HASH_BYTES)),
  );
  tree.advanceTo(size);
  return tree;
}
