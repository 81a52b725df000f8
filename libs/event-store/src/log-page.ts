/**
 * A page of the global log with each event's fields by row: what `readAll` reads, for a
 * reader that keeps columns of its own (a rebuild of the read model). Such a reader takes
 * the numbers, ids and names of a row without an object per event, and parses an event's
 * data only if it reads it; `event(row)` gives the event exactly as `readAll` does.
 *
 * Stream ids and types are indexes into a table of names (`names`). A store that reads the
 * log ahead on another thread keeps one table across the pages of that read, so that a
 * reader can keep what it found for a name by its index for as long as the table is the
 * same object; any other page has a table of its own.
 */
import type { EventMetadata, RecordedEvent } from './event-store';
import { UUID_BYTES, uuidText, writeUuid } from './uuid-bytes';

/** A page's events as the read-ahead's thread hands them over (sqlite/read-ahead-page.ts). */
export interface PageText {
  /** The integer positions. */
  readonly positions: Float64Array;
  /** Each event id that is a lowercase UUID as its 16 bytes (zeros for any other)... */
  readonly uuids: Uint8Array;
  /** ...and any other by its row. */
  readonly otherIds: ReadonlyMap<number, string>;
  readonly schemaVersions: Float64Array;
  /** Every row's data, then its metadata, as JSON text. */
  readonly text: string;
  /** Where each data and metadata begins in the text, and where the last one ends. */
  readonly bounds: Int32Array;
}

/** The columns every page has, whatever it was read from. */
export interface PageRows {
  readonly length: number;
  readonly names: readonly string[];
  /** Per row the index of its stream id, then of its type, in `names`. */
  readonly nameRefs: Int32Array;
  readonly revisions: Float64Array;
  /** In milliseconds since the epoch. */
  readonly effectiveAts: Float64Array;
  readonly recordedAts: Float64Array;
}

export class LogPage {
  /** The number of events on the page. */
  readonly length: number;
  /** The table the rows' stream ids and types index (see above): read it, never change it. */
  readonly names: readonly string[];
  private readonly nameRefs: Int32Array;
  private readonly revisions: Float64Array;
  private readonly effectiveAts: Float64Array;
  private readonly recordedAts: Float64Array;

  private constructor(
    rows: PageRows,
    /** Exactly one of the two holds the rest of each event. */
    private readonly objects: readonly RecordedEvent[] | undefined,
    private readonly texts: PageText | undefined,
  ) {
    this.length = rows.length;
    this.names = rows.names;
    this.nameRefs = rows.nameRefs;
    this.revisions = rows.revisions;
    this.effectiveAts = rows.effectiveAts;
    this.recordedAts = rows.recordedAts;
  }

  /** The page of events read as objects (any store). */
  static ofEvents(events: readonly RecordedEvent[]): LogPage {
    const length = events.length;
    const names: string[] = [];
    const indexes = new Map<string, number>();
    const nameIndex = (name: string): number => {
      let index = indexes.get(name);
      if (index === undefined) {
        index = names.push(name) - 1;
        indexes.set(name, index);
      }
      return index;
    };
    const nameRefs = new Int32Array(length * 2);
    const revisions = new Float64Array(length);
    const effectiveAts = new Float64Array(length);
    const recordedAts = new Float64Array(length);
    for (let row = 0; row < length; row++) {
      const event = events[row]!;
      nameRefs[row * 2] = nameIndex(event.streamId);
      nameRefs[row * 2 + 1] = nameIndex(event.type);
      revisions[row] = event.revision;
      effectiveAts[row] = event.effectiveAt.getTime();
      recordedAts[row] = event.recordedAt.getTime();
    }
    return new LogPage(
      { length, names, nameRefs, revisions, effectiveAts, recordedAts },
      events,
      undefined,
    );
  }

  /**
   * The page of rows handed over as columns and text, each row's JSON known to parse. The
   * caller has checked that every column holds `rows.length` rows and every name index is
   * in the table.
   */
  static ofText(rows: PageRows, texts: PageText): LogPage {
    return new LogPage(rows, undefined, texts);
  }

