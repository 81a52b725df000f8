import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@partnerships/event-store/event-store';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { NetworkView } from '@partnerships/projections/network-view';

/**
 * The in-memory read model: the network projection, rebuilt from the store's log at
 * start and kept up to date by following it.
 */
@Injectable()
export class ReadModel implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReadModel.name);
  readonly projection = new NetworkProjection();
  readonly follower: LogFollower;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.follower = new LogFollower(store, this.projection, 10_000, (error) =>
      this.logger.error(`following the event log failed: ${String(error)}`),
    );
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await this.follower.start();
    this.logger.log(
      `read model rebuilt from ${this.projection.log.length} events in ${Date.now() - started} ms`,
    );
  }

  onApplicationShutdown(): void {
    this.follower.stop();
  }

  /** The network now, as known now. */
  current(): NetworkView {
    const now = new Date();
    return new NetworkView(this.projection, now, now);
  }

  /** The network at a pair of times; a knownAt later than now is taken as now. */
  at(asOf: Date | null | undefined, knownAt: Date | null | undefined): NetworkView {
    const now = new Date();
    const known = knownAt == null || knownAt.getTime() > now.getTime() ? now : knownAt;
    return new NetworkView(this.projection, asOf ?? now, known);
  }

  /** Waits until every event committed so far is applied. */
  caughtUp(): Promise<void> {
    return this.follower.catchUp();
  }
}
