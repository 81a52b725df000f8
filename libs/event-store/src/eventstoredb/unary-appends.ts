import { ANY, type AppendToStreamOptions, type EventStoreDBClient } from '@eventstore/db-client';
// The client's own one-call-per-append path, which its appendToStream takes only when a
// request carries credentials of its own. The package version is pinned exactly, and a
// test checks that this path still exists (unary-appends.scripted.spec.ts).
import { append as appendOnItsOwnCall } from '@eventstore/db-client/dist/streams/appendToStream/append';
import type { EventStoreDbClient } from './eventstoredb-event-store';

/**
 * The client with every append sent as a call of its own (the Streams.Append RPC).
 *
 * Why: by default the 6.2.1 client sends appends through one process-wide BatchAppend
 * stream and matches answers to callers in a map; an answer that arrives after the stream
 * failed (a reconnect, a failover) finds no entry there and its handler throws a TypeError
 * outside any caller, which ends the process. On its own call an answer can only settle
 * its own request: once the call failed, a late answer settles nothing. The server's
 * NotReady and TooBusy answers arrive on that call as gRPC UNAVAILABLE statuses, which
 * the adapter reports as EventStoreUnavailableError.
 */
export function withUnaryAppends(client: EventStoreDBClient): EventStoreDbClient {
  return {
    appendToStream: (streamName, events, options: AppendToStreamOptions = {}) =>
      appendOnItsOwnCall.call(
        client,
        streamName,
        Array.isArray(events) ? events : [events],
        Object.assign({}, options, {
          expectedRevision: options.expectedRevision ?? ANY,
          batchAppendSize: Number.POSITIVE_INFINITY,
        }),
      ),
    readStream: client.readStream.bind(client) as EventStoreDBClient['readStream'],
    readAll: client.readAll.bind(client) as EventStoreDBClient['readAll'],
    subscribeToAll: client.subscribeToAll.bind(client),
    dispose: client.dispose.bind(client),
  };
}
