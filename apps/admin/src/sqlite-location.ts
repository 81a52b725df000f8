import { parseEventStoreUrl, redactEventStoreUrl } from '@partnerships/event-store/event-store-url';

/** The SQLite file EVENT_STORE_URL names (the default store when it is unset). */
export function sqliteFileOfEnvironment(env: NodeJS.ProcessEnv): string {
  const url = env['EVENT_STORE_URL'] || 'sqlite:data/events.db';
  const parsed = parseEventStoreUrl(url);
  if (parsed.kind !== 'sqlite' || parsed.location === ':memory:') {
    throw new Error(
      `backup and restore work on a SQLite file; EVENT_STORE_URL is ${redactEventStoreUrl(url)}`,
    );
  }
  return parsed.location;
}

/** Prints a short error and exits non-zero: these are commands for people. */
export function fail(error: unknown): never {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
