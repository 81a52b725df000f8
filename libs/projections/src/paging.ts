import { Connection, Edge, checkPageSize, decodeCursor, encodeCursor } from './cursor';
import type { EventStore, RecordedEvent } from '@partnerships/event-store/event-store';
import type { NetworkProjection } from './network-projection';
import { RecordedEventNode, toRecordedEventNode } from './nodes';

export interface Page {
  readonly first: number;
  readonly after?: string | null;
}

/** The log index of the event that created each record of a list, ascending. */
export interface CreationSeqs {
  readonly length: number;
  at(index: number): number;
}

/**
 * A page of the records a view sees, in the order they were first recorded: `sees` tells
 * whether the view sees the record at an index of the list (every one is counted),
 * undefined when it sees them all; `node` builds the node of one on the page. Only the
 * page's records get a node, so a page costs the count, and a view that sees every record
 * costs the page alone.
 */
export function pageOf<N>(
  seqs: CreationSeqs,
  page: Page,
  logLength: number,
  sees: ((index: number) => boolean) | undefined,
  node: (index: number) => N,
): Connection<N> {
  const first = checkPageSize(page.first);
  const afterSeq = page.after == null ? -1 : decodeCursor(page.after, logLength);
  const edges: Edge<N>[] = [];
  const length = seqs.length;
  let totalCount = 0;
  let hasNextPage = false;
  if (sees === undefined) {
    totalCount = length;
    const start = countThrough(seqs, afterSeq);
    const end = Math.min(length, start + first);
    for (let index = start; index < end; index++) {
      edges.push({ cursor: encodeCursor(seqs.at(index)), node: node(index) });
    }
    hasNextPage = end < length;
  } else {
    for (let index = 0; index < length; index++) {
      if (!sees(index)) continue;
      totalCount++;
      const seq = seqs.at(index);
      if (seq <= afterSeq) continue;
      if (edges.length < first) edges.push({ cursor: encodeCursor(seq), node: node(index) });
      else hasNextPage = true;
    }
  }
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** How many of the ascending seqs are at or below `seq`: a binary search. */
function countThrough(seqs: CreationSeqs, seq: number): number {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (seqs.at(middle) <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where the `events` connection reads the log: the store, at the projection's positions. */
export type LogReader = Pick<EventStore, 'readAll'>;

/**
 * The global log: every recorded event in commit order, optionally of some types only. The
 * projection knows each event's index, type and position; the events are read from the
 * store, one read per run of consecutive indexes. Only what the projection has applied is
 * listed, so a page agrees with the views served beside it.
 */
export async function logPage(
  projection: NetworkProjection,
  reader: LogReader,
  page: Page,
  types: readonly string[] | null | undefined,
): Promise<Omit<Connection<RecordedEventNode>, 'totalCount'>> {
  const first = checkPageSize(page.first);
  const length = projection.length;
  const start = page.after == null ? 0 : decodeCursor(page.after, length) + 1;
  const seqs: number[] = [];
  if (types == null || types.length === 0) {
    for (let seq = start; seq < length && seqs.length <= first; seq++) seqs.push(seq);
  } else {
    for (const type of new Set(types)) {
      const index = projection.indexesOfType(type);
      const from = countBelow(index, start);
      for (let i = from; i < index.length && i < from + first + 1; i++) seqs.push(index.at(i));
    }
    seqs.sort((a, b) => a - b);
  }
  const wanted = seqs.slice(0, first);
  const events = await readAt(projection, reader, wanted);
  const edges = wanted.map((seq, i) => ({
    cursor: encodeCursor(seq),
    node: toRecordedEventNode(events[i]!),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: seqs.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** The events at ascending log indexes the projection has applied, read from the store. */
export async function readAt(
  projection: NetworkProjection,
  reader: LogReader,
  seqs: readonly number[],
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let i = 0;
  while (i < seqs.length) {
    let run = 1;
    while (i + run < seqs.length && seqs[i + run] === seqs[i]! + run) run++;
    const from = seqs[i]!;
    const page = await reader.readAll({
      after: from === 0 ? undefined : projection.positionAt(from - 1),
      limit: run,
    });
    for (let k = 0; k < run; k++) {
      const event = page[k];
      // The log only grows: what follows a known position is what the projection applied.
      if (event === undefined || event.position !== projection.positionAt(from + k)) {
        throw new Error(`the store's log differs from the read model's at index ${from + k}`);
      }
      events.push(event);
    }
    i += run;
  }
  return events;
}

/** How many of a column's ascending indexes are below `start`: a binary search. */
function countBelow(
  column: { readonly length: number; at(index: number): number },
  start: number,
): number {
  let low = 0;
  let high = column.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (column.at(middle) < start) low = middle + 1;
    else high = middle;
  }
  return low;
}
