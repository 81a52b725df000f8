/**
 * Reading the log ahead on the machine's other core: while a caller works through a full
 * page of `readAll`, a worker thread reads the next one from its own connection, so that a
 * rebuild or an audit pays for applying the events, not for SQLite's stepping as well.
 *
 * Only full pages are taken from the worker. Positions are issued by one writer at a time
 * and never reused, so the `limit` events after a position are the same whenever they are
 * read; a page that ends early may have been read before a commit, and is read again.
 */
import { Worker } from 'node:worker_threads';
import { builtWorker } from '../built-worker';
import type { LogPage } from '../log-page';
import { PageAnswer, PageRequest, ReadAheadData, logPageOf } from './read-ahead-page';

/** Pages smaller than this are read directly: the worker would cost more than it saves. */
export const READ_AHEAD_MIN_LIMIT = 1_000;

export class ReadAhead {
  private pending:
    { readonly request: PageRequest; readonly answer: Promise<PageAnswer> } | undefined;
  private readonly answers: ((answer: PageAnswer) => void)[] = [];
  private failed = false;
  /** The worker's table of stream ids and types, as far as pages taken brought it. */
  private readonly names: string[] = [];
  /** Pages the worker read that a caller took. */
  taken = 0;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (answer: PageAnswer) => {
      this.answers.shift()?.(answer);
      // An idle worker must not keep the process alive; one that is reading must.
      if (this.answers.length === 0) worker.unref();
    });
    // A worker that cannot run (the file gone, out of memory) only ends the read-ahead.
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
    worker.unref();
  }

  /** A read-ahead for the file, or none where no worker can run. */
  static start(file: string): ReadAhead | undefined {
    const worker = builtWorker(__dirname, 'read-ahead-worker');
    return worker === undefined
      ? undefined
      : new ReadAhead(new Worker(worker, { workerData: { file } satisfies ReadAheadData }));
  }

  /**
   * The full page after `after` if the worker read it; undefined when the caller must read
   * it itself (not asked for, ended early, refused).
   */
  async take(after: number, limit: number): Promise<LogPage | undefined> {
    const pending = this.pending;
    this.pending = undefined;
    if (
      pending === undefined ||
      pending.request.after !== after ||
      pending.request.limit !== limit
    ) {
      return undefined;
    }
    const answer = await pending.answer;
    const page =
      'failure' in answer || answer.known !== this.names.length
        ? undefined
        : logPageOf(answer, limit, this.names);
    if (page !== undefined) this.taken++;
    return page;
  }

  /** Asks the worker for the page after `after`, to be taken by the next call that wants it. */
  prefetch(after: number, limit: number): void {
    if (this.failed) return;
    const request = { after, limit, known: this.names.length };
    const answer = new Promise<PageAnswer>((resolve) => this.answers.push(resolve));
    this.worker.ref();
    this.worker.postMessage(request);
    this.pending = { request, answer };
  }

  async close(): Promise<void> {
    this.stop();
    await this.worker.terminate();
  }

  private stop(): void {
    this.failed = true;
    this.pending = undefined;
    const refused: PageAnswer = {
      after: -1,
      limit: 0,
      known: 0,
      failure: 'the read-ahead has stopped',
    };
    for (const answer of this.answers.splice(0)) answer(refused);
  }
}
