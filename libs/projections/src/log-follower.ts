import type { EventStore, RecordedEvent, Unsubscribe } from '@partnerships/event-store/event-store';
import type { LogPage } from '@partnerships/event-store/log-page';
import { UnknownEventTypeError } from '@partnerships/domain/decode-event';
import { NetworkProjection } from './network-projection';

export type EventListener = (event: RecordedEvent) => void;
/** Hears an event as its page's row: `page.event(row)` makes the event, if it is needed. */
export type RowListener = (page: LogPage, row: number) => void;

/**
 * Keeps a projection up to date by following the store's global log from the
 * projection's checkpoint, woken by the store's commit notifications. Catch-ups never
 * overlap, and each call resolves once everything committed before it has been applied.
 */
export class LogFollower {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private unsubscribe: Unsubscribe | undefined;
  /** A new array at each change: the loop over every event reads a plain array. */
  private listeners: readonly EventListener[] = [];
  private rowListeners: readonly RowListener[] = [];

  /**
   * `onError` hears what could not be applied: a commit notification's failed catch-up, a
   * listener's error, and each event of a type this version does not know.
   */
  constructor(
    private readonly store: EventStore,
    readonly projection: NetworkProjection,
    private readonly pageSize = 10_000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Catches up with the whole log, then follows new commits. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.store.onCommit(() => {
      this.catchUp().catch(this.onError);
    });
    await this.catchUp();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  catchUp(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running.then(
      () => this.nextRound(),
      () => this.nextRound(),
    );
    return this.queued;
  }

  /** Calls `listener` with every event applied from now on, in commit order. */
  onEvent(listener: EventListener): Unsubscribe {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((known) => known !== listener);
    };
  }

  /**
   * Calls `listener` with every event applied from now on, in commit order, as its page's
   * row: a listener that needs only some of the events whole makes only those (at a
   * rebuild of a million events, making each one cost about a second).
   */
  onRow(listener: RowListener): Unsubscribe {
    this.rowListeners = [...this.rowListeners, listener];
    return () => {
      this.rowListeners = this.rowListeners.filter((known) => known !== listener);
    };
  }

  private nextRound(): Promise<void> {
    this.queued = undefined;
    return this.catchUp();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const page = await this.store.readPage({
        after: this.projection.checkpoint,
        limit: this.pageSize,
      });
      if (page.length === 0) return;
      for (let row = 0; row < page.length; row++) {
        try {
          this.projection.applyRow(page, row);
        } catch (error) {
          // An event this version cannot read is kept in the log (applied up to its
          // decoding) and reported; the events after it are still followed.
          if (!(error instanceof UnknownEventTypeError)) throw error;
          this.onError(error);
        }
        const rowListeners = this.rowListeners;
        for (let index = 0; index < rowListeners.length; index++) {
          try {
            rowListeners[index]!(page, row);
          } catch (error) {
            this.onError(error);
          }
        }
        const listeners = this.listeners;
        if (listeners.length === 0) continue;
        // Made only for listeners: a page's row is not an object until it is asked for.
        const event = page.event(row);
        for (let index = 0; index < listeners.length; index++) {
          const listener = listeners[index]!;
          try {
            listener(event);
          } catch (error) {
            this.onError(error);
          }
        }
      }
    }
  }
}
