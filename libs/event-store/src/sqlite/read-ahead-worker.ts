/**
 * The read-ahead's thread (read-ahead.ts): reads a page of the log from a connection of its
 * own and hands it over as one text, every column of every row joined by FIELD_SEPARATOR,
 * which the other thread copies at once and splits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  FIELD_SEPARATOR,
  PageAnswer,
  PageRequest,
  ReadAheadData,
  RowValues,
} from './read-ahead-page';
import { COLUMNS } from './sqlite-schema';

const { file } = workerData as ReadAheadData;
const db = new Database(file, { readonly: true, fileMustExist: true });
const selectPage = db
  .prepare<[number, number], RowValues>(
    `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
  )
  // Rows as arrays of their values, ready to be joined.
  .raw(true);

parentPort?.on('message', ({ after, limit }: PageRequest) => {
  let answer: PageAnswer;
  try {
    const rows = selectPage.all(after, limit);
    answer = {
      after,
      limit,
      text: rows.map((row) => row.join(FIELD_SEPARATOR)).join(FIELD_SEPARATOR),
    };
  } catch (error) {
    answer = { after, limit, failure: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});
