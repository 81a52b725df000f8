import Database from 'better-sqlite3';

/** One row of the events table, read straight from the SQLite file. */
export interface FileEvent {
  readonly position: number;
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly effectiveAt: number;
  readonly recordedAt: number;
  readonly commandId: string;
}

export interface FileContents {
  /** `PRAGMA integrity_check`: "ok" for a sound file. */
  readonly integrity: string;
  readonly events: FileEvent[];
}

/**
 * Reads the SQLite file behind the server's back, read-only, without going through the
 * product's code: what is on disk is what counts.
 */
export function readEventFile(file: string): FileContents {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const rows = db
      .prepare(
        `SELECT position, id, stream_id, revision, type, data, effective_at, recorded_at, metadata
         FROM events ORDER BY position`,
      )
      .all() as {
      position: number;
      id: string;
      stream_id: string;
      revision: number;
      type: string;
      data: string;
      effective_at: number;
      recorded_at: number;
      metadata: string;
    }[];
    return {
      integrity,
      events: rows.map((row) => ({
        position: row.position,
        id: row.id,
        streamId: row.stream_id,
        revision: row.revision,
        type: row.type,
        data: JSON.parse(row.data) as Record<string, unknown>,
        effectiveAt: row.effective_at,
        recordedAt: row.recorded_at,
        commandId: (JSON.parse(row.metadata) as { commandId: string }).commandId,
      })),
    };
  } finally {
    db.close();
  }
}

/** Problems with the order of a log: positions, recordedAt, revisions per stream. */
export function orderProblems(events: readonly FileEvent[]): string[] {
  const problems: string[] = [];
  const versions = new Map<string, number>();
  events.forEach((event, index) => {
    const previous = events[index - 1];
    if (previous !== undefined && !(event.position > previous.position)) {
      problems.push(`position ${event.position} follows ${previous.position}`);
    }
    if (previous !== undefined && event.recordedAt < previous.recordedAt) {
      problems.push(`recordedAt goes back at position ${event.position}`);
    }
    const expected = versions.get(event.streamId) ?? 0;
    if (event.revision !== expected) {
      problems.push(`${event.streamId} has revision ${event.revision} where ${expected} belongs`);
    }
    versions.set(event.streamId, Math.max(expected, event.revision + 1));
  });
  return problems;
}

/** The event ids of each command, in log order. */
export function idsByCommand(
  events: readonly { id: string; commandId: string | null }[],
): Map<string, string[]> {
  const byCommand = new Map<string, string[]>();
  for (const event of events) {
    if (event.commandId === null) continue;
    const ids = byCommand.get(event.commandId) ?? [];
    ids.push(event.id);
    byCommand.set(event.commandId, ids);
  }
  return byCommand;
}

/**
 * Makes the events table again without its unique ids, still STRICT (every row plain), as
 * someone with the file could, so that an id can be given to two events.
 */
export function dropUniqueIds(db: Database.Database): void {
  db.exec(`CREATE TABLE loose (
    position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
    effective_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL, metadata TEXT NOT NULL,
    schema_version INTEGER NOT NULL) STRICT;
    INSERT INTO loose SELECT * FROM events;
    DROP TABLE events;
    ALTER TABLE loose RENAME TO events;
    CREATE INDEX events_by_command ON events (json_extract(metadata, '$.commandId'));`);
}
