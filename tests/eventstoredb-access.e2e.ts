import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { startServer, temporaryDirectory } from './support/test-server';

/**
 * The built API against a scripted EventStoreDB (scripted server: the real client and the
 * real API, a gRPC server that answers reads as a secured EventStoreDB does). No real
 * server runs here; `npm run test:esdb` is the suite for one.
 */
describe('the API on a secured EventStoreDB (scripted gRPC server)', () => {
  const directory = temporaryDirectory();
  let scripted: grpc.Server;
  let port: number;
  let denyAll = true;

  beforeAll(async () => {
    scripted = new grpc.Server();
    scripted.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        if (denyAll) {
          // What the server answers a user who may not read $all.
          const metadata = new grpc.Metadata();
          metadata.set('exception', 'access-denied');
          call.emit('error', {
            code: grpc.status.PERMISSION_DENIED,
            details: 'Access Denied',
            metadata,
          });
          return;
        }
        // Allowed: an empty log; a subscription stays open until the client leaves.
        const request = call.request as { getOptions(): { hasSubscription(): boolean } };
        if (!request.getOptions().hasSubscription()) call.end();
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      scripted.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error),
      ),
    );
  });

  afterAll(async () => {
    scripted.forceShutdown();
    directory.remove();
  });

  it('refuses to start when $all is denied, naming the user and what to grant, never the password', async () => {
    denyAll = true;

    const failure = await startServer(join(directory.path, 'unused.db'), {
      EVENT_STORE_URL: `esdb://ops:s3cret@127.0.0.1:${port}?tls=false`,
    }).then(
      async (server) => {
        await server.close();
        throw new Error('the server started');
      },
      (error: unknown) => error as Error,
    );

    expect(failure.message).toMatch(/exited \(1\) before serving/);
    expect(failure.message).toContain(
      'could not start: EventStoreDB denied user "ops" a read of $all',
    );
    expect(failure.message).toMatch(/\$admins|read on \$all/);
    expect(failure.message).not.toContain('s3cret');
  });

  it('starts when the user may read $all', async () => {
    denyAll = false;

    const server = await startServer(join(directory.path, 'unused.db'), {
      EVENT_STORE_URL: `esdb://ops:s3cret@127.0.0.1:${port}?tls=false`,
    });
    try {
      expect(server.output()).toContain('serving GraphQL');
    } finally {
      await server.close();
    }
  });
});
