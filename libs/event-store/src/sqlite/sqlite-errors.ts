import { EventStoreUnavailableError } from '../event-store';

/**
 * better-sqlite3's native part keeps the SqliteError class of the first copy of the module
 * loaded in a process, so a second copy (a test runner's fresh module registry) would fail an
 * instanceof check: recognise the error by its name and result code instead.
 */
function sqliteCode(error: unknown): string | undefined {
  // Not instanceof Error either: that copy's Error may be another realm's.
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (name !== 'SqliteError') return undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Result codes (extended codes keep their base as prefix) that mean the file cannot be used now. */
const UNAVAILABLE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PERM',
];

export function translateVendorError(error: unknown): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  const unavailable = UNAVAILABLE_CODES.some(
    (unusable) => code === unusable || code.startsWith(`${unusable}_`),
  );
  return unavailable
    ? new EventStoreUnavailableError(`SQLite failed with ${code}`, { cause: error })
    : error;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
