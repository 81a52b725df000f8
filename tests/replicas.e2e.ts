import { join } from 'node:path';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/**
 * Two API processes on one SQLite file, as a stand-in for replicas on one EventStoreDB:
 * each follows the store's log, so each serves what the other recorded.
 */
describe('replicas on one store', () => {
  const directory = temporaryDirectory();
  const servers: TestServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    directory.remove();
  });

  /** Asks until the answer holds, boundedly: the other replica learns of a commit by polling. */
  async function eventually<T>(ask: () => Promise<T>, holds: (answer: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await ask();
      if (holds(answer) || Date.now() > deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('serves on one replica what was recorded through the other, and catches up when started late', async () => {
    const file = join(directory.path, 'events.db');
    const first = await startServer(file);
    servers.push(first);
    await first.gql(
      'mutation { registerOrganization(input: { id: "early", name: "Early" }) { id } }',
    );

    // Started late: it catches up with the log before it serves.
    const second = await startServer(file);
    servers.push(second);
    expect((await second.gql('{ organization(id: "early") { name } }')).data).toEqual({
      organization: { name: 'Early' },
    });

    await first.gql(
      'mutation { registerOrganization(input: { id: "later", name: "Later" }) { id } }',
    );
    const seen = await eventually(
      () => second.gql('{ organization(id: "later") { name } }'),
      (answer) => answer.data?.organization !== null,
    );
    expect(seen.data).toEqual({ organization: { name: 'Later' } });

    await second.gql('mutation { foundGroup(input: { id: "shared", name: "Shared" }) { id } }');
    const back = await eventually(
      () => first.gql('{ group(id: "shared") { name version } }'),
      (answer) => answer.data?.group !== null,
    );
    expect(back.data).toEqual({ group: { name: 'Shared', version: 1 } });
  });
});
