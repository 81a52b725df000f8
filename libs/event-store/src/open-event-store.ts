import type { EventStore } from './event-store';
import { parseEventStoreUrl } from './event-store-url';
import type * as EventStoreDb from './eventstoredb/eventstoredb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/** Opens the adapter the URL names. */
export function openEventStore(url: string): EventStore {
  const parsed = parseEventStoreUrl(url);
  switch (parsed.kind) {
    case 'sqlite':
      return SqliteEventStore.open(parsed.location);
    case 'esdb': {
      // Loaded only when asked for: its gRPC client took ~100 ms of every SQLite start.
      const { EventStoreDbEventStore } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('./eventstoredb/eventstoredb-event-store') as typeof EventStoreDb;
      return EventStoreDbEventStore.open(parsed.connectionString);
    }
  }
}
