import { describeEventStoreContract } from '@partnerships/event-store/event-store-contract';
import { EventStoreDbEventStore } from '@partnerships/event-store/eventstoredb/eventstoredb-event-store';
import { ScriptedEventStoreDb } from './support/scripted-eventstoredb';

/**
 * The port's contract, through the adapter and the real client, against the scripted
 * EventStoreDB gRPC server (scripted server: one in-memory node; `npm run test:esdb` runs
 * the same suite against a real one).
 */
const eventstore = new ScriptedEventStoreDb();
let port: Promise<number> | undefined;

afterAll(() => eventstore.stop());

describeEventStoreContract(
  'EventStoreDB adapter on a scripted gRPC server',
  async () => {
    port ??= eventstore.start();
    const store = EventStoreDbEventStore.open(`esdb://127.0.0.1:${await port}?tls=false`);
    return { store, dispose: () => store.close(), head: () => store.head() };
  },
  { capabilities: { oneRecordedAtPerAppend: false } },
);
