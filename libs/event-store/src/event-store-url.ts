/**
 * The event store URL: its forms, and what they name. No adapter is loaded here (see
 * open-event-store.ts): the server's first module reads the URL before it loads the rest.
 */
import { EventStoreUnavailableError } from './event-store';

/** Where events are recorded when EVENT_STORE_URL is not set. */
export const DEFAULT_EVENT_STORE_URL = 'sqlite:data/events.db';

export type EventStoreLocation =
  | { readonly kind: 'sqlite'; readonly location: string }
  | { readonly kind: 'esdb'; readonly connectionString: string };

const ACCEPTED_FORMS =
  'sqlite:<relative or absolute file path>, sqlite::memory:, esdb://<host>:<port>?..., esdb+discover://<host>:<port>?..., kurrentdb://... or kurrentdb+discover://...';

/** KurrentDB is EventStoreDB renamed: the same connection string under its new scheme. */
const SCHEMES: ReadonlyArray<readonly [string, string]> = [
  ['esdb://', 'esdb://'],
  ['esdb+discover://', 'esdb+discover://'],
  ['kurrentdb://', 'esdb://'],
  ['kurrentdb+discover://', 'esdb+discover://'],
];

/** Reads the event store URL of the configuration; it picks the adapter. */
export function parseEventStoreUrl(url: string): EventStoreLocation {
  const scheme = SCHEMES.find(([given]) => url.startsWith(given));
  if (scheme !== undefined) {
    const [given, client] = scheme;
    const rest = url.slice(given.length);
    if (rest === '') throw unsupported('the esdb URL names no host');
    // Handed to the EventStoreDB client, which owns the rest of its syntax.
    return { kind: 'esdb', connectionString: `${client}${rest}` };
  }
  if (url.startsWith('sqlite:')) {
    const location = url.slice('sqlite:'.length);
    if (location === '') throw unsupported('the sqlite URL names no file');
    // `sqlite://data/x.db` reads as a host in other tools and as the absolute path
    // `/data/x.db` here; refuse it rather than guess which was meant.
    if (location.startsWith('//')) throw unsupported('write sqlite:<path>, without //');
    return { kind: 'sqlite', location };
  }
  // The URL itself is not repeated: an esdb URL may hold a password.
  throw unsupported('unknown scheme');
}

/** The URL with any password replaced, fit for a log line or a progress message. */
export function redactEventStoreUrl(url: string): string {
  // user:password@ in the authority of an esdb URL, up to its last @ (a password may hold
  // one); a sqlite path has no authority.
  return url.replace(/^((?:esdb|kurrentdb)(?:\+discover)?:\/\/[^/@?#:]*):[^/?#]*@/, '$1:***@');
}

function unsupported(reason: string): EventStoreUnavailableError {
  return new EventStoreUnavailableError(
    `unsupported event store URL (${reason}); use one of: ${ACCEPTED_FORMS}`,
  );
}
