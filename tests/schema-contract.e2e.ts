import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  findBreakingChanges,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/** The public contract, committed here so that a fresh clone can check itself. */
const CONTRACT_COPY = join(__dirname, 'fixtures', 'contract', 'schema.graphql');
/** The schema the server is built from. */
const SCHEMA_FILE = join(__dirname, '..', 'apps', 'api', 'src', 'graphql', 'schema.graphql');
/** The contract as published beside the repository, where there is one. */
const PUBLISHED_CONTRACT = join(__dirname, '..', '..', 'shared', 'contract', 'schema.graphql');

describe('the served schema', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  async function servedSchema() {
    const response = await server.gql(getIntrospectionQuery());
    expect(response.errors).toBeUndefined();
    return buildClientSchema(response.data as never);
  }

  it('is backward compatible with the public contract: no breaking change', async () => {
    const contract = buildSchema(readFileSync(CONTRACT_COPY, 'utf8'));
    expect(findBreakingChanges(contract, await servedSchema())).toEqual([]);
  });

  it('is the committed schema file', async () => {
    const committed = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(printSchema(lexicographicSortSchema(await servedSchema()))).toEqual(
      printSchema(lexicographicSortSchema(committed)),
    );
  });

  const published = existsSync(PUBLISHED_CONTRACT);
  (published ? it : it.skip)('uses the current published contract', () => {
    expect(readFileSync(CONTRACT_COPY, 'utf8')).toEqual(readFileSync(PUBLISHED_CONTRACT, 'utf8'));
  });
});
