/**
 * Where a server keeps the files it reads at start, as the environment names them: light
 * enough for main to know them before it loads the rest of the server (StartFiles).
 */
import {
  DEFAULT_EVENT_STORE_URL,
  parseEventStoreUrl,
} from '@partnerships/event-store/event-store-url';
import type { StartFileNames } from './read-model/start-files';

/** EVENT_STORE_URL, or the embedded SQLite file by default. */
export function eventStoreUrlOf(env: NodeJS.ProcessEnv): string {
  return env['EVENT_STORE_URL'] || DEFAULT_EVENT_STORE_URL;
}

/**
 * SNAPSHOT_FILE: the read model's snapshot; by default beside a SQLite file, none for
 * EventStoreDB unless set (any path works for any store); `off`: none.
 */
export function snapshotFileOf(env: NodeJS.ProcessEnv, eventStoreUrl: string): string | undefined {
  return configuredFile(env['SNAPSHOT_FILE'], eventStoreUrl, '.snapshot');
}

/**
 * AUDIT_TREE_FILE: the checkpoint of the audit tree; by default beside a SQLite file,
 * none for EventStoreDB (the tree is then rebuilt from the log at every start); `off`: none.
 */
export function auditTreeFileOf(env: NodeJS.ProcessEnv, eventStoreUrl: string): string | undefined {
  return configuredFile(env['AUDIT_TREE_FILE'], eventStoreUrl, '.audit-tree');
}

export function startFileNames(env: NodeJS.ProcessEnv): StartFileNames {
  const url = eventStoreUrlOf(env);
  return { snapshot: snapshotFileOf(env, url), auditTree: auditTreeFileOf(env, url) };
}

/**
 * START_FILES_THREAD_BYTES: from how many bytes in the two files together a start reads
 * them on a thread of its own (StartFiles); undefined when unset, or when it is not a whole
 * number of bytes (loadConfig then refuses to start, and says why).
 */
export function startFilesThreadBytesOf(env: NodeJS.ProcessEnv): number | undefined {
  const value = env['START_FILES_THREAD_BYTES'];
  if (value === undefined || value === '') return undefined;
  const bytes = Number(value);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/** The file set, none for `off`, else the SQLite file's name with `suffix` (none for other stores). */
function configuredFile(
  configured: string | undefined,
  eventStoreUrl: string,
  suffix: string,
): string | undefined {
  if (configured === 'off') return undefined;
  if (configured) return configured;
  try {
    const location = parseEventStoreUrl(eventStoreUrl);
    if (location.kind === 'sqlite' && location.location !== ':memory:') {
      return `${location.location}${suffix}`;
    }
  } catch {
    // Opening the store reports what is wrong with its URL.
  }
  return undefined;
}
