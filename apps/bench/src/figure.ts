import { Row } from './table';

/** What measuring one figure gives: its rows in the table, and notes to read them by. */
export interface FigureResult {
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
}
