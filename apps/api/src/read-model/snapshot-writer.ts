import {
  TakenSnapshot,
  removeLeftovers,
  writeFileDurably,
} from '@partnerships/projections/snapshot-file';
import type { SnapshotConfig } from '../config';
import { SnapshotProcess } from './snapshot-process';

/** The snapshot settings of the configuration (see SnapshotConfig), injected by this token. */
export const SNAPSHOT_CONFIG = Symbol('SnapshotConfig');

/** What an operator sees of the snapshots (the metrics read it). */
export interface SnapshotStatus {
  /** When the newest snapshot on disk (loaded at start or written since) was taken, ms. */
  readonly takenAt: number | undefined;
  /** The events it covers. */
  readonly events: number;
  /** The last one written by this process: its size, the time the event loop was held, in all. */
  readonly lastBytes: number | undefined;
  readonly lastBlockedMs: number | undefined;
  readonly lastDurationMs: number | undefined;
}

/** A snapshot on disk, as the one who wrote it tells. */
export interface WrittenSnapshot {
  readonly events: number;
  readonly takenAt: number;
  readonly bytes: number;
  /** How long the server's event loop was held for it. */
  readonly blockedMs: number;
  /** Words for the log line beyond the figures ('' for none). */
  readonly how: string;
}

/** Who writes the snapshots. */
export interface SnapshotWrites {
  /** Writes the snapshot of the model as it stands (or of the whole log) to the file. */
  write(): Promise<WrittenSnapshot>;
  /** Gives up a write under way where it can. */
  stop(): void;
}

/**
 * Snapshots taken by the server itself (SNAPSHOT_WRITER=server): taking the state holds
 * the event loop, since the state must not change while it is serialised; writing does not.
 */
export function writtenByServer(file: string, take: () => TakenSnapshot): SnapshotWrites {
  return {
    async write() {
      const taken = take();
      await writeFileDurably(file, taken.parts);
      return {
        events: taken.header.events,
        takenAt: taken.header.takenAt,
        bytes: taken.bytes,
        blockedMs: taken.blockedMs,
        how: '',
      };
    },
    stop() {},
  };
}

/** Snapshots written by a process of their own (SNAPSHOT_WRITER=process, see SnapshotProcess). */
export function writtenByProcess(writer: SnapshotProcess): SnapshotWrites {
  return {
    async write() {
      const renewed = await writer.run();
      return {
        events: renewed.events,
        takenAt: renewed.takenAt,
        bytes: renewed.bytes,
        blockedMs: 0,
        how:
          renewed.fromSnapshot > 0
            ? `; by a separate process, from the snapshot of ${renewed.fromSnapshot} events and the log since`
            : `; by a separate process, from the log` +
              (renewed.ignored === undefined ? '' : ` (${renewed.ignored})`),
      };
    },
    stop: () => writer.stop(),
  };
}

/**
 * Writes the read model's snapshot in the background: once `everyEvents` events were applied
 * since the last one, or every `everyMinutes` when any was. One write at a time, by `write`
 * (the server itself, or a process of its own). A failed write is reported and costs only
 * time at the next start.
 */
export class SnapshotWriter {
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Immediate | undefined;
  private status: SnapshotStatus;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly config: Pick<SnapshotConfig, 'everyEvents' | 'everyMinutes'>,
    private readonly writes: SnapshotWrites,
    /** Events applied so far. */
    private readonly applied: () => number,
    private readonly report: { info(message: string): void; warn(message: string): void },
    loaded: { takenAt: number; events: number } | undefined,
  ) {
    this.status = {
      takenAt: loaded?.takenAt,
      events: loaded?.events ?? 0,
      lastBytes: undefined,
      lastBlockedMs: undefined,
      lastDurationMs: undefined,
    };
  }

  /** The snapshot it started with did not fit the store: as if there were none. */
  forget(): void {
    this.status = Object.assign({}, this.status, { takenAt: undefined, events: 0 });
  }

  get snapshot(): SnapshotStatus {
    return this.status;
  }

  /** Clears what killed writers left, writes one now if the log outgrew the snapshot, and goes on. */
  async start(): Promise<void> {
    const removed = await removeLeftovers(this.file);
    if (removed.length > 0) {
      this.report.info(`removed ${removed.length} unfinished snapshot file(s) beside ${this.file}`);
    }
    const behind = this.applied() - this.status.events;
    // A start that rebuilt from the first event writes one at once: the next start is quick.
    if (behind >= this.config.everyEvents || (this.status.takenAt === undefined && behind > 0)) {
      this.soon();
    }
    this.timer = setInterval(() => {
      if (this.applied() > this.status.events) this.soon();
    }, this.config.everyMinutes * 60_000).unref();
  }

  /** Called after each applied event. */
  eventApplied(): void {
    if (this.applied() - this.status.events >= this.config.everyEvents) this.soon();
  }

  stop(): void {
    this.stopped = true;
    this.writes.stop();
    clearInterval(this.timer);
    if (this.pending !== undefined) clearImmediate(this.pending);
    this.pending = undefined;
  }

  /** Writes a snapshot now (unless one is being written), resolving when it is on disk. */
  write(): Promise<void> {
    this.writing ??= this.writeNow().then((written) => {
      this.writing = undefined;
      // Events applied while it was written asked for none (one was under way). After a
      // failure the next event or the timer asks again, not a loop of retries.
      if (written) this.eventApplied();
    });
    return this.writing;
  }

  /** Between two events, never within the caller's turn. */
  private soon(): void {
    if (this.pending !== undefined || this.writing !== undefined || this.stopped) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      void this.write();
    });
  }

  private async writeNow(): Promise<boolean> {
    const started = performance.now();
    try {
      const written = await this.writes.write();
      this.status = {
        takenAt: written.takenAt,
        events: written.events,
        lastBytes: written.bytes,
        lastBlockedMs: written.blockedMs,
        lastDurationMs: performance.now() - started,
      };
      this.report.info(
        `snapshot written to ${this.file}: ${written.events} events, ${written.bytes} bytes, ` +
          `in ${Math.round(this.status.lastDurationMs!)} ms (event loop held ${Math.round(written.blockedMs)} ms${written.how})`,
      );
      return true;
    } catch (error) {
      if (this.stopped) return false;
      this.report.warn(`could not write the snapshot ${this.file}: ${String(error)}`);
      return false;
    }
  }
}
