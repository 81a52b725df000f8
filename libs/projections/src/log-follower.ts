import type { EventStore, RecordedEvent, Unsubscribe } from '@partnerships/event-store/event-store';
import { NetworkProjection } from './network-projection';

export type EventListener = (event: RecordedEvent) => void;

/**
 * Keeps a projection up to date by following the store's global log from the
 * projection's checkpoint, woken by the store's commit notifications. Catch-ups never
 * overlap, and each call resolves once everything committed before it has been applied.
 */
export class LogFollower {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private readonly listeners = new Set<EventListener>();

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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private nextRound(): Promise<void> {
    this.queued = undefined;
    return this.catchUp();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({
        after: this.projection.checkpoint,
        limit: this.pageSize,
      });
      if (page.length === 0) return;
      for (const event of page) {
        this.projection.apply(event);
        for (const listener of this.listeners) {
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
