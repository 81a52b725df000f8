import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { EventStoreDBClient, NO_STREAM, jsonEvent } from '@eventstore/db-client';
import { append as appendOnItsOwnCall } from '@eventstore/db-client/dist/streams/appendToStream/append';
import { AppendResp, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { EventStoreUnavailableError, EventToAppend } from '../event-store';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { withUnaryAppends } from './unary-appends';

/**
 * The real 6.2.1 client, with its gRPC transport scripted (scripted client: no server). The
 * scripted server says it supports BatchAppend, as every server since 21.10 does.
 */
describe('appends on calls of their own (scripted client: the real client, a scripted transport)', () => {
  let client: EventStoreDBClient;
  let transport: ScriptedTransport;

  beforeEach(() => {
    client = EventStoreDBClient.connectionString('esdb://127.0.0.1:2113?tls=false');
    transport = new ScriptedTransport(client);
  });

  afterEach(async () => {
    await client.dispose();
  });

  it('the pinned client still has its one-call-per-append path', () => {
    expect(typeof appendOnItsOwnCall).toBe('function');
  });

  it('sends an append as one Append call, never through the shared BatchAppend stream', async () => {
    transport.answer((callback) => callback(null, success(4n)));

    const result = await withUnaryAppends(client).appendToStream('group-1', [event()], {
      expectedRevision: 3n,
      requiresLeader: true,
    });

    expect(result).toMatchObject({ success: true, nextExpectedRevision: 4n });
    expect(transport.appendCalls).toBe(1);
    expect(transport.batchStreamsOpened).toBe(0);
    // The header carries the expected revision, then one message per event.
    expect(transport.written).toHaveLength(2);
  });

  it('ignores an answer that arrives after its call failed (a late answer during a reconnect)', async () => {
    let answerLate: () => void = () => undefined;
    transport.answer((callback) => {
      callback(unavailable('Server Is Not Ready'), undefined);
      answerLate = () => callback(null, success(0n));
    });
    const store = new EventStoreDbEventStore(withUnaryAppends(client));

    const failure = store.append('group-1', [toAppend()], 0);
    await expect(failure).rejects.toBeInstanceOf(EventStoreUnavailableError);

    expect(() => answerLate()).not.toThrow();
    expect(transport.batchStreamsOpened).toBe(0);
  });

  it.each(['Server Is Not Ready', 'Server Is Too Busy'])(
    "reports the server's %j answer as EventStoreUnavailableError",
    async (details) => {
      transport.answer((callback) => callback(unavailable(details), undefined));
      const store = new EventStoreDbEventStore(withUnaryAppends(client));

      await expect(store.append('group-1', [toAppend()], 0)).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    },
  );

  it('(why) the shared batch stream of 6.2.1 throws on a late answer, outside any caller', async () => {
    const batchStream = new EventEmitter() as EventEmitter & { write: () => boolean };
    batchStream.write = () => true;
    transport.batchStream = batchStream;

    const caller = client
      .appendToStream('group-1', [event()], { expectedRevision: NO_STREAM })
      .catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.batchStreamsOpened).toBe(1);
    // The stream fails (a reconnect): the client rejects its callers and empties its map.
    batchStream.emit('error', unavailable('connection reset'));
    expect(await caller).toBeInstanceOf(Error);
    const late = new BatchAppendResp();
    const correlation = new UUID();
    correlation.setString(randomUUID());
    late.setCorrelationId(correlation);

    expect(() => batchStream.emit('data', late)).toThrow(TypeError);
  });
});

type Callback = (error: Error | null, response: AppendResp | undefined) => void;

/** Stands in for the gRPC channel under the real client's request code. */
class ScriptedTransport {
  appendCalls = 0;
  batchStreamsOpened = 0;
  readonly written: unknown[] = [];
  batchStream: EventEmitter | undefined;
  private respond: (callback: Callback) => void = () => undefined;

  constructor(client: EventStoreDBClient) {
    const grpc = {
      append: (_metadata: unknown, _options: unknown, callback: Callback) => {
        this.appendCalls++;
        const sink = new Writable({
          objectMode: true,
          write: (chunk: unknown, _encoding, done) => {
            this.written.push(chunk);
            done();
          },
        });
        sink.on('finish', () => this.respond(callback));
        return sink;
      },
      batchAppend: () => {
        this.batchStreamsOpened++;
        return this.batchStream;
      },
    };
    Object.assign(client, {
      supports: async () => true,
      execute: async (_client: unknown, _name: string, action: (grpc: unknown) => unknown) =>
        action(grpc),
      GRPCStreamCreator:
        (_client: unknown, _name: string, create: (grpc: unknown) => unknown) => async () =>
          create(grpc),
      callArguments: () => [{}, {}],
    });
  }

  answer(respond: (callback: Callback) => void): void {
    this.respond = respond;
  }
}

function success(revision: bigint): AppendResp {
  const response = new AppendResp();
  const result = new AppendResp.Success();
  result.setCurrentRevision(revision.toString());
  response.setSuccess(result);
  return response;
}

/** What a server that is not ready or too busy answers: gRPC UNAVAILABLE with its reason. */
function unavailable(details: string): Error {
  return Object.assign(new Error(`14 UNAVAILABLE: ${details}`), {
    code: 14,
    details,
    metadata: { getMap: () => ({}) },
  });
}

function event() {
  return jsonEvent({ id: randomUUID(), type: 'GroupFounded', data: { name: 'River' } });
}

function toAppend(): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'GroupFounded',
    data: { name: 'River' },
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}
