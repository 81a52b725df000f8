import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { AuditTree } from '@partnerships/audit/audit-tree';
import { UnknownEventTypeError } from '@partnerships/domain/decode-event';
import { EVENT_STORE, EventStore } from '@partnerships/event-store/event-store';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { NetworkView } from '@partnerships/projections/network-view';
import { CLOCK, Clock, systemClock } from '../clock';
import { AuditConfig } from '../config';
import { AUDIT_CONFIG } from './audit-config';
import { AuditEvents } from '@partnerships/projections/audit-events';

/** How often a grown audit tree is checkpointed while serving. */
const CHECKPOINT_EVERY_MS = 60_000;

/**
 * The in-memory read model: the network projection and the log's audit tree, rebuilt from
 * the store's log at start and kept up to date by following it.
 */
@Injectable()
export class ReadModel implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReadModel.name);
  readonly projection = new NetworkProjection();
  readonly follower: LogFollower;
  readonly audit: AuditTree;
  private checkpointed = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Where the events themselves are read: the projection keeps none. */
    @Inject(EVENT_STORE) readonly store: EventStore,
    // Without one (tests that build a read model by hand): no checkpoint, no key.
    @Optional()
    @Inject(AUDIT_CONFIG)
    private readonly auditConfig: AuditConfig = { treeFile: undefined, signingKey: undefined },
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.follower = new LogFollower(store, this.projection, 10_000, (error) =>
      this.logger.error(
        error instanceof UnknownEventTypeError
          ? `event log: ${error.message}; it stays in the log and its stream's history`
          : `following the event log failed: ${String(error)}`,
      ),
    );
    const auditEvents = new AuditEvents(this.projection);
    const { tree, loaded, problem } = AuditTree.fromCheckpoint(
      auditConfig.treeFile,
      auditEvents.eventAt,
    );
    if (problem !== undefined) this.logger.warn(`audit tree checkpoint ignored: ${problem}`);
    this.checkpointed = loaded;
    this.audit = tree;
    // The tree follows the same log, event by event, in the same order as the projection.
    this.follower.onEvent((event) => {
      auditEvents.push(event);
      this.audit.apply(event);
    });
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await this.follower.start();
    this.logger.log(
      `read model rebuilt from ${this.projection.length} events in ${Date.now() - started} ms ` +
        `(audit tree: ${this.audit.computedLeaves} leaves hashed, the rest from its checkpoint)`,
    );
    if (this.auditConfig.treeFile === undefined) return;
    if (this.audit.computedLeaves > 0) this.saveCheckpoint();
    this.checkpointTimer = setInterval(() => {
      if (this.audit.size !== this.checkpointed) this.saveCheckpoint();
    }, CHECKPOINT_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    this.follower.stop();
    clearInterval(this.checkpointTimer);
    const file = this.auditConfig.treeFile;
    if (file === undefined || this.audit.size === this.checkpointed) return;
    try {
      this.audit.saveSync(file);
    } catch (error) {
      this.logger.warn(`could not checkpoint the audit tree: ${String(error)}`);
    }
  }

  /** The network now, as known now. */
  current(): NetworkView {
    const now = this.clock.now();
    return new NetworkView(this.projection, now, now, this.store);
  }

  /** The network at a pair of times; a knownAt later than now is taken as now. */
  at(asOf: Date | null | undefined, knownAt: Date | null | undefined): NetworkView {
    const now = this.clock.now();
    const known = knownAt == null || knownAt.getTime() > now.getTime() ? now : knownAt;
    return new NetworkView(this.projection, asOf ?? now, known, this.store);
  }

  /** Waits until every event committed so far is applied. */
  caughtUp(): Promise<void> {
    return this.follower.catchUp();
  }

  /** A lost checkpoint costs only time at the next start: failures are logged, not raised. */
  private saveCheckpoint(): void {
    const file = this.auditConfig.treeFile;
    if (file === undefined) return;
    const size = this.audit.size;
    this.audit.save(file).then(
      () => {
        this.checkpointed = size;
      },
      (error: unknown) => this.logger.warn(`could not checkpoint the audit tree: ${String(error)}`),
    );
  }
}
