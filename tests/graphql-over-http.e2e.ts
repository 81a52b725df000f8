import { join } from 'node:path';
import { serverAudits } from 'graphql-http';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/** The GraphQL over HTTP specification's audits, run against the real server. */
describe('GraphQL over HTTP', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  it('passes every MUST audit of graphql-http', async () => {
    const audits = serverAudits({ url: () => server.url, fetchFn: fetch });
    const failures: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== 'ok' && audit.name.startsWith('MUST')) {
        failures.push(`${audit.id} ${audit.name}: ${result.reason}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
