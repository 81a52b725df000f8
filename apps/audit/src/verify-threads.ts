import { CpuInfo, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtWorker } from '@partnerships/event-store/built-worker';
import { InputError } from './cli-support';
import { PartAnswer, PartChunk, PartKeys, Repeats, postableKeys } from './log-partition';
import type { PartData, RepeatsAnswer } from './log-partition-worker';
import type { LogExtent } from './sqlite-log-rows';

/**
 * The second part of a SQLite log (log-partition.ts) read and checked on a worker thread,
 * through a connection of its own, while this thread reads the first; then the ids and
 * commands repeated across both parts, found there while this thread merges them.
 */
export class PartInWorker {
  private readonly answer: Promise<PartAnswer>;
  private readonly repeatsFound: Promise<RepeatsAnswer>;
  /** Chunks that came before anyone took them. */
  private readonly chunks: PartChunk[] = [];
  private takeChunk: ((chunk: PartChunk) => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly progress: Int32Array,
  ) {
    let answered: ((answer: PartAnswer) => void) | undefined;
    let found: ((answer: RepeatsAnswer) => void) | undefined;
    this.answer = new Promise((resolve) => (answered = resolve));
    this.repeatsFound = new Promise((resolve) => (found = resolve));
    // A failure or a stop ends whichever answer is still to come.
    const failed = (message: string): void => {
      answered?.({ kind: 'failed', message });
      found?.({ kind: 'failed', message });
    };
    worker.on('message', (message: PartChunk | PartAnswer | RepeatsAnswer) => {
      if (message.kind === 'chunk') {
        if (this.takeChunk === undefined) this.chunks.push(message);
        else this.takeChunk(message);
      } else if (message.kind === 'repeats') {
        found?.(message);
      } else if (message.kind === 'failed') {
        failed(message.message);
      } else {
        answered?.(message);
      }
    });
    worker.once('error', (error) => failed(error.message));
    worker.once('exit', (code) => failed(`the second thread stopped (exit code ${code})`));
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

  /** Hands every chunk of rows to `take`: those that came before now, the rest as they come. */
  onChunk(take: (chunk: PartChunk) => void): void {
    for (const chunk of this.chunks.splice(0)) take(chunk);
    this.takeChunk = take;
  }

  /**
   * Gives the worker the first part's keys, for it to find the repeats of both parts
   * once it has read its own (repeats).
   */
  sendKeys(first: PartKeys): void {
    const { message, transfer } = postableKeys(first);
    this.worker.postMessage(message, transfer);
  }

  /** The worker's part; throws when it failed. */
  async finish(): Promise<Exclude<PartAnswer, { kind: 'failed' }>> {
    const answer = await this.answer;
    if (answer.kind === 'failed')
      throw new Error(`reading the log's second half: ${answer.message}`);
    return answer;
  }

  /** The ids and commands repeated across both parts (after sendKeys); the worker then ends. */
  async repeats(): Promise<Repeats> {
    const answer = await this.repeatsFound;
    await this.worker.terminate();
    if (answer.kind === 'failed') {
      throw new Error(`finding repeated ids and commands: ${answer.message}`);
    }
    return { ids: answer.ids, commands: answer.commands };
  }

  async abandon(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * AUDIT_HASHING_THREADS: 1 reads and checks half of a SQLite log on a worker thread
 * (log-partition.ts), 0 all of it on one thread; undefined when unset (then
 * {@link coreIsFree} decides).
 */
export function hashingThreads(env: NodeJS.ProcessEnv): 0 | 1 | undefined {
  const threads = env['AUDIT_HASHING_THREADS'];
  if (threads === undefined || threads === '') return undefined;
  if (threads === '0') return 0;
  if (threads === '1') return 1;
  throw new InputError(`AUDIT_HASHING_THREADS must be 0 or 1, not ${JSON.stringify(threads)}`);
}

/**
 * Whether a second thread pays: 2 or more cores, of which the machine's other work keeps
 * fewer than `cores - 0.5` busy (CoreSample: measured over a moment, not the 1-minute load
 * average, which still counts work that has just ended). Two threads on a busy machine only
 * take turns.
 */
export function coreIsFree(cores: number, othersBusy: number): boolean {
  return cores >= 2 && othersBusy < cores - 0.5;
}

/**
 * The machine's use of its cores from the moment it is made: how many were busy (not idle)
 * since then, read at any time after (busyCores).
 */
export class CoreSample {
  private readonly cores = cpus();
  private readonly own = process.cpuUsage();
  private readonly startedAt = performance.now();

  /** Milliseconds since the sample began. */
  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Cores busy since the sample began; `excludingOwn`: less this process's own use. */
  busyCores(excludingOwn = false): number {
    const after = cpus();
    const own = process.cpuUsage(this.own);
    const elapsedMs = this.elapsedMs;
    let busy = 0;
    after.forEach((core, index) => {
      const earlier = this.cores[index];
      if (earlier === undefined) return;
      const total = timeOf(core) - timeOf(earlier);
      if (total > 0) busy += 1 - (core.times.idle - earlier.times.idle) / total;
    });
    if (!excludingOwn) return busy;
    return Math.max(0, busy - (own.user + own.system) / 1000 / elapsedMs);
  }
}

function timeOf({ times }: CpuInfo): number {
  return times.user + times.nice + times.sys + times.idle + times.irq;
}
