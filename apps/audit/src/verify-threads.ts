import { CpuInfo, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtWorker } from '@partnerships/event-store/built-worker';
import { InputError } from './cli-support';
import type { PartAnswer } from './log-partition';
import type { PartData } from './log-partition-worker';
import type { LogExtent } from './sqlite-log-rows';

/**
 * The second part of a SQLite log (log-partition.ts) read and checked on a worker thread,
 * through a connection of its own, while this thread reads the first.
 */
export class PartInWorker {
  private readonly answer: Promise<PartAnswer>;

  private constructor(
    private readonly worker: Worker,
    private readonly progress: Int32Array,
  ) {
    this.answer = new Promise((resolve) => {
      worker.once('message', (message: PartAnswer) => resolve(message));
      worker.once('error', (error) => resolve({ kind: 'failed', message: error.message }));
      worker.once('exit', (code) =>
        resolve({ kind: 'failed', message: `the second thread stopped (exit code ${code})` }),
      );
    });
  }

  /** A worker reading `file` up to `extent`; undefined when the built worker is not there. */
  static start(file: string, extent: LogExtent): PartInWorker | undefined {
    const worker = builtWorker(__dirname, 'log-partition-worker');
    if (worker === undefined) return undefined;
    const progress = new SharedArrayBuffer(4);
    const workerData: PartData = { file, extent, progress };
    return new PartInWorker(new Worker(worker, { workerData }), new Int32Array(progress));
  }

  /** Rows the worker has read so far. */
  get read(): number {
    return Atomics.load(this.progress, 0);
  }

  /** The worker's part; throws when it failed. */
  async finish(): Promise<Exclude<PartAnswer, { kind: 'failed' }>> {
    const answer = await this.answer;
    await this.worker.terminate();
    if (answer.kind === 'failed')
      throw new Error(`reading the log's second half: ${answer.message}`);
    return answer;
  }

  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * AUDIT_HASHING_THREADS: 1 reads and checks half of a SQLite log on a worker thread
 * (log-partition.ts), 0 all of it on one thread. Unset, a worker is used when a core is free
 * for it: 2 or more cores, of which fewer than `cores - 0.5` are busy (busyCores: measured
 * over a moment, not the 1-minute load average, which still counts work that has just
 * ended). Two threads on a busy machine only take turns.
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
