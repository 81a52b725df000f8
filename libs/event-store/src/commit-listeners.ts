import { Unsubscribe } from './event-store';

/** The listeners an adapter calls after each commit, shielded from each other's failures. */
export class CommitListeners {
  private readonly entries = new Set<{ readonly listener: () => void }>();

  get size(): number {
    return this.entries.size;
  }

  /** The same function registered twice is two registrations, each removed by its own call. */
  add(listener: () => void): Unsubscribe {
    const entry = { listener };
    this.entries.add(entry);
    return () => {
      this.entries.delete(entry);
    };
  }

  clear(): void {
    this.entries.clear();
  }

  notify(): void {
    for (const { listener } of [...this.entries]) {
      try {
        const returned: unknown = listener();
        // An async listener's rejection would otherwise be unhandled and end the process.
        if (returned instanceof Promise) returned.catch(reportListenerError);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

function reportListenerError(error: unknown): void {
  process.emitWarning('an onCommit listener failed; the append itself was recorded', {
    type: 'EventStoreListenerError',
    detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
}
