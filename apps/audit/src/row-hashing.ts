import { CpuInfo, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MerkleTree } from '@partnerships/audit/merkle-tree';
import { builtWorker } from '@partnerships/event-store/built-worker';
import { InputError } from './cli-support';
import { treeOfLevels } from './leaf-hashing';
import type { LogExtent } from './sqlite-log-rows';

/** What the worker is given: the file and how far to read it. */
export interface RowHashingData {
  readonly file: string;
  readonly extent: LogExtent;
}

/** What the worker answers: the tree's levels and its pages' fingerprints, or why not. */
export type RowHashingAnswer =
  | {
      readonly kind: 'tree';
      readonly size: number;
      readonly levels: ArrayBuffer[];
      readonly fingerprints: number[];
    }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * The leaves of a SQLite log hashed on a second thread: it reads the same rows (the same
 * extent, in pages of the same size) through a connection of its own and builds the tree,
 * while this thread runs the checks. Reading twice costs less than handing rows between
 * threads, and each thread then does about half of the work. The two readings must agree:
 * every page's fingerprint (sqlite-log-rows.ts) is compared, else the run fails.
 */
export class RowHashingInWorker {
  private readonly answer: Promise<RowHashingAnswer>;

  private constructor(private readonly worker: Worker) {
    this.answer = new Promise((resolve) => {
      worker.once('message', (message: RowHashingAnswer) => resolve(message));
      worker.once('error', (error) => resolve({ kind: 'failed', message: error.message }));
      worker.once('exit', (code) =>
        resolve({ kind: 'failed', message: `the hashing thread stopped (exit code ${code})` }),
      );
    });
  }

  /** A worker reading `file` up to `extent`; undefined when the built worker is not there. */
  static start(file: string, extent: LogExtent): RowHashingInWorker | undefined {
    const worker = builtWorker(__dirname, 'row-hashing-worker');
    if (worker === undefined) return undefined;
    const workerData: RowHashingData = { file, extent };
    return new RowHashingInWorker(new Worker(worker, { workerData }));
  }

  /** The tree of the rows the worker read, which must be the pages `fingerprints` describe. */
  async finish(fingerprints: readonly number[]): Promise<MerkleTree> {
    const answer = await this.answer;
    await this.worker.terminate();
    if (answer.kind === 'failed') throw new Error(`hashing the leaves: ${answer.message}`);
    const differs = answer.fingerprints.findIndex((value, page) => value !== fingerprints[page]);
    if (differs >= 0 || answer.fingerprints.length !== fingerprints.length) {
      const page =
        differs >= 0 ? differs : Math.min(answer.fingerprints.length, fingerprints.length);
      throw new Error(
        `the log changed while it was read: the two readings differ from page ${page} ` +
          `(of ${fingerprints.length}) on; run verify again`,
      );
    }
    return treeOfLevels(answer.size, answer.levels);
  }

  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * AUDIT_HASHING_THREADS: 1 hashes the leaves in a worker thread, 0 on the thread that runs
 * the checks. Unset, a worker is used when a core is free for it: 2 or more cores, of which
 * fewer than `cores - 0.5` are busy (busyCores: measured over a moment, not the 1-minute load
 * average, which still counts work that has just ended). The worker reads the rows a second
 * time, which pays when its core is otherwise idle (verify then takes about the slower
 * half's time instead of the sum) and costs when it is not: on the 2-core bench machine at
 * load average 5-6 from other work, the 1M verify took 30-38 s with the worker and 25-27 s
 * without it (README, Performance).
 */
export function hashingThreads(env: NodeJS.ProcessEnv, cores: number, busy: number): 0 | 1 {
  const threads = env['AUDIT_HASHING_THREADS'];
  if (threads === undefined || threads === '') return cores >= 2 && busy < cores - 0.5 ? 1 : 0;
  if (threads === '0') return 0;
  if (threads === '1') return 1;
  throw new InputError(`AUDIT_HASHING_THREADS must be 0 or 1, not ${JSON.stringify(threads)}`);
}

/** How many of the machine's cores were busy (not idle) over the next `sampleMs`. */
export async function busyCores(sampleMs = 200): Promise<number> {
  const before = cpus();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = cpus();
  let busy = 0;
  after.forEach((core, index) => {
    const earlier = before[index];
    if (earlier === undefined) return;
    const total = timeOf(core) - timeOf(earlier);
    if (total > 0) busy += 1 - (core.times.idle - earlier.times.idle) / total;
  });
  return busy;
}

function timeOf({ times }: CpuInfo): number {
  return times.user + times.nice + times.sys + times.idle + times.irq;
}
