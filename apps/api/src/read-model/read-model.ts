import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import {
  AuditCheckpoint,
  AuditTree,
  checkpointLevels,
  readAuditCheckpoint,
} from '@partnerships/audit/audit-tree';
import { UnknownEventTypeError } from '@partnerships/domain/decode-event';
import { EVENT_STORE, EventStore, RecordedEvent } from '@partnerships/event-store/event-store';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { NetworkView } from '@partnerships/projections/network-view';
import { AuditEvents } from '@partnerships/projections/audit-events';
import {
  LastEvent,
  SnapshotHeader,
  describeProblem,
  fitsStore,
  projectionOf,
  projectionSchemaHash,
  readSnapshot,
  takeSnapshot,
} from '@partnerships/projections/snapshot-file';
import { CLOCK, Clock, systemClock } from '../clock';
import { AuditConfig, SnapshotConfig } from '../config';
import { AUDIT_CONFIG } from './audit-config';
import {
  SNAPSHOT_CONFIG,
  SnapshotStatus,
  SnapshotWriter,
  writtenByProcess,
  writtenByServer,
} from './snapshot-writer';
import { SnapshotProcess } from './snapshot-process';
import { applyRowToAuditTree, catchUpAuditTree } from './audit-catch-up';
import { START_FILES, StartFiles } from './start-files';

/** How often a grown audit tree is checkpointed while serving. */
const CHECKPOINT_EVERY_MS = 60_000;

/**
 * The in-memory read model: the network projection and the log's audit tree, started from
 * the latest usable snapshot (or from the first event) and kept up to date by following
 * the store's log.
 */
