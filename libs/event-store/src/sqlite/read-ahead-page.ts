/**
 * A page of the log as the read-ahead's thread hands it over, and how the store turns it
 * back into events.
 *
 * The thread does what it can of the work on its side of the machine: it steps SQLite, checks
 * every row the way a direct read would fail on it (a page it cannot vouch for is refused
 * and read directly instead, failing as it would have), and sends the rows as columns:
 *
 * - the numbers (position, revision, times, schema version) as typed arrays, moved and not
 *   copied;
 * - each stream id and type as an index into a table of names that grows across the pages
 *   of one read-ahead, so that an id the caller has seen is the same string again (its
 *   hash already known to every map keyed by it) and is never sent twice;
 * - the event ids as the 16 bytes of their UUIDs (any other id as its string), so that a
 *   reader keeping ids as bytes takes no string for them;
 * - every event's data and metadata as one text with their boundaries.
 *
 * It becomes a `LogPage` (log-page.ts) whose events parse their data and metadata when they
 * are first read: a rebuild that never reads an event's metadata, nor the data of most of its
 * types, does not pay for them. The thread had SQLite check that both are JSON (its
 * json_valid), so reading them does not fail. An event keeps its page's text alive until it
 * is dropped: a page is the caller's to work through, not to keep.
 */
import { LogPage, PageRows, PageText } from '../log-page';
import { UUID_BYTES } from '../uuid-bytes';
import type { ImportRow } from './sqlite-schema';

export interface ReadAheadData {
  readonly file: string;
}

export interface PageRequest {
  readonly after: number;
  readonly limit: number;
  /** How many names the caller holds: the answer sends those after them. */
  readonly known: number;
}

/** A page as the thread sends it: the rows' columns, with the names the caller lacks. */
export interface PageColumns extends Omit<PageRows, 'length' | 'names'>, PageText {
  /** Names from `known` on: the stream ids and types this page or a page not taken added. */
  readonly names: readonly string[];
}

export type PageAnswer = PageRequest & (PageColumns | { readonly failure: string });

/** A row's values in the order of `COLUMNS`: its position, then what an import writes. */
export type RowValues = [position: number, ...row: ImportRow];

/**
 * Whether the columns hold exactly `rows` rows naming only names the caller holds, with
 * `names` the caller's table once the page's new names are added to it.
 */
function wellFormed(page: PageColumns, rows: number, names: readonly string[]): boolean {
  if (
    page.uuids.length !== rows * UUID_BYTES ||
    [...page.otherIds.keys()].some((row) => !Number.isInteger(row) || row < 0 || row >= rows) ||
    [page.positions, page.revisions, page.effectiveAts, page.recordedAts, page.schemaVersions].some(
      (column) => column.length !== rows,
    ) ||
    page.nameRefs.length !== rows * 2 ||
    page.bounds.length !== rows * 2 + 1 ||
    page.bounds[rows * 2] !== page.text.length
  ) {
    return false;
  }
  for (const ref of page.nameRefs) if (ref < 0 || ref >= names.length) return false;
  return true;
}

/**
 * The page, each event the same as `recordedEventOf` makes of its row, or undefined when the
 * columns do not hold exactly `rows` rows. `names` is the caller's table of names; the
 * page's new ones are added to it, and the page's rows index it.
 */
export function logPageOf(page: PageColumns, rows: number, names: string[]): LogPage | undefined {
  const known = names.length;
  for (const name of page.names) names.push(name);
  if (!wellFormed(page, rows, names)) {
    names.length = known;
    return undefined;
  }
  return LogPage.ofText(Object.assign({}, page, { length: rows, names }), page);
}
