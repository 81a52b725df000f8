import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';

/** One event as the scripted server keeps it. */
export interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly created: Date;
}

/** `created` travels as 100-nanosecond ticks since the Unix epoch. */
const TICKS_PER_MS = 10_000n;

/**
 * A scripted EventStoreDB (not a server: one node, in memory, answering the gRPC calls the
 * adapter makes as the server's protocol documents them): unary Append with expected
 * revisions, Read of a stream or of `$all` in both directions, and `$all` subscriptions.
 * It advertises BatchAppend, as every server since 21.10 does, and counts its use.
 */
export class ScriptedEventStoreDb {
  readonly events: StoredEvent[] = [];
  /** The server's clock: a test may step it back, as after a failover to a node behind. */
  now: () => Date = () => new Date();
  appendCalls = 0;
  batchAppendCalls = 0;
  /** Calls that did not ask for the leader (the `requires-leader` header). */
  readonly withoutLeader: string[] = [];
  private readonly server = new grpc.Server();
  private readonly subscribers = new Set<(event: StoredEvent) => void>();

  async start(): Promise<number> {
    this.server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<SupportedMethods>) => {
        const methods = ['append', 'batchappend', 'read'].map((name) =>
          new SupportedMethod()
            .setServiceName('event_store.client.streams.streams')
            .setMethodName(name),
        );
        callback(
          null,
          new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('24.10.4'),
        );
      },
    });
    this.server.addService(StreamsService, {
      append: (
        call: grpc.ServerReadableStream<AppendReq, AppendResp>,
        callback: grpc.sendUnaryData<AppendResp>,
      ) => this.append(call, callback),
      batchAppend: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        this.batchAppendCalls++;
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'scripted' });
      },
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
    });
    return new Promise((resolve, reject) =>
      this.server.bindAsync(
        '127.0.0.1:0',
        grpc.ServerCredentials.createInsecure(),
        (error, port) => (error === null ? resolve(port) : reject(error)),
      ),
    );
  }

  stop(): void {
    this.server.forceShutdown();
  }

  streamOf(streamId: string): StoredEvent[] {
    return this.events.filter((event) => event.streamId === streamId);
  }

  private noteLeader(call: { metadata: grpc.Metadata }, what: string): void {
    if (call.metadata.get('requires-leader')[0] !== 'true') this.withoutLeader.push(what);
  }

  private append(
    call: grpc.ServerReadableStream<AppendReq, AppendResp>,
    callback: grpc.sendUnaryData<AppendResp>,
  ): void {
    this.appendCalls++;
    this.noteLeader(call, 'append');
    const requests: AppendReq[] = [];
    call.on('data', (request: AppendReq) => requests.push(request));
    call.on('end', () => {
      const options = requests[0]!.getOptions()!;
      const streamId = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString();
      const stream = this.streamOf(streamId);
      const current = stream.length - 1;
      const expected = options.getExpectedStreamRevisionCase();
      const C = AppendReq.Options.ExpectedStreamRevisionCase;
      const fits =
        expected === C.ANY ||
        (expected === C.NO_STREAM && current === -1) ||
        (expected === C.STREAM_EXISTS && current >= 0) ||
        (expected === C.REVISION && Number(options.getRevision()) === current);
      const response = new AppendResp();
      if (!fits) {
        const wrong = new AppendResp.WrongExpectedVersion();
        if (current >= 0) wrong.setCurrentRevision(String(current));
        else wrong.setCurrentNoStream(new Empty());
        if (expected === C.REVISION) wrong.setExpectedRevision(options.getRevision());
        else wrong.setExpectedNoStream(new Empty());
        callback(null, response.setWrongExpectedVersion(wrong));
        return;
      }
      const created = this.now();
      for (const request of requests.slice(1)) {
        const message = request.getProposedMessage()!;
        const event: StoredEvent = {
          id: message.getId()!.getString(),
          streamId,
          revision: this.streamOf(streamId).length,
          position: (this.events.length + 1) * 100,
          type: message.getMetadataMap().get('type') ?? '',
          contentType: message.getMetadataMap().get('content-type') ?? '',
          data: message.getData_asU8(),
          metadata: message.getCustomMetadata_asU8(),
          created,
        };
        this.events.push(event);
        for (const subscriber of this.subscribers) subscriber(event);
      }
      const last = this.events[this.events.length - 1]!;
      const success = new AppendResp.Success()
        .setCurrentRevision(String(last.revision))
        .setPosition(
          new AppendResp.Position()
            .setCommitPosition(String(last.position))
            .setPreparePosition(String(last.position)),
        );
      callback(null, response.setSuccess(success));
    });
  }

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions()!;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasSubscription() ? Number.POSITIVE_INFINITY : Number(options.getCount());
    let events: StoredEvent[];
    if (options.hasStream()) {
      this.noteLeader(call, 'read a stream');
      const stream = options.getStream()!;
      const streamId = Buffer.from(stream.getStreamIdentifier()!.getStreamName_asU8()).toString();
      events = this.streamOf(streamId);
      if (events.length === 0) {
        call.write(
          new ReadResp().setStreamNotFound(
            new ReadResp.StreamNotFound().setStreamIdentifier(
              new StreamIdentifier().setStreamName(Buffer.from(streamId)),
            ),
          ),
        );
        call.end();
        return;
      }
      const from = stream.hasStart()
        ? 0
        : stream.hasEnd()
          ? events.length - 1
          : Number(stream.getRevision());
      events = backwards
        ? events.filter((event) => event.revision <= from).reverse()
        : events.filter((event) => event.revision >= from);
    } else {
      this.noteLeader(call, options.hasSubscription() ? 'subscribe to $all' : 'read $all');
      const all = options.getAll()!;
      const at = all.hasStart()
        ? 0
        : all.hasEnd()
          ? Number.POSITIVE_INFINITY
          : Number(all.getPosition()!.getCommitPosition());
      events = backwards
        ? this.events.filter((event) => event.position <= at).reverse()
        : this.events.filter((event) => event.position >= at);
      if (options.hasSubscription()) {
        // A subscription delivers what follows its position, then each new event.
        events = this.events.filter(
          (event) => event.position > (Number.isFinite(at) ? at : Infinity),
        );
        call.write(
          new ReadResp().setConfirmation(
            new ReadResp.SubscriptionConfirmation().setSubscriptionId('scripted'),
          ),
        );
        for (const event of events) call.write(toReadResp(event));
        const deliver = (event: StoredEvent) => call.write(toReadResp(event));
        this.subscribers.add(deliver);
        call.on('cancelled', () => this.subscribers.delete(deliver));
        call.on('close', () => this.subscribers.delete(deliver));
        return;
      }
    }
    for (const event of events.slice(0, count)) call.write(toReadResp(event));
    call.end();
  }
}

function toReadResp(event: StoredEvent): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(event.id))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(event.streamId)))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded.getMetadataMap().set('type', event.type);
  recorded.getMetadataMap().set('content-type', event.contentType);
  recorded.getMetadataMap().set('created', String(BigInt(event.created.getTime()) * TICKS_PER_MS));
  return new ReadResp().setEvent(
    new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position)),
  );
}
