import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/** A dashboard's everyday question: it must always pass the limits. */
const DASHBOARD = `{
  group(id: "g") {
    name
    members(position: CORE) { organization { id name capability { gap } } joinedAt positions { position from } }
    partnerships(status: ACTIVE) { name termStatus parties { name } }
  }
  partnerships(first: 50, status: ACTIVE) {
    totalCount
    edges { node { name parties { name } termStatus arrangements { title validUntil } } }
  }
  network { stats { organizations groups activeGroups activePartnerships overduePartnerships } }
}`;

const nested = (depth: number): string =>
  `{ network { group(id: "g") { ${'members { organization { memberships { group { '.repeat(depth)}name${' } } } }'.repeat(depth)} } } }`;

describe('query limits', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  const refusal = (response: { errors?: readonly { extensions?: Record<string, any> }[] }) =>
    response.errors?.[0]?.extensions?.['code'];

  it('let a dashboard query through', async () => {
    expect((await server.gql(DASHBOARD)).errors).toBeUndefined();
    expect((await server.gql(nested(2))).errors).toBeUndefined();
  });

  it('refuse a query nested too deep', async () => {
    const response = await server.gql(nested(3));
    expect(refusal(response)).toBe('BAD_USER_INPUT');
    expect(response.data ?? null).toBeNull();
  });

  it('refuse too many aliases', async () => {
    const fine = Array.from({ length: 10 }, (_, i) => `a${i}: organization(id: "x") { name }`);
    expect((await server.gql(`{ ${fine.join(' ')} }`)).errors).toBeUndefined();
    const many = Array.from({ length: 40 }, (_, i) => `a${i}: organization(id: "x") { name }`);
    expect(refusal(await server.gql(`{ ${many.join(' ')} }`))).toBe('BAD_USER_INPUT');
  });

  it('refuse a document of too many tokens', async () => {
    const flood = `{ ${'__typename '.repeat(6_000)}}`;
    expect(refusal(await server.gql(flood))).toBe('BAD_USER_INPUT');
  });

  it('refuse a query whose connection and list sizes multiply past the cost limit', async () => {
    const abusive =
      '{ organizations(first: 500) { edges { node { memberships { group { members { group { name } organization { memberships { group { name } } } } } } } } } }';
    // Lists are estimated at their real sizes: on an empty network the query costs little.
    expect((await server.gql(abusive)).errors).toBeUndefined();
    // One group of 120 members: a page holds at most the 120 organisations there are, each
    // reaching the 120 members of its group and their memberships (about 58,000).
    await server.gql('mutation { foundGroup(input: { id: "crowd", name: "Crowd" }) { id } }');
    for (let i = 0; i < 120; i++) {
      const joined = await server.gql(
        `mutation { registerOrganization(input: { id: "c${i}", name: "C${i}" }) { id }
          joinGroup(input: { groupId: "crowd", organizationId: "c${i}", position: CORE }) { id } }`,
      );
      expect(joined.errors).toBeUndefined();
    }
    const response = await server.gql(abusive);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'cost' });
    const byVariable = await server.gql(
      'query ($n: Int) { organizations(first: $n) { edges { node { memberships { group { members { group { name } organization { memberships { group { name } } } } } } } } } }',
      { n: 500 },
    );
    expect(byVariable.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'cost' });
    const small = await server.gql(
      'query ($n: Int) { organizations(first: $n) { edges { node { memberships { group { name } } } } } }',
      { n: 20 },
    );
    expect(small.errors).toBeUndefined();
  });

  it('cap first at 500', async () => {
    expect(refusal(await server.gql('{ organizations(first: 501) { totalCount } }'))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('answer introspection and suggest fields outside production', async () => {
    expect((await server.gql('{ __schema { queryType { name } } }')).errors).toBeUndefined();
    const typo = await server.gql('{ organizaton(id: "x") { name } }');
    expect(typo.errors?.[0]?.message).toContain('Did you mean');
  });
});

describe('query limits in production', () => {
  const directory = temporaryDirectory();
  const key = 'production-manager-key';
  const env = {
    NODE_ENV: 'production',
    API_KEYS: `ops:manager:${createHash('sha256').update(key).digest('hex')}`,
  };

  afterAll(() => directory.remove());

  async function ask(server: TestServer, query: string) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: any }[];
    };
  }

  it('refuse introspection and hide field suggestions by default', async () => {
    const server = await startServer(join(directory.path, 'closed.db'), env);
    try {
      const introspection = await ask(server, '{ __schema { queryType { name } } }');
      expect(introspection.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const typo = await ask(server, '{ organizaton(id: "x") { name } }');
      expect(typo.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(typo.errors?.[0]?.message).not.toContain('Did you mean');
      expect((await ask(server, DASHBOARD)).errors).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('answer introspection when GRAPHQL_INTROSPECTION=true', async () => {
    const server = await startServer(join(directory.path, 'open-schema.db'), {
      ...env,
      GRAPHQL_INTROSPECTION: 'true',
    });
    try {
      expect((await ask(server, '{ __schema { queryType { name } } }')).errors).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