@Injectable()
export class ReadModel implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReadModel.name);
  readonly projection: NetworkProjection;
  readonly follower: LogFollower;
  private auditTree: AuditTree | undefined;
  private checkpointed = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** Events of the log the projection holds (those of its snapshot included). */
  private applied = 0;
  /** Events the snapshot it started from holds; the audit tree takes them at start. */
  private fromSnapshot: number;
  private readonly snapshotHeader: SnapshotHeader | undefined;
  /**
   * The last event applied, named in the next snapshot so that a start can find it: the
   * snapshot's until an event is applied, then that event (named only when a snapshot is
   * taken, so that following the log reads no event's metadata for it).
   */
  private lastEvent: LastEvent | RecordedEvent | undefined;
  private readonly snapshots: SnapshotWriter | undefined;
  private readonly snapshotFile: string | undefined;
  /** The events the audit tree asks for by leaf index (the projection keeps only their ids). */
  private readonly auditEvents: AuditEvents;

  constructor(
    /** Where the events themselves are read: the projection keeps none. */
    @Inject(EVENT_STORE) readonly store: EventStore,
    // Without one (tests that build a read model by hand): no checkpoint, no key.
    @Optional()
    @Inject(AUDIT_CONFIG)
    private readonly auditConfig: AuditConfig = { treeFile: undefined, signingKey: undefined },
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
    @Optional()
    @Inject(SNAPSHOT_CONFIG)
    snapshotConfig: SnapshotConfig = {
      file: undefined,
      everyEvents: 100_000,
      everyMinutes: 10,
      writer: 'server',
      storeUrl: '',
    },
    /** The snapshot and the checkpoint read since the process began, if they were. */
    @Optional()
    @Inject(START_FILES)
    private readonly startFiles: StartFiles | undefined = undefined,
  ) {
    this.snapshotFile = snapshotConfig.file;
    const snapshot = this.loadSnapshot(snapshotConfig.file);
    this.projection = snapshot?.projection ?? new NetworkProjection();
    this.applied = this.fromSnapshot = snapshot?.header.events ?? 0;
    this.snapshotHeader = snapshot?.header;
    this.lastEvent = snapshot?.header.lastEvent;
    if (snapshotConfig.file !== undefined) {
      const file = snapshotConfig.file;
      this.snapshots = new SnapshotWriter(
        file,
        snapshotConfig,
        snapshotConfig.writer === 'process'
          ? writtenByProcess(new SnapshotProcess(file, snapshotConfig.storeUrl))
          : writtenByServer(file, () =>
              takeSnapshot(this.projection, this.applied, this.lastEventNamed()),
            ),
        () => this.applied,
        {
          info: (message) => this.logger.log(message),
          warn: (message) => this.logger.warn(message),
        },
        snapshot?.header,
      );
    }
    this.follower = new LogFollower(store, this.projection, 10_000, (error) =>
      this.logger.error(
        error instanceof UnknownEventTypeError
          ? `event log: ${error.message}; it stays in the log and its stream's history`
          : `following the event log failed: ${String(error)}`,
      ),
    );
    this.auditEvents = new AuditEvents(this.projection);
    // The tree follows the same log, event by event, in the same order as the projection,
    // as rows: an event is made only where the tree reads it, and for the page's last row
    // (a snapshot, taken between pages, names the last event applied).
    this.follower.onRow((page, row) => {
      applyRowToAuditTree(this.audit, this.auditEvents, page, row);
      this.applied++;
      if (row === page.length - 1) this.lastEvent = page.event(row);
      this.snapshots?.eventApplied();
    });
  }

  private lastEventNamed(): LastEvent | undefined {
    const last = this.lastEvent;
    return last === undefined || !('metadata' in last)
      ? last
      : { id: last.id, commandId: last.metadata.commandId };
  }

  /** The log's Merkle tree; there from the start of onModuleInit on. */
  get audit(): AuditTree {
    if (this.auditTree === undefined) throw new Error('the audit tree is not read yet');
    return this.auditTree;
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    const treeFile = this.auditConfig.treeFile;
    const checkpoint = await this.readCheckpoint(treeFile);
    const { tree, loaded, problem } = AuditTree.fromRead(checkpoint, {
      eventAt: (index) => this.auditEvents.eventAt(index),
      indexOf: (eventId) => this.auditEvents.indexOf(eventId),
    });
    if (problem !== undefined) this.logger.warn(`audit tree checkpoint ignored: ${problem}`);
    this.checkpointed = loaded;
    this.auditTree = tree;
    if (this.snapshotHeader !== undefined && !(await fitsStore(this.store, this.snapshotHeader))) {
      this.logger.warn(
        `snapshot ${this.snapshotFile} ignored: the store does not hold its last event at its ` +
          'checkpoint (a store restored from an older backup, or the snapshot of another store); ' +
          'rebuilding from the log',
      );
      // Emptied in place: the list sizes and the follower already hold this projection.
      Object.assign(this.projection, new NetworkProjection());
      this.applied = this.fromSnapshot = 0;
      this.lastEvent = undefined;
      this.snapshots?.forget();
    }
    // The tree takes the snapshot's events first, wherever its own checkpoint ended: behind
    // them it hashes the missing leaves, ahead of them it checks its leaves as they come.
    // The projection holds none of them whole: what the tree must see is read from the store.
    await catchUpAuditTree(
      this.audit,
      this.auditEvents,
      this.projection,
      this.store,
      this.fromSnapshot,
    );
    const treeReady = Date.now();
    await this.follower.start();
    this.logger.log(
      (this.fromSnapshot > 0
        ? `read model started from a snapshot of ${this.fromSnapshot} events, then ` +
          `${this.applied - this.fromSnapshot} events from the log, in ${Date.now() - started} ms `
        : `read model rebuilt from ${this.applied} events in ${Date.now() - started} ms `) +
        `(audit tree: ${this.audit.computedLeaves} leaves hashed, the rest from its checkpoint; ` +
        `${treeReady - started} ms for the snapshot's events)`,
    );
    await this.snapshots?.start();
    if (this.auditConfig.treeFile === undefined) return;
    if (this.audit.computedLeaves > 0) this.saveCheckpoint();
    this.checkpointTimer = setInterval(() => {
      if (this.audit.size !== this.checkpointed) this.saveCheckpoint();
    }, CHECKPOINT_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    this.follower.stop();
    // A write under way is left to finish or die with the process: the previous snapshot
    // stays whole either way, and its temporary file is removed at the next start.
    this.snapshots?.stop();
    clearInterval(this.checkpointTimer);
    const file = this.auditConfig.treeFile;
    const tree = this.auditTree;
    if (file === undefined || tree === undefined || tree.size === this.checkpointed) return;
    try {
      tree.saveSync(file);
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

  /** The snapshots written and loaded, for the metrics; undefined when there are none. */
  get snapshotStatus(): SnapshotStatus | undefined {
    return this.snapshots?.snapshot;
  }

  /**
   * The projection of the snapshot at `file` if it is usable; otherwise one log line says
   * why (nothing when there is none yet) and the model is rebuilt from the log.
   */
  private loadSnapshot(
    file: string | undefined,
  ): { projection: NetworkProjection; header: SnapshotHeader } | undefined {
    if (file === undefined) return undefined;
    const started = Date.now();
    const readAside = this.startFiles?.snapshot(file);
    const decoded = projectionOf(readAside?.read ?? readSnapshot(file, projectionSchemaHash()));
    // Read aside, its checksum was taken meanwhile: a payload it refuses explains any
    // failure to decode, and nothing decoded from it is used.
    const refused = readAside?.checksum();
    const loaded = refused === undefined ? decoded : { problem: refused };
    if ('problem' in loaded) {
      if (loaded.problem.kind !== 'missing') {
        this.logger.warn(`${describeProblem(file, loaded.problem)}; rebuilding from the log`);
      }
      return undefined;
    }
    const { header } = loaded;
    this.logger.log(
      `snapshot ${file} loaded: ${header.events} events, taken ${new Date(header.takenAt).toISOString()}, ` +
        `${header.payloadBytes} bytes in ${Date.now() - started} ms` +
        (readAside === undefined
          ? ''
          : " (read on a second thread while the server's code loaded, and checked there while it was decoded)"),
    );
    return { projection: loaded.projection, header };
  }

  /** The audit tree's checkpoint at `file`: as read since the process began, or read now. */
  private async readCheckpoint(file: string | undefined): Promise<AuditCheckpoint> {
    const readAside = await this.startFiles?.checkpoint(file);
    if (readAside === undefined) return readAuditCheckpoint(file);
    const { verified, problem } = readAside;
    return { problem, levels: verified === undefined ? undefined : checkpointLevels(verified) };
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
