import { AuditTree } from '@partnerships/audit/audit-tree';
import type { EventStore, RecordedEvent } from '@partnerships/event-store/event-store';
import type { LogPage } from '@partnerships/event-store/log-page';
import type { AuditEvents } from '@partnerships/projections/audit-events';
import type { NetworkProjection } from '@partnerships/projections/network-projection';

/** Events read from the store at once while the tree catches up. */
const PAGE = 10_000;

/**
 * Brings the audit tree to the `count` events a snapshot of the projection holds, before the
 * log is followed on from the snapshot's checkpoint. The projection keeps no events, so what
 * the tree must see whole is read from the store: the leaves its checkpoint samples, and
 * every event past its checkpoint; elsewhere it takes its checkpoint's leaves as they are
 * (an event's leaf by its id is the projection's to find).
 * A sample that disagrees with the checkpoint is read with the events since the last one
 * that agreed (the tree recomputes those), and from there on every event is read.
 */
export async function catchUpAuditTree(
  tree: AuditTree,
  events: AuditEvents,
  projection: NetworkProjection,
  store: Pick<EventStore, 'readAll'>,
  count: number,
): Promise<void> {
  const feed = (event: RecordedEvent): void => applyToAuditTree(tree, events, event);
  /** The events from `from` (a leaf index) on, `limit` of them at most. */
  const read = (from: number, limit: number): Promise<readonly RecordedEvent[]> =>
    store.readAll({
      after: from === 0 ? undefined : projection.positionAt(from - 1),
      limit,
    });
  let index = tree.size;
  while (index < count) {
    if (!tree.needsWholeEvent(index)) {
      // Up to the next sample, ids only, once that sample is found to agree.
      const sample = tree.nextWholeEvent(index, count);
      const [sampled] = sample < count ? await read(sample, 1) : [];
      if (sampled !== undefined && !tree.agreesWithCheckpoint(sample, sampled)) {
        for (const event of await read(index, sample + 1 - index)) feed(event);
        index = sample + 1;
        continue;
      }
      events.skip(sample - index);
      tree.skipTo(sample);
      index = sample;
      if (sampled !== undefined) {
        feed(sampled);
        index++;
      }
      continue;
    }
    let end = index + 1;
    while (end < count && end - index < PAGE && tree.needsWholeEvent(end)) end++;
    const page = await read(index, end - index);
    if (page.length < end - index) {
      throw new Error(`the store holds fewer events than the snapshot's ${count}`);
    }
    for (const event of page) feed(event);
    index = end;
  }
}

/**
 * The next event of the log, to the tree and to the events it may ask for. They are held
 * whole only while the tree may recompute leaves from them (`checksCheckpoint`): held past
 * that, every event lived on through 8,192 more, and was promoted out of the young
 * generation.
 */
function applyToAuditTree(tree: AuditTree, events: AuditEvents, event: RecordedEvent): void {
  if (tree.checksCheckpoint) events.push(event);
  else events.skip(1);
  tree.apply(event);
}

/**
 * applyToAuditTree, of the event at a page's row: the event is made only where the tree
 * reads it (past its checkpoint, and at the leaves it samples); elsewhere the tree takes
 * its checkpoint's leaf and the event stays a row, to be made only if a later sample
 * disagrees and the tree recomputes back to the last that agreed. At a rebuild of a
 * million events from the log, making every event cost about a second.
 */
export function applyRowToAuditTree(
  tree: AuditTree,
  events: AuditEvents,
  page: LogPage,
  row: number,
): void {
  const index = tree.size;
  if (tree.needsWholeEvent(index)) {
    applyToAuditTree(tree, events, page.event(row));
    return;
  }
  events.pushRow(page, row);
  tree.skipTo(index + 1);
}
