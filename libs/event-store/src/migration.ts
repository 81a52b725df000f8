import { EventStore, RecordedEvent } from './event-store';

export interface MigrationProgress {
  /** Events written to the target by this run. */
  readonly copied: number;
  /** Events the target already held from an earlier run, left as they were. */
  readonly skipped: number;
  /** Events in the source when the run began, where the source can count them cheaply. */
  readonly total: number | undefined;
}

export interface MigrationOptions {
  /** Events read (and written) per request; 1,000 by default. */
  readonly pageSize?: number;
  /** Called after each page checked or copied. */
  readonly onProgress?: (progress: MigrationProgress) => void;
  /** Stops the run between two pages; what is copied stays, and a new run goes on from it. */
  readonly signal?: AbortSignal;
}

export interface MigrationSummary extends MigrationProgress {
  readonly seconds: number;
  /** False when the signal stopped the run before the source's end. */
  readonly complete: boolean;
}

export type EventField =
  | 'stream'
  | 'revision'
  | 'type'
  | 'data'
  | 'effectiveAt'
  | 'recordedAt'
  | 'metadata'
  | 'schemaVersion';

/** The target's events cannot become a copy of the source's log; nothing was written. */
export class MigrationConflictError extends Error {
  override readonly name = 'MigrationConflictError';
  constructor(
    message: string,
    /** The target's event that is in the way. */
    readonly targetEvent: RecordedEvent,
    /** The source's event at the same place in the log, if the source has one there. */
    readonly sourceEvent: RecordedEvent | undefined,
    /** When both have the same id: the fields in which they differ. */
    readonly differingFields: readonly EventField[] = [],
  ) {
    super(message);
  }
}

/** The target store has no way to write events as recorded elsewhere. */
export class MigrationUnsupportedError extends Error {
  override readonly name = 'MigrationUnsupportedError';
}

const DEFAULT_PAGE_SIZE = 1_000;

/**
 * Copies the source's global log into the target, event by event in the source's order,
 * keeping ids, streams, revisions, both times and metadata (`importRecorded`).
 *
 * The target must be empty or hold the start of this same log (an earlier run, perhaps
 * cut short): those events are checked field by field, skipped, and the copy goes on
 * after them. Anything else in the target (another event at some place of the log, an
 * event the source lacks) is a {@link MigrationConflictError}, found before anything is
 * written. Run it while nobody writes to either store.
 */
export async function migrateEvents(
  from: EventStore,
  to: EventStore,
  options: MigrationOptions = {},
): Promise<MigrationSummary> {
  const started = performance.now();
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer, not ${pageSize}`);
  }
  if (to.importRecorded === undefined) {
    throw new MigrationUnsupportedError(
      'the target event store cannot import recorded events; it cannot be migrated into',
    );
  }
  const total = await from.countAll?.();
  let copied = 0;
  let skipped = 0;
  const report = () => options.onProgress?.({ copied, skipped, total });
  const summary = (complete: boolean): MigrationSummary => ({
    copied,
    skipped,
    total,
    complete,
    seconds: (performance.now() - started) / 1_000,
  });

  report();

  // Phase 1, read only: the target must hold the start of the source's log, exactly.
  const source = eventsOf(from, undefined, pageSize);
  let resumeAfter: string | undefined;
  for await (const page of pagesOf(to, undefined, pageSize)) {
    for (const existing of page) {
      const original = await source.next();
      if (original.done === true) throw beyondTheSource(existing);
      const difference = differenceBetween(original.value, existing);
      if (difference !== undefined) throw difference;
      resumeAfter = original.value.position;
      skipped++;
    }
    report();
    if (options.signal?.aborted === true) return summary(false);
  }
  await source.return(undefined);

  // Phase 2: everything after that start, page by page, in the source's order.
  for await (const page of pagesOf(from, resumeAfter, pageSize)) {
    if (options.signal?.aborted === true) return summary(false);
    await to.importRecorded(page);
    copied += page.length;
    report();
  }
  return summary(true);
}

/** The events of a store's log one by one, read a page at a time after `after`. */
async function* eventsOf(
  store: EventStore,
  after: string | undefined,
  pageSize: number,
): AsyncGenerator<RecordedEvent, void, undefined> {
  for await (const page of pagesOf(store, after, pageSize)) yield* page;
}

async function* pagesOf(
  store: EventStore,
  after: string | undefined,
  pageSize: number,
): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, limit: pageSize });
    if (page.length === 0) return;
    yield page;
    position = page[page.length - 1]!.position;
  }
}

function beyondTheSource(existing: RecordedEvent): MigrationConflictError {
  return new MigrationConflictError(
    `the target holds events the source does not, from event ${describe(existing)} on; ` +
      'it is not a copy of this source',
    existing,
    undefined,
  );
}

/** Why `existing`, at the place of `original` in the log, is not its copy; undefined if it is. */
function differenceBetween(
  original: RecordedEvent,
  existing: RecordedEvent,
): MigrationConflictError | undefined {
  if (original.id !== existing.id) {
    return new MigrationConflictError(
      `the target's log holds event ${describe(existing)} where the source's holds ` +
        `${describe(original)}; it is not a copy of this source`,
      existing,
      original,
    );
  }
  const fields = (
    [
      ['stream', original.streamId === existing.streamId],
      ['revision', original.revision === existing.revision],
      ['type', original.type === existing.type],
      ['data', canonical(original.data) === canonical(existing.data)],
      ['effectiveAt', original.effectiveAt.getTime() === existing.effectiveAt.getTime()],
      ['recordedAt', original.recordedAt.getTime() === existing.recordedAt.getTime()],
      ['metadata', canonical(original.metadata) === canonical(existing.metadata)],
      ['schemaVersion', original.schemaVersion === existing.schemaVersion],
    ] as const
  ).flatMap(([field, same]): EventField[] => (same ? [] : [field]));
  if (fields.length === 0) return undefined;
  return new MigrationConflictError(
    `event ${original.id} is in the target with another ${fields.join(', ')} ` +
      `(${describe(existing)} there, ${describe(original)} in the source)`,
    existing,
    original,
    fields,
  );
}

function describe(event: RecordedEvent): string {
  return `${event.id} (${event.type}, ${event.streamId} revision ${event.revision})`;
}

/** JSON with sorted keys: a copy may keep its keys in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
