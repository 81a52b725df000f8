import type { AppendResult } from '../event-store';

export type Outcome = { readonly result: AppendResult } | { readonly error: unknown };

interface Pending<Append> {
  readonly append: Append;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: appends that arrive while a commit is being prepared share one durable
 * transaction, and every caller is answered only after the commit holding its events is on
 * disk. How a group is written (each append in a savepoint of its own, with its own
 * outcome) is the `commit` function's.
 */
export class GroupCommit<Append> {
  private pending: Pending<Append>[] = [];
  private counts = { commits: 0, appends: 0 };

  constructor(
    /** Writes the group in one transaction; throws when the transaction itself fails. */
    private readonly commit: (appends: readonly Append[]) => readonly Outcome[],
    /** Called after a commit that recorded anything new. */
    private readonly recorded: () => void,
    /** Told the size of every durable commit, before its callers are answered. */
    private readonly committed: (appends: number) => void = () => undefined,
  ) {}

  /** Queues an append for the next commit; resolves once it is on disk. */
  submit(append: Append): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ append, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits every pending append in one transaction, then answers each of them. */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let outcomes: readonly Outcome[];
    try {
      outcomes = this.commit(batch.map((pending) => pending.append));
    } catch (error) {
      // The commit itself failed: nothing of the batch is recorded, nobody is acknowledged.
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.counts.commits++;
    this.counts.appends += batch.length;
    this.committed(batch.length);
    let recorded = false;
    outcomes.forEach((outcome, index) => {
      if ('result' in outcome) {
        recorded ||= !outcome.result.repeated;
        batch[index].resolve(outcome.result);
      } else {
        batch[index].reject(outcome.error);
      }
    });
    if (recorded) this.recorded();
  }

  /** How many durable commits the appends so far took: appends / commits is the group size. */
  stats(): { readonly commits: number; readonly appends: number } {
    return { ...this.counts };
  }
}
