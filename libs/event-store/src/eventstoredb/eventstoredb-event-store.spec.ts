import { describeEventStoreContract } from '../event-store-contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * The contract against a real server, e.g. `docker compose up -d eventstore` and
 * EVENTSTORE_TEST_URL=esdb://localhost:2113?tls=false. Every stream is new, so a server
 * that already holds data will do. Without the variable the suite is reported skipped:
 * no stand-in passes for the server.
 */
const url = process.env['EVENTSTORE_TEST_URL'];
const skip = url === undefined || url === '';

if (skip) {
  console.warn(
    'EventStoreDB contract suite skipped: set EVENTSTORE_TEST_URL (e.g. esdb://localhost:2113?tls=false) to run it against a real server',
  );
}

describeEventStoreContract(
  'EventStoreDB',
  async () => {
    const store = EventStoreDbEventStore.open(url ?? '');
    return { store, dispose: () => store.close(), head: () => store.head() };
  },
  {
    skip,
    capabilities: {
      // The server stamps each event of an append as it writes it.
      oneRecordedAtPerAppend: false,
    },
  },
);
