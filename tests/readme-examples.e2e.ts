import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/** The README's GraphQL examples, in the order a reader would run them. */
const examples = [
  ...readFileSync(join(__dirname, '..', 'README.md'), 'utf8').matchAll(
    /```graphql\n([\s\S]*?)```/g,
  ),
].map((match) => match[1]);

describe('the README examples', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  it('are there to run', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it('all run without an error on a fresh server, in order', async () => {
    for (const example of examples.filter((text) => !text.trimStart().startsWith('subscription'))) {
      const response = await server.gql(example);
      expect({ example, errors: response.errors }).toEqual({ example, errors: undefined });
    }
  });

  it('show what they say: the backdated position change, as of 15 March', async () => {
    const response = await server.gql(`{
      network(asOf: "2026-03-15T00:00:00Z") {
        group(id: "west-district") { members(position: CORE) { organization { id } positionSince } }
      }
    }`);
    expect(response.data?.network.group.members).toEqual([
      { organization: { id: 'acme' }, positionSince: '2026-01-10T09:00:00.000Z' },
      { organization: { id: 'northcare' }, positionSince: '2026-03-01T09:00:00.000Z' },
    ]);
  });
});
