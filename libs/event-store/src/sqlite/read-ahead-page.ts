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
 * - the event ids as strings;
 * - every event's data and metadata as one text with their boundaries.
 *
 * The events made of it parse their data and metadata when they are first read: a rebuild
 * that never reads an event's metadata, nor the data of most of its types, does not pay for
 * them. Both were parsed by the thread already, so reading them cannot fail. An event keeps
 * its page's text alive until it is dropped: a page is the caller's to work through, not to
 * keep.
 */
import type { EventMetadata, RecordedEvent } from '../event-store';
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

export interface PageColumns {
  /** Names from `known` on: the stream ids and types this page or a page not taken added. */
  readonly names: readonly string[];
  readonly positions: Float64Array;
  readonly revisions: Float64Array;
  readonly effectiveAts: Float64Array;
  readonly recordedAts: Float64Array;
  readonly schemaVersions: Float64Array;
  /** Per row the index of its stream id, then of its type, in the names. */
  readonly nameRefs: Int32Array;
  readonly ids: readonly string[];
  /** Every row's data, then its metadata, as JSON text. */
  readonly text: string;
  /** Where each data and metadata begins in the text, and where the last one ends. */
  readonly bounds: Int32Array;
}

export type PageAnswer = PageRequest & (PageColumns | { readonly failure: string });

/** A row's values in the order of `COLUMNS`: its position, then what an import writes. */
export type RowValues = [position: number, ...row: ImportRow];

/**
 * The JSON text of one event's data or metadata, parsed. The slice is a view into the page's
 * text, but what JSON.parse makes of it is not: V8 (as Node 20 has it) copies every string
 * value into a string of its own (sequential, never a slice of the source; checked with
 * `%DebugPrint` for one- and two-byte values of 20 to 5,000 characters), so a name the read
 * model keeps does not keep the page alive.
 */
function parseText(text: string, from: number, to: number): unknown {
  return JSON.parse(text.slice(from, to));
}

/**
 * Whether the columns hold exactly `rows` rows naming only names the caller holds, with
 * `names` the caller's table once the page's new names are added to it.
 */
function wellFormed(page: PageColumns, rows: number, names: readonly string[]): boolean {
  if (
    page.ids.length !== rows ||
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
 * The page's events, each the same as `recordedEventOf` makes of its row, or undefined when
 * the columns do not hold exactly `rows` rows. `names` is the caller's table of names; the
 * page's new ones are added to it.
 */
export function eventsOfPage(
  page: PageColumns,
  rows: number,
  names: string[],
): RecordedEvent[] | undefined {
  const known = names.length;
  for (const name of page.names) names.push(name);
  if (!wellFormed(page, rows, names)) {
    names.length = known;
    return undefined;
  }
  const { positions, revisions, effectiveAts, recordedAts, schemaVersions } = page;
  const { nameRefs, ids, text, bounds } = page;
  const events: RecordedEvent[] = new Array(rows);
  for (let row = 0; row < rows; row++) {
    events[row] = new PageEvent(
      ids[row]!,
      names[nameRefs[row * 2]!]!,
      revisions[row]!,
      // The decimal text of the integer, as String() writes it.
      String(positions[row]),
      names[nameRefs[row * 2 + 1]!]!,
      new Date(effectiveAts[row]!),
      new Date(recordedAts[row]!),
      schemaVersions[row]!,
      text,
      bounds[row * 2]!,
      bounds[row * 2 + 1]!,
      bounds[row * 2 + 2]!,
    );
  }
  return events;
}

/**
 * An event whose data and metadata are parsed from the page's text when first read. Both are
 * own, enumerable properties in the order a direct read gives them (accessors shared by every
 * event, so that V8 keeps one shape for all), and the rest of its state is private: a spread,
 * `JSON.stringify`, `Object.keys` or a deep comparison sees exactly the plain event a direct
 * read makes.
 */
class PageEvent implements RecordedEvent {
  declare readonly id: string;
  declare readonly streamId: string;
  declare readonly revision: number;
  declare readonly position: string;
  declare readonly type: string;
  declare readonly data: Record<string, unknown>;
  declare readonly effectiveAt: Date;
  declare readonly recordedAt: Date;
  declare readonly metadata: EventMetadata;
  declare readonly schemaVersion: number;
  readonly #text: string;
  readonly #dataFrom: number;
  readonly #metadataFrom: number;
  readonly #metadataTo: number;
  #data: Record<string, unknown> | undefined;
  #metadata: EventMetadata | undefined;

  static readonly #dataProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: PageEvent): Record<string, unknown> {
      return (this.#data ??= parseText(this.#text, this.#dataFrom, this.#metadataFrom) as Record<
        string,
        unknown
      >);
    },
  };

  static readonly #metadataProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: PageEvent): EventMetadata {
      return (this.#metadata ??= parseText(
        this.#text,
        this.#metadataFrom,
        this.#metadataTo,
      ) as EventMetadata);
    },
  };

  constructor(
    id: string,
    streamId: string,
    revision: number,
    position: string,
    type: string,
    effectiveAt: Date,
    recordedAt: Date,
    schemaVersion: number,
    text: string,
    dataFrom: number,
    metadataFrom: number,
    metadataTo: number,
  ) {
    this.#text = text;
    this.#dataFrom = dataFrom;
    this.#metadataFrom = metadataFrom;
    this.#metadataTo = metadataTo;
    // In the order of `recordedEventOf`'s object.
    this.id = id;
    this.streamId = streamId;
    this.revision = revision;
    this.position = position;
    this.type = type;
    Object.defineProperty(this, 'data', PageEvent.#dataProperty);
    this.effectiveAt = effectiveAt;
    this.recordedAt = recordedAt;
    Object.defineProperty(this, 'metadata', PageEvent.#metadataProperty);
    this.schemaVersion = schemaVersion;
  }
}
