import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Presets, SingleBar } from 'cli-progress';
import { AuditDigest, MalformedDigestError, parseDigest } from '@partnerships/audit/digest';
import {
  EventStore,
  EventStoreUnavailableError,
  RecordedEvent,
} from '@partnerships/event-store/event-store';
import { parseEventStoreUrl, redactEventStoreUrl } from '@partnerships/event-store/event-store-url';
import { openEventStore } from '@partnerships/event-store/open-event-store';

/** Bad usage or input (a flag, a file, a store that cannot be opened): exit status 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export interface Terminal {
  readonly stdout: NodeJS.WritableStream;
  /** Messages and progress bars (drawn only when it is a terminal). */
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Opens a store for reading. A SQLite file that is not there is refused: opening it would
 * create an empty log and report on nothing.
 */
export function openExistingStore(url: string): EventStore {
  let location;
  try {
    location = parseEventStoreUrl(url);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (location.kind === 'sqlite' && location.location !== ':memory:') {
    if (!existsSync(location.location)) {
      throw new InputError(`the store ${redactEventStoreUrl(url)} does not exist`);
    }
  }
  return openStore(url);
}

export function openStore(url: string): EventStore {
  try {
    return openEventStore(url);
  } catch (error) {
    if (error instanceof EventStoreUnavailableError) throw new InputError(error.message);
    throw error;
  }
}

const PAGE = 10_000;

/** Every event of the log in commit order, with a progress bar on stderr for long reads. */
export async function readLog(
  store: EventStore,
  label: string,
  stderr: NodeJS.WritableStream,
  onEvent: (event: RecordedEvent, index: number) => void | Promise<void>,
  /** Each page as it is read, before its events: the position it starts after, its events. */
  onPage?: (after: string | undefined, page: readonly RecordedEvent[]) => void,
): Promise<number> {
  let total: number | undefined;
  try {
    total = await store.countAll?.();
  } catch (error) {
    if (error instanceof EventStoreUnavailableError) throw new InputError(error.message);
    throw error;
  }
  const bar = progressBar(stderr, label, total);
  let after: string | undefined;
  let index = 0;
  try {
    for (;;) {
      let page: readonly RecordedEvent[];
      try {
        page = await store.readAll({ after, limit: PAGE });
      } catch (error) {
        if (error instanceof EventStoreUnavailableError) throw new InputError(error.message);
        throw error;
      }
      if (page.length === 0) break;
      onPage?.(after, page);
      for (const event of page) {
        const pending = onEvent(event, index++);
        if (pending !== undefined) await pending;
      }
      after = page[page.length - 1].position;
      bar.update(index);
    }
  } finally {
    bar.stop();
  }
  return index;
}

/** cli-progress draws only on a terminal; a pipe or a file gets nothing. */
export function progressBar(
  stream: NodeJS.WritableStream,
  label: string,
  total: number | undefined,
): { update(value: number): void; stop(): void } {
  const bar = new SingleBar(
    {
      stream,
      hideCursor: true,
      format:
        total === undefined
          ? `${label} {value} events | {duration_formatted}`
          : `${label} [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}`,
    },
    Presets.shades_classic,
  );
  bar.start(total ?? 0, 0);
  return {
    update: (value) => bar.update(value),
    stop: () => bar.stop(),
  };
}

export function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `${what} ${file} does not exist`
        : `cannot read ${what} ${file} (${code})`,
    );
  }
}

export function readDigestFile(file: string): AuditDigest {
  const text = readTextFile(file, 'the digest');
  try {
    return parseDigest(text);
  } catch (error) {
    if (error instanceof MalformedDigestError) {
      throw new InputError(`${file} is not a digest: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, renamed over the
 * target only when everything was written.
 */
export class AtomicFile {
  private readonly temporary: string;
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly file: string) {
    this.temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      this.fd = openSync(this.temporary, 'wx');
    } catch (error) {
      throw new InputError(
        `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  }

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.flush();
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.temporary, this.file);
  }

  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by commit.
    }
    rmSync(this.temporary, { force: true });
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }
}

/** Writes several files so that either all of them appear or none does. */
export function writeFilesAtomically(files: ReadonlyArray<readonly [string, string]>): void {
  const opened = files.map(([file]) => new AtomicFile(file));
  try {
    files.forEach(([, text], index) => opened[index].write(text));
    for (const file of opened) file.commit();
  } catch (error) {
    for (const file of opened) file.abandon();
    throw error;
  }
}

/** A date-time argument: RFC 3339 with a time zone, or a plain date (midnight UTC). */
export function parseTime(flag: string, value: string): Date {
  const date =
    /^\d{4}-\d{2}-\d{2}$/.test(value) ||
    /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value)
      ? new Date(value)
      : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new InputError(
      `${flag} must be a date (2025-03-01) or a date-time with a zone (2025-03-01T12:00:00Z), not ${JSON.stringify(value)}`,
    );
  }
  return date;
}
