import { existsSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { EventStore, EventStoreUnavailableError } from '@partnerships/event-store/event-store';
import {
  EventStoreLocation,
  parseEventStoreUrl,
  redactEventStoreUrl,
} from '@partnerships/event-store/event-store-url';
import { openEventStore } from '@partnerships/event-store/open-event-store';
import {
  MigrationConflictError,
  MigrationProgress,
  MigrationSummary,
  MigrationUnsupportedError,
  migrateEvents,
} from '@partnerships/event-store/migration';

export const USAGE = `Usage: npm run migrate -- --from <url> --to <url> [--json] [--page-size <n>]

Copies every recorded event from one event store into another: the same ids, streams,
revisions, effective and recorded times and metadata, in the order of the global log.

  --from <url>       the store to copy from; it is only read
  --to <url>         the store to copy into: empty, or holding an earlier copy of the
                     same log (a run that was stopped); then only what is missing is copied
  --json             print the summary as one line of JSON
  --page-size <n>    events per read and write (default 1000)
  -h, --help         show this help

URLs: sqlite:<path>  esdb://<host>:2113?tls=false  esdb+discover://<host>:2113
A target that holds other events is refused before anything is written. Stop every
writer to both stores first; running it again after a stop or failure goes on from there.
Exit status: 0 when everything was copied, 2 for a command line not understood, 1 otherwise.`;

export type MigrateCommand =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'migrate';
      readonly from: string;
      readonly to: string;
      readonly json: boolean;
      readonly pageSize: number | undefined;
    };

/** The command line asks for something this command does not do. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArguments(args: readonly string[]): MigrateCommand {
  const values = new Map<string, string>();
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--json') {
      json = true;
      continue;
    }
    const [name, inline] = splitOption(arg);
    if (name !== '--from' && name !== '--to' && name !== '--page-size') {
      throw new UsageError(`unknown argument ${JSON.stringify(redactEventStoreUrl(arg))}`);
    }
    const value = inline ?? args[++index];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${name} needs a value`);
    }
    if (values.has(name)) throw new UsageError(`${name} is given twice`);
    values.set(name, value);
  }
  const from = values.get('--from');
  const to = values.get('--to');
  if (from === undefined || to === undefined)
    throw new UsageError('both --from and --to are needed');
  if (from === to) throw new UsageError('--from and --to name the same store');
  return { kind: 'migrate', from, to, json, pageSize: parsePageSize(values.get('--page-size')) };
}

export interface Terminal {
  readonly stdout: NodeJS.WritableStream;
  /** Messages and the progress bar (drawn only when it is a terminal). */
  readonly stderr: NodeJS.WritableStream;
}

/** Runs the command line; resolves to the exit status. */
export async function runMigrate(
  args: readonly string[],
  terminal: Terminal,
  signal?: AbortSignal,
): Promise<number> {
  const fail = (message: string): number => {
    terminal.stderr.write(`migrate: ${message}\n`);
    return 1;
  };
  let command: MigrateCommand;
  try {
    command = parseArguments(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // One line and the shell's usage status, as every tool of the project (nothing is read
    // or written yet).
    terminal.stderr.write(`migrate: ${error.message} (npm run migrate -- --help)\n`);
    return 2;
  }
  if (command.kind === 'help') {
    terminal.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const stores: EventStore[] = [];
  const bar = progressBar(terminal.stderr);
  try {
    assertSourceExists(command.from);
    const from = openStore('source', command.from, stores);
    const to = openStore('target', command.to, stores);
    terminal.stderr.write(
      `migrate: copying ${redactEventStoreUrl(command.from)} into ${redactEventStoreUrl(command.to)}\n`,
    );
    const summary = await migrateEvents(from, to, {
      pageSize: command.pageSize,
      onProgress: (progress) => bar.show(progress),
      signal,
    });
    bar.stop();
    terminal.stdout.write(`${describeSummary(summary, command.json)}\n`);
    if (!summary.complete) {
      return fail(`stopped after copying ${summary.copied} events; run it again to go on`);
    }
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof UsageError) return fail(error.message);
    if (error instanceof MigrationConflictError) {
      return fail(`refused, nothing was written: ${error.message}`);
    }
    if (error instanceof MigrationUnsupportedError || error instanceof EventStoreUnavailableError) {
      return fail(error.message);
    }
    return fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const store of stores.reverse()) await store.close().catch(() => undefined);
  }
}

function splitOption(arg: string): [string, string | undefined] {
  const equals = arg.indexOf('=');
  return arg.startsWith('--') && equals > 0
    ? [arg.slice(0, equals), arg.slice(equals + 1)]
    : [arg, undefined];
}

function parsePageSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const pageSize = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(pageSize) || pageSize > 100_000) {
    throw new UsageError('--page-size must be a whole number from 1 to 100000');
  }
  return pageSize;
}

/** Opening a missing SQLite file would create it, and copy an empty log without a word. */
function assertSourceExists(url: string): void {
  let location: EventStoreLocation;
  try {
    location = parseEventStoreUrl(url);
  } catch {
    return; // Opening it says what is wrong with the URL.
  }
  if (location.kind === 'sqlite' && location.location !== ':memory:') {
    if (!existsSync(location.location)) {
      throw new UsageError(`the source ${url} does not exist`);
    }
  }
}

function openStore(role: 'source' | 'target', url: string, opened: EventStore[]): EventStore {
  try {
    const store = openEventStore(url);
    opened.push(store);
    return store;
  } catch (error) {
    if (error instanceof EventStoreUnavailableError) {
      throw new EventStoreUnavailableError(`cannot open the ${role}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function describeSummary(summary: MigrationSummary, json: boolean): string {
  const seconds = Math.round(summary.seconds * 100) / 100;
  if (json) {
    return JSON.stringify({
      copied: summary.copied,
      skipped: summary.skipped,
      seconds,
      complete: summary.complete,
    });
  }
  return (
    `copied ${summary.copied} events, skipped ${summary.skipped} already in the target, ` +
    `in ${seconds.toFixed(2)} s`
  );
}

/**
 * Events accounted for (copied or found already there) against the source's count; a
 * plain counter when the source cannot count. cli-progress draws only on a terminal.
 */
function progressBar(stream: NodeJS.WritableStream): {
  show(progress: MigrationProgress): void;
  stop(): void;
} {
  let bar: SingleBar | undefined;
  return {
    show({ copied, skipped, total }) {
      const payload = { copied, skipped };
      if (bar === undefined) {
        bar = new SingleBar(
          {
            stream,
            hideCursor: true,
            format:
              total === undefined
                ? 'migrate {value} events | {copied} copied | {skipped} already there | {duration_formatted}'
                : 'migrate [{bar}] {percentage}% | {value}/{total} events | {copied} copied | {skipped} already there | ETA {eta_formatted}',
          },
          Presets.shades_classic,
        );
        bar.start(total ?? 0, copied + skipped, payload);
      } else {
        bar.update(copied + skipped, payload);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