  streamId(row: number): string {
    return this.names[this.nameRefs[row * 2]!]!;
  }

  /** The index of the row's stream id in `names`. */
  streamRef(row: number): number {
    return this.nameRefs[row * 2]!;
  }

  type(row: number): string {
    return this.names[this.nameRefs[row * 2 + 1]!]!;
  }

  /** The index of the row's type in `names`. */
  typeRef(row: number): number {
    return this.nameRefs[row * 2 + 1]!;
  }

  revision(row: number): number {
    return this.revisions[row]!;
  }

  /** The valid time, in milliseconds. */
  effectiveAt(row: number): number {
    return this.effectiveAts[row]!;
  }

  /** The transaction time, in milliseconds. */
  recordedAt(row: number): number {
    return this.recordedAts[row]!;
  }

  /** The event's position: a number where the store issued an integer, else its text. */
  position(row: number): string | number {
    return this.texts !== undefined ? this.texts.positions[row]! : this.objects![row]!.position;
  }

  id(row: number): string {
    const texts = this.texts;
    if (texts === undefined) return this.objects![row]!.id;
    return texts.otherIds.get(row) ?? uuidText(texts.uuids, row * UUID_BYTES);
  }

  /**
   * Writes the event id's 16 bytes at `offset` of `bytes` when it is a lowercase UUID (as
   * `writeUuid` does), else returns false: a reader that keeps ids as bytes takes them
   * without their text.
   */
  copyUuid(row: number, bytes: Uint8Array, offset: number): boolean {
    const texts = this.texts;
    if (texts === undefined) return writeUuid(this.objects![row]!.id, bytes, offset);
    if (texts.otherIds.size !== 0 && texts.otherIds.has(row)) return false;
    const uuids = texts.uuids;
    const from = row * UUID_BYTES;
    for (let index = 0; index < UUID_BYTES; index++) bytes[offset + index] = uuids[from + index]!;
    return true;
  }

  schemaVersion(row: number): number {
    return this.texts !== undefined
      ? this.texts.schemaVersions[row]!
      : this.objects![row]!.schemaVersion;
  }

  /** The event's data as stored (parsed at each call on a page of text: keep it if needed). */
  data(row: number): Readonly<Record<string, unknown>> {
    if (this.texts === undefined) return this.objects![row]!.data;
    const { text, bounds } = this.texts;
    return parseText(text, bounds[row * 2]!, bounds[row * 2 + 1]!) as Record<string, unknown>;
  }

  /** The event at a row, the same as `readAll` gives it (a new object at each call). */
  event(row: number): RecordedEvent {
    const texts = this.texts;
    if (texts === undefined) return this.objects![row]!;
    const { text, bounds } = texts;
    return new PageEvent(
      this.id(row),
      this.streamId(row),
      this.revisions[row]!,
      // The decimal text of the integer, as String() writes it.
      String(texts.positions[row]),
      this.type(row),
      new Date(this.effectiveAts[row]!),
      new Date(this.recordedAts[row]!),
      texts.schemaVersions[row]!,
      text,
      bounds[row * 2]!,
      bounds[row * 2 + 1]!,
      bounds[row * 2 + 2]!,
    );
  }

  /** Every event of the page, as `readAll` gives them. */
  events(): readonly RecordedEvent[] {
    if (this.objects !== undefined) return this.objects;
    const events: RecordedEvent[] = new Array(this.length);
    for (let row = 0; row < this.length; row++) events[row] = this.event(row);
    return events;
  }
}

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
 * An event whose data and metadata are parsed from the page's text when first read. Both are
 * own, enumerable properties in the order a direct read gives them (accessors shared by every
 * event, so that V8 keeps one shape for all), and the rest of its state is private: a spread,
 * `JSON.stringify`, `Object.keys` or a deep comparison sees exactly the plain event a direct
 * read makes. It keeps its page's text alive until it is dropped.
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
