import { Connection, Edge, checkPageSize, decodeCursor, encodeCursor } from './cursor';
import type { NetworkProjection } from './network-projection';
import { RecordedEventNode, toRecordedEventNode } from './nodes';
import { countWhile } from './revisions';
import type { StreamRecord } from './records';

export interface Page {
  readonly first: number;
  readonly after?: string | null;
}

/**
 * A page of the records a view sees, in the order they were first recorded: `see` gives
 * the node of a record the view sees, undefined for one it does not.
 */
export function pageOf<R extends StreamRecord, N>(
  records: readonly R[],
  page: Page,
  logLength: number,
  see: (record: R) => N | undefined,
): Connection<N> {
  const first = checkPageSize(page.first);
  const afterSeq = page.after == null ? -1 : decodeCursor(page.after, logLength);
  const edges: Edge<N>[] = [];
  let totalCount = 0;
  let hasNextPage = false;
  for (const record of records) {
    const node = see(record);
    if (node === undefined) continue;
    totalCount++;
    if (record.seq <= afterSeq) continue;
    if (edges.length < first) edges.push({ cursor: encodeCursor(record.seq), node });
    else hasNextPage = true;
  }
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** The global log: every recorded event in commit order, optionally of some types only. */
export function logPage(
  projection: NetworkProjection,
  page: Page,
  types: readonly string[] | null | undefined,
): Omit<Connection<RecordedEventNode>, 'totalCount'> {
  const first = checkPageSize(page.first);
  const log = projection.log;
  const start = page.after == null ? 0 : decodeCursor(page.after, log.length) + 1;
  let seqs: number[];
  if (types == null || types.length === 0) {
    seqs = [];
    for (let seq = start; seq < log.length && seqs.length <= first; seq++) seqs.push(seq);
  } else {
    seqs = [];
    for (const type of new Set(types)) {
      const index = projection.typeIndex.get(type) ?? [];
      const from = countWhile(index, (seq) => seq < start);
      seqs.push(...index.slice(from, from + first + 1));
    }
    seqs.sort((a, b) => a - b);
  }
  const edges = seqs
    .slice(0, first)
    .map((seq) => ({ cursor: encodeCursor(seq), node: toRecordedEventNode(log[seq]) }));
  return {
    edges,
    pageInfo: { hasNextPage: seqs.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
