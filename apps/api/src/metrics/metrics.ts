import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import {
  Counter,
  Gauge,
  Histogram,
  MetricObjectWithValues,
  MetricValue,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';
import { DomainError, RuleViolationError } from '@partnerships/domain/common/errors';
import { EVENT_STORE, EventStore, Unsubscribe } from '@partnerships/event-store/event-store';
import { CommandObserver } from '../commands/command-recorder';
import { LoggedRequest } from '../logging';
import { ReadModel } from '../read-model/read-model';

/** Without a cheap count from the store, the events behind are counted by reading, up to here. */
export const LAG_COUNT_LIMIT = 100_000;
const LAG_PAGE = 10_000;

/** How a command ended, as the metrics label it: a closed set, whatever the error says. */
export type CommandOutcome = 'recorded' | 'refused' | 'conflict' | 'error';

const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

/**
 * What an operator needs to see what the bench measures, in the Prometheus text format:
 * request and command latencies, group-commit sizes, the SQLite log not yet checkpointed,
 * how far the read model is behind the log, the audit tree's size, and the process (memory,
 * event loop, GC). Every label has a bounded set of values: operation types, route
 * patterns, command and rule names.
 */
@Injectable()
export class Metrics implements CommandObserver, OnModuleInit, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly requestDuration = new Histogram({
    name: 'partnerships_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, GraphQL operation type (none outside GraphQL) and status code.',
    labelNames: ['route', 'operation', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly commandDuration = new Histogram({
    name: 'partnerships_command_duration_seconds',
    help: 'Commands (mutations) from validation to the read model holding the result, by command and outcome: recorded, refused (by a rule, a missing entity or bad input), conflict (expectedVersion), error.',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'partnerships_command_refusals_total',
    help: 'Refused commands by command and reason: the rule broken, NOT_FOUND or BAD_USER_INPUT.',
    labelNames: ['command', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly groupCommits = new Histogram({
    name: 'partnerships_event_store_group_commit_appends',
    help: 'Appends that shared one durable commit (stores that commit appends in groups).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModel: ReadModel,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const lag = { events: 0, seconds: 0 };
    // Both gauges are read at each scrape, from one look at the log.
    let measuring: Promise<void> | undefined;
    const measureLag = (): Promise<void> =>
      (measuring ??= this.measureLag(lag).finally(() => {
        measuring = undefined;
      }));
    new Gauge({
      name: 'partnerships_projection_lag_events',
      help: `Events recorded in the log that the read model has not applied yet (counted up to ${LAG_COUNT_LIMIT} where the store cannot count them cheaply).`,
      registers: [this.registry],
      async collect() {
        await measureLag();
        this.set(lag.events);
      },
    });
    new Gauge({
      name: 'partnerships_projection_lag_seconds',
      help: 'How long ago the oldest event the read model has not applied yet was recorded; 0 when it holds the whole log.',
      registers: [this.registry],
      async collect() {
        await measureLag();
        this.set(lag.seconds);
      },
    });
    const model = this.readModel;
    const eventStore = this.store;
    this.optionalGauge(
      'partnerships_snapshot_age_seconds',
      "Seconds since the read model's newest snapshot (loaded at start or written since) was taken; absent while there is none.",
      () => {
        const takenAt = model.snapshotStatus?.takenAt;
        return takenAt === undefined ? undefined : (Date.now() - takenAt) / 1000;
      },
    );
    this.optionalGauge(
      'partnerships_snapshot_events',
      "Events of the log the read model's newest snapshot holds.",
      () => {
        const status = model.snapshotStatus;
        return status?.takenAt === undefined ? undefined : status.events;
      },
    );
    this.optionalGauge(
      'partnerships_snapshot_last_write_seconds',
      'How long the last snapshot written by this process took, from taking the state to the file on disk.',
      () => seconds(model.snapshotStatus?.lastDurationMs),
    );
    this.optionalGauge(
      'partnerships_snapshot_last_blocked_seconds',
      'How long taking the last snapshot held the event loop (exporting and serialising the state).',
      () => seconds(model.snapshotStatus?.lastBlockedMs),
    );
    this.optionalGauge(
      'partnerships_snapshot_last_bytes',
      'Size of the last snapshot file written by this process.',
      () => model.snapshotStatus?.lastBytes,
    );
    this.optionalGauge(
      'partnerships_event_store_wal_frames_pending',
      "Frames of the SQLite write-ahead log not yet copied into the database file, at the checkpoint thread's last checkpoint; absent without the thread.",
      () => {
        const report = eventStore.checkpointThreadReport?.();
        return report === undefined ? undefined : report.log - report.checkpointed;
      },
    );
    new Gauge({
      name: 'partnerships_audit_tree_leaves',
      help: 'Leaves of the audit tree: the events of the log it covers.',
      registers: [this.registry],
      collect() {
        this.set(model.audit.size);
      },
    });
  }

  onModuleInit(): void {
    this.unsubscribe = this.store.onGroupCommit?.((appends) => this.groupCommits.observe(appends));
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Every request passes here: the callback form costs no promise.
    fastify.addHook('onResponse', (request, reply, done) => {
      this.requestDuration.observe(
        {
          route: request.routeOptions.url ?? 'unmatched',
          operation: operationType(request.raw as LoggedRequest),
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  recorded(name: string, seconds: number): void {
    this.commandDuration.observe({ command: name, outcome: 'recorded' }, seconds);
  }

  failed(name: string, seconds: number, error: unknown): void {
    const outcome = outcomeOf(error);
    this.commandDuration.observe({ command: name, outcome }, seconds);
    if (outcome === 'refused') this.refusals.inc({ command: name, reason: reasonOf(error) });
  }

  private async measureLag(lag: { events: number; seconds: number }): Promise<void> {
    const checkpoint = this.readModel.projection.checkpoint;
    try {
      const [next] = await this.store.readAll({ after: checkpoint, limit: 1 });
      if (next === undefined) {
        lag.events = 0;
        lag.seconds = 0;
        return;
      }
      lag.seconds = Math.max(0, (Date.now() - next.recordedAt.getTime()) / 1000);
      lag.events = await this.countAfter(checkpoint);
    } catch {
      // The store cannot be read now: /ready says so; the gauges say they do not know.
      lag.events = Number.NaN;
      lag.seconds = Number.NaN;
    }
  }

  private async countAfter(checkpoint: string | undefined): Promise<number> {
    if (this.store.countAfter !== undefined) return this.store.countAfter(checkpoint);
    let counted = 0;
    let after = checkpoint;
    while (counted < LAG_COUNT_LIMIT) {
      const page = await this.store.readAll({ after, limit: LAG_PAGE });
      counted += page.length;
      if (page.length < LAG_PAGE) break;
      after = page[page.length - 1]!.position;
    }
    return Math.min(counted, LAG_COUNT_LIMIT);
  }

  /** A gauge read at each scrape; absent from the answer while `read` has no value. */
  private optionalGauge(name: string, help: string, read: () => number | undefined): void {
    new OptionalGauge(name, help, this.registry, read);
  }
}

/**
 * A gauge with no sample while there is nothing to report. prom-client's `reset()` puts an
 * unlabelled gauge back at 0, which would claim, say, a snapshot taken just now.
 */
class OptionalGauge extends Gauge {
  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly read: () => number | undefined,
  ) {
    super({ name, help, registers: [registry] });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const value = this.read();
    if (value === undefined) return Object.assign(await super.get(), { values: [] });
    this.set(value);
    return super.get();
  }
}

/** Milliseconds as seconds, when there are any. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

export function outcomeOf(error: unknown): CommandOutcome {
  if (!(error instanceof DomainError)) return 'error';
  return error.code === 'CONCURRENCY_CONFLICT' ? 'conflict' : 'refused';
}

function reasonOf(error: unknown): string {
  if (error instanceof RuleViolationError) return error.rule;
  return error instanceof DomainError ? error.code : 'error';
}

/** The operation's type, from the line the GraphQL layer notes for the log ("mutation JoinGroup"). */
function operationType(request: LoggedRequest): string {
  const type = request.operation?.split(' ', 1)[0];
  return type !== undefined && OPERATION_TYPES.has(type) ? type : 'none';
}
