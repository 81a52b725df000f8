/**
 * A page of the log as the read-ahead's thread hands it over: one text of every column of
 * every row, and how the store turns it back into events.
 */
import type { EventMetadata, RecordedEvent } from '../event-store';
import type { ImportRow } from './sqlite-schema';

/**
 * U+001F, which valid JSON never holds raw: a stored text that holds it anyway (it is not
 * JSON then, or it is an id or type of a damaged file) adds a field, and the page, with
 * one field too many, is refused and read directly instead, failing as it would have.
 */
export const FIELD_SEPARATOR = '\u001f';

export interface ReadAheadData {
  readonly file: string;
}

export interface PageRequest {
  readonly after: number;
  readonly limit: number;
}

export type PageAnswer = PageRequest & ({ readonly text: string } | { readonly failure: string });

/** A row's values in the order of `COLUMNS`: its position, then what an import writes. */
export type RowValues = [position: number, ...row: ImportRow];

const FIELDS_PER_ROW = 10;

/*
 * V8 makes a part of a long string (what split gives, and the strings JSON.parse reads) a
 * view into it: one name kept from an event would keep its whole page of text alive. Each
 * field therefore becomes a string of its own first; joined to a character, the field is
 * copied, and the view cut from that copy holds only it. (A memory matter alone: every
 * value is the same either way.)
 */

function ownCopy(field: string): string {
  return `${field}\u0000`.slice(0, -1);
}

function parseOnItsOwn(field: string): unknown {
  // The trailing space is valid JSON.
  return JSON.parse(`${field} `);
}

/**
 * The page's events, each the same as `recordedEventOf` makes of its row; undefined when
 * the text does not hold exactly `rows` rows.
 */
export function eventsOfPage(text: string, rows: number): RecordedEvent[] | undefined {
  const fields = text.split(FIELD_SEPARATOR);
  if (fields.length !== rows * FIELDS_PER_ROW) return undefined;
  const events: RecordedEvent[] = new Array(rows);
  for (let row = 0, at = 0; row < rows; row++, at += FIELDS_PER_ROW) {
    events[row] = {
      id: ownCopy(fields[at + 1]!),
      streamId: ownCopy(fields[at + 2]!),
      revision: Number(fields[at + 3]),
      // The decimal text of the integer, as String() writes it.
      position: fields[at]!,
      type: ownCopy(fields[at + 4]!),
      data: parseOnItsOwn(fields[at + 5]!) as Record<string, unknown>,
      effectiveAt: new Date(Number(fields[at + 6])),
      recordedAt: new Date(Number(fields[at + 7])),
      metadata: parseOnItsOwn(fields[at + 8]!) as EventMetadata,
      schemaVersion: Number(fields[at + 9]),
    };
  }
  return events;
}
