/**
 * The read-ahead's thread (read-ahead.ts): reads a page of the log from a connection of its
 * own, checks every row and hands the page over as columns (read-ahead-page.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { UUID_BYTES, writeUuid } from '../uuid-bytes';
import { PageAnswer, PageColumns, PageRequest, ReadAheadData, RowValues } from './read-ahead-page';
import { COLUMNS } from './sqlite-schema';

const { file } = workerData as ReadAheadData;
const db = new Database(file, { readonly: true, fileMustExist: true });
/**
 * A row's values, then whether its data and metadata are JSON that JSON.parse reads:
 * SQLite's json_valid (RFC 8259 text, without JSON5) checks them without making their
 * values, at about half the cost of parsing them here. A text it passes parses; one it
 * refuses (nested deeper than SQLite's limit, say) only sends the page to a direct read.
 */
type CheckedRow = [...RowValues, jsonValid: number];

const selectPage = db
  .prepare<[number, number], CheckedRow>(
    `SELECT ${COLUMNS}, json_valid(data) AND json_valid(metadata)
       FROM events WHERE position > ? ORDER BY position LIMIT ?`,
  )
  .raw(true);

/** Every stream id and type seen so far, in the order first seen, and each one's index. */
const names: string[] = [];
const indexes = new Map<string, number>();

function nameIndex(name: string): number {
  let index = indexes.get(name);
  if (index === undefined) {
    index = names.length;
    names.push(name);
    indexes.set(name, index);
  }
  return index;
}

/** Something a direct read would make differently, or fail on: the page is refused. */
class RowRefused extends Error {}

/** The page as columns, and the buffers to move rather than copy. */
function columnsOf(
  rows: CheckedRow[],
  known: number,
): { columns: PageColumns; buffers: ArrayBuffer[] } {
  const positions = new Float64Array(rows.length);
  const revisions = new Float64Array(rows.length);
  const effectiveAts = new Float64Array(rows.length);
  const recordedAts = new Float64Array(rows.length);
  const schemaVersions = new Float64Array(rows.length);
  const nameRefs = new Int32Array(rows.length * 2);
  const uuids = new Uint8Array(rows.length * UUID_BYTES);
  const otherIds = new Map<number, string>();
  const texts: string[] = new Array(rows.length * 2);
  const bounds = new Int32Array(rows.length * 2 + 1);
  let length = 0;
  for (let row = 0; row < rows.length; row++) {
    const [
      position,
      id,
      streamId,
      revision,
      type,
      data,
      effectiveAt,
      recordedAt,
      metadata,
      schemaVersion,
      jsonValid,
    ] = rows[row]!;
    if (
      typeof id !== 'string' ||
      typeof streamId !== 'string' ||
      typeof type !== 'string' ||
      typeof data !== 'string' ||
      typeof metadata !== 'string' ||
      typeof position !== 'number' ||
      typeof revision !== 'number' ||
      typeof effectiveAt !== 'number' ||
      typeof recordedAt !== 'number' ||
      typeof schemaVersion !== 'number' ||
      jsonValid !== 1
    ) {
      throw new RowRefused(`the row at position ${String(position)} is not as written`);
    }
    positions[row] = position;
    revisions[row] = revision;
    effectiveAts[row] = effectiveAt;
    recordedAts[row] = recordedAt;
    schemaVersions[row] = schemaVersion;
    nameRefs[row * 2] = nameIndex(streamId);
    nameRefs[row * 2 + 1] = nameIndex(type);
    if (!writeUuid(id, uuids, row * UUID_BYTES)) otherIds.set(row, id);
    texts[row * 2] = data;
    bounds[row * 2] = length;
    length += data.length;
    texts[row * 2 + 1] = metadata;
    bounds[row * 2 + 1] = length;
    length += metadata.length;
  }
  bounds[rows.length * 2] = length;
  const columns: PageColumns = {
    names: names.slice(known),
    positions,
    revisions,
    effectiveAts,
    recordedAts,
    schemaVersions,
    nameRefs,
    uuids,
    otherIds,
    text: texts.join(''),
    bounds,
  };
  // Every typed array's memory is moved to the other thread, not copied.
  const buffers = Object.values(columns)
    .filter((value): value is Float64Array | Int32Array | Uint8Array => ArrayBuffer.isView(value))
    .map((column) => column.buffer as ArrayBuffer);
  return { columns, buffers };
}

parentPort?.on('message', ({ after, limit, known }: PageRequest) => {
  let answer: PageAnswer;
  try {
    const { columns, buffers } = columnsOf(selectPage.all(after, limit), known);
    answer = { after, limit, known, ...columns };
    parentPort?.postMessage(answer, buffers);
    return;
  } catch (error) {
    answer = {
      after,
      limit,
      known,
      failure: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(answer);
});
