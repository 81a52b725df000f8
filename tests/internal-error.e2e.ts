import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/**
 * A real failure, not a scripted one: another process holds the SQLite write lock past the
 * store's busy timeout (5 s), so the append fails inside the store. The client sees the
 * generic INTERNAL_SERVER_ERROR and nothing of the internals; nothing is recorded; the
 * server keeps serving once the lock is gone.
 */
describe('an unexpected failure is masked', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('answers INTERNAL_SERVER_ERROR with no internals when the store is locked past its busy timeout', async () => {
    const holder = new Database(server.file);
    holder.exec('BEGIN IMMEDIATE');
    let response;
    try {
      response = await server.gql(
        'mutation { registerOrganization(input: { id: "blocked", name: "Blocked" }) { id } }',
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const body = JSON.stringify(response);
    expect(body).not.toMatch(/SQLITE|busy|locked|\.js:\d+|\bat \w/i);

    // Nothing was recorded, and the same command goes through now that the lock is gone.
    const history = await server.gql('{ history(streamId: "organization-blocked") { id } }');
    expect(history.data).toEqual({ history: [] });
    const retried = await server.gql(
      'mutation { registerOrganization(input: { id: "blocked", name: "Blocked" }) { id } }',
    );
    expect(retried.errors).toBeUndefined();
    // The failure was reported in the server's own log, not to the client.
    const reported = server
      .output()
      .split('\n')
      .filter((line) => /SQLITE_BUSY|database is locked/.test(line))
      .map((line) => JSON.parse(line) as { context?: string });
    // Once, with the request it failed, so that the operator finds it (and counts it once).
    expect(reported).toEqual([
      expect.objectContaining({
        level: 50,
        req: expect.objectContaining({ id: expect.anything(), method: 'POST', url: '/graphql' }),
      }),
    ]);
  }, 30_000);
});
