import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { EventStoreUnavailableError } from '../event-store';

export interface BackupProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

export interface BackupSummary {
  readonly events: number;
  readonly bytes: number;
}

/** Pages copied per step: small enough to report progress, large enough to finish under load. */
const PAGES_PER_STEP = 4_096;

/**
 * Copies a live SQLite event store with SQLite's online backup API: the server keeps
 * serving (WAL readers do not block writers) and the copy is one consistent snapshot.
 */
export async function backupSqlite(
  source: string,
  destination: string,
  onProgress: (progress: BackupProgress) => void = () => undefined,
): Promise<BackupSummary> {
  if (!existsSync(source)) throw new EventStoreUnavailableError(`no event store at ${source}`);
  if (existsSync(destination)) {
    throw new EventStoreUnavailableError(`${destination} exists already; choose a new file`);
  }
  const db = new Database(source, { fileMustExist: true });
  try {
    await db.backup(destination, {
      progress: (progress) => {
        onProgress(progress);
        return PAGES_PER_STEP;
      },
    });
  } finally {
    db.close();
  }
  return verifySqlite(destination);
}

/**
 * Puts a backup in the place of an event store that is not running. Refuses to overwrite
 * an existing store unless told to, and refuses a backup that is not sound.
 */
export async function restoreSqlite(
  backup: string,
  target: string,
  options: { readonly replace: boolean },
): Promise<BackupSummary> {
  await verifySqlite(backup);
  if (existsSync(target)) {
    if (!options.replace) {
      throw new EventStoreUnavailableError(
        `${target} exists; stop the server and pass --replace to overwrite it`,
      );
    }
    assertNotOpenElsewhere(target);
    for (const file of [target, `${target}-wal`, `${target}-shm`]) rmSync(file, { force: true });
  }
  const db = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  const restored = new Database(target);
  try {
    restored.pragma('journal_mode = WAL');
  } finally {
    restored.close();
  }
  return verifySqlite(target);
}

/**
 * Refuses a store another process holds open (a running server): what it acknowledged
 * after the restore would be written to the file being replaced, and lost. SQLite tells:
 * in WAL mode every open connection holds a shared lock on the wal-index, so an exclusive
 * lock cannot be had while one is open, busy or idle.
 */
export function assertNotOpenElsewhere(file: string): void {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new EventStoreUnavailableError(
        `${file} is open in another process (a running server?): stop it, then restore`,
      );
    }
    throw error;
  } finally {
    db.close();
  }
}

/** A file is sound when SQLite's integrity check passes and it holds an event table. */
export function verifySqlite(file: string): BackupSummary {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') {
      throw new EventStoreUnavailableError(
        `${file} fails SQLite's integrity check: ${String(integrity)}`,
      );
    }
    const events = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { events, bytes: pages * pageSize };
  } catch (error) {
    if (error instanceof EventStoreUnavailableError) throw error;
    throw new EventStoreUnavailableError(
      `${file} is not an event store: ${(error as Error).message}`,
    );
  } finally {
    db.close();
  }
}
