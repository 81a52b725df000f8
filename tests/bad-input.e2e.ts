import { connect } from 'node:net';
import { join } from 'node:path';
import {
  INPUT_TYPES,
  Input,
  MutationName,
  RESULT_FIELDS,
  STACK_TRACE,
  daysFromNow,
  eventLog,
} from './support/commands';
import {
  GraphQLResponse,
  TestServer,
  startServer,
  temporaryDirectory,
} from './support/test-server';

interface RawResponse {
  readonly status: number;
  readonly text: string;
}

type Failure = NonNullable<GraphQLResponse['errors']>[number];

function onlyNulls(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(onlyNulls);
}

describe('bad input is refused, and the server goes on serving', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  /** Every response body of the running test, checked for stack traces after it. */
  let bodies: RawResponse[] = [];
  let logLengthBefore = 0;
  /** Set by the few tests that are meant to record something. */
  let recordsSomething = false;

  async function post(body: string, contentType = 'application/json'): Promise<RawResponse> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/json' },
      body,
    });
    const raw = { status: response.status, text: await response.text() };
    bodies.push(raw);
    return raw;
  }

  /**
   * Sends raw bytes over a plain socket and returns whatever answer came before the server
   * closed the connection. Used for bodies too large to be accepted: writing more after the
   * server has answered and closed makes the kernel reset the connection and drop the answer,
   * so the caller sends only as much as the server needs to decide.
   */
  function rawRequest(head: string, body: Buffer = Buffer.alloc(0)): Promise<RawResponse> {
    const { hostname, port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      let answer = '';
      const socket = connect(Number(port), hostname);
      const bound = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer within 5 s; received so far: ${JSON.stringify(answer)}`));
      }, 5000);
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(bound);
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
        const raw = { status, text: answer.slice(answer.indexOf('\r\n\r\n') + 4) };
        bodies.push(raw);
        resolve(raw);
      });
      socket.write(Buffer.concat([Buffer.from(head.replace(/\n/g, '\r\n')), body]));
    });
  }

  async function gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> {
    const raw = await post(JSON.stringify({ query, variables }));
    return { status: raw.status, ...(JSON.parse(raw.text) as object) };
  }

  function mutate(mutation: MutationName, input: Input): Promise<GraphQLResponse> {
    return gql(
      `mutation ($input: ${INPUT_TYPES[mutation]}!) { ${mutation}(input: $input) { ${RESULT_FIELDS} } }`,
      { input },
    );
  }

  /** The first error, which must be BAD_USER_INPUT (naming the field, where one is given). */
  function badInput(response: GraphQLResponse, field?: string): Failure {
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const error = response.errors![0];
    if (field !== undefined) {
      expect(error.extensions?.['field']).toBe(field);
      expect(error.message).toContain(field);
    }
    // Whatever data came back holds nothing but nulls.
    expect(onlyNulls(response.data)).toBe(true);
    return error;
  }

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    await server.gql(
      `mutation {
        registerOrganization(input: { id: "a", name: "A" }) { id }
        foundGroup(input: { id: "g", name: "G" }) { id }
      }`,
    );
  });

  beforeEach(async () => {
    bodies = [];
    recordsSomething = false;
    logLengthBefore = (await eventLog(server)).length;
  });

  afterEach(async () => {
    for (const body of bodies) expect(body.text).not.toMatch(STACK_TRACE);
    const still = await server.gql('{ organization(id: "a") { name } }');
    expect(still).toEqual({ status: 200, data: { organization: { name: 'A' } } });
    if (!recordsSomething) expect((await eventLog(server)).length).toBe(logLengthBefore);
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  describe('text limits', () => {
    it('a blank name', async () => {
      badInput(await mutate('registerOrganization', { name: '   ' }), 'name');
      badInput(await mutate('registerOrganization', { name: '' }), 'name');
      badInput(await mutate('foundGroup', { name: ' \t\n ' }), 'name');
    });

    it('a name of 201 characters', async () => {
      badInput(await mutate('registerOrganization', { name: 'x'.repeat(201) }), 'name');
      badInput(await mutate('registerOrganization', { name: '😀'.repeat(201) }), 'name');
      badInput(
        await mutate('formPartnership', {
          name: 'x'.repeat(201),
          partyIds: ['a', 'ghost'],
          intendedEndAt: daysFromNow(10),
        }),
        'name',
      );
    });

    it('accepts 200 emoji: the limit counts code points, after trimming', async () => {
      recordsSomething = true;
      const name = '😀'.repeat(200);
      const result = await mutate('registerOrganization', { id: 'emoji', name: `  ${name}  ` });
      expect(result.errors).toBeUndefined();
      const read = await gql('{ organization(id: "emoji") { name } }');
      expect(read.data).toEqual({ organization: { name } });
    });

    it('purposes, reasons, notes and terms over their limits', async () => {
      const long = 'y'.repeat(2001);
      badInput(await mutate('foundGroup', { name: 'G2', purpose: long }), 'purpose');
      badInput(
        await mutate('changePosition', {
          groupId: 'g',
          organizationId: 'a',
          position: 'RING',
          reason: long,
        }),
        'reason',
      );
      badInput(
        await mutate('assessCapability', {
          organizationId: 'a',
          ambition: 3,
          realized: 3,
          notes: long,
        }),
        'notes',
      );
      badInput(
        await mutate('endPartnership', { partnershipId: 'ghost', reason: 'OTHER', note: long }),
        'note',
      );
      badInput(
        await mutate('agreeArrangement', { partnershipId: 'ghost', title: 'T', terms: '  ' }),
        'terms',
      );
      badInput(
        await mutate('agreeArrangement', {
          partnershipId: 'ghost',
          title: 'T',
          terms: 'z'.repeat(10_001),
        }),
        'terms',
      );
      badInput(
        await mutate('agreeArrangement', { partnershipId: 'ghost', title: '', terms: 'T' }),
        'title',
      );
    });
  });

  describe('ids', () => {
    it.each([['has space'], ['x'.repeat(65)], ['a/b'], ['']])(
      'a malformed id %j in a mutation',
      async (id) => {
        badInput(await mutate('registerOrganization', { id, name: 'N' }), 'id');
        badInput(
          await mutate('joinGroup', { groupId: id, organizationId: 'a', position: 'CORE' }),
          'groupId',
        );
        badInput(
          await mutate('joinGroup', { groupId: 'g', organizationId: id, position: 'CORE' }),
          'organizationId',
        );
        badInput(await mutate('registerOrganization', { name: 'N', commandId: id }), 'commandId');
        badInput(
          await mutate('agreeArrangement', {
            partnershipId: 'ghost',
            arrangementId: id,
            title: 'T',
            terms: 'T',
          }),
          'arrangementId',
        );
        const party = badInput(
          await mutate('formPartnership', {
            name: 'N',
            partyIds: ['a', id],
            intendedEndAt: daysFromNow(10),
          }),
        );
        expect(party.extensions?.['field']).toMatch(/^partyIds/);
      },
    );

    it('accepts an id of 64 characters', async () => {
      recordsSomething = true;
      const id = 'A-z.0_9:'.repeat(8);
      const result = await mutate('registerOrganization', { id, name: 'Long id' });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ registerOrganization: expect.objectContaining({ id }) });
    });

    it.each([['bad id'], ['x'.repeat(65)], ['a/b']])('a malformed id %j in a query', async (id) => {
      for (const field of ['organization', 'group', 'partnership']) {
        badInput(await gql(`query ($id: ID!) { ${field}(id: $id) { id } }`, { id }));
      }
      badInput(await gql(`query ($id: ID!) { network { organization(id: $id) { id } } }`, { id }));
      badInput(
        await gql(`query ($id: ID) { partnerships(organizationId: $id) { totalCount } }`, { id }),
      );
      badInput(await gql(`query ($id: ID) { partnerships(groupId: $id) { totalCount } }`, { id }));
      badInput(
        await gql(`query ($s: String!) { history(streamId: $s) { id } }`, {
          s: `organization-${id}`,
        }),
      );
    });

    it('a literal malformed id in a query', async () => {
      badInput(await gql('{ organization(id: "bad id") { id } }'));
      badInput(await gql('{ history(streamId: "bad id") { id } }'));
    });

    it('a well-formed unknown id gives null, or an empty history', async () => {
      const response = await gql(
        `{
          organization(id: "unknown-1") { id }
          group(id: "unknown-1") { id }
          partnership(id: "unknown-1") { id }
          history(streamId: "organization-unknown-1") { id }
          network { organization(id: "unknown-1") { id } }
        }`,
      );
      expect(response).toEqual({
        status: 200,
        data: {
          organization: null,
          group: null,
          partnership: null,
          history: [],
          network: { organization: null },
        },
      });
    });
  });

  describe('enums, scalars and ranges', () => {
    it('an unknown enum value as a literal', async () => {
      badInput(
        await gql(
          'mutation { joinGroup(input: { groupId: "g", organizationId: "a", position: MIDDLE }) { id } }',
        ),
        'position',
      );
      badInput(await gql('{ partnerships(status: SOMETIMES) { totalCount } }'), 'status');
    });

    it('an unknown enum value as a variable', async () => {
      badInput(
        await mutate('joinGroup', { groupId: 'g', organizationId: 'a', position: 'MIDDLE' }),
      );
      badInput(await mutate('endPartnership', { partnershipId: 'ghost', reason: 'BORED' }));
    });

    it.each([['2026-13-45T00:00:00Z'], ['2026-03-01'], ['tomorrow'], ['']])(
      'an invalid DateTime %j',
      async (time) => {
        badInput(await mutate('registerOrganization', { name: 'N', effectiveAt: time }));
        badInput(
          await mutate('formPartnership', {
            name: 'N',
            partyIds: ['a', 'ghost'],
            intendedEndAt: time,
          }),
        );
        badInput(await gql('query ($t: DateTime) { network(asOf: $t) { asOf } }', { t: time }));
        badInput(await gql(`{ network(knownAt: ${JSON.stringify(time)}) { knownAt } }`), 'knownAt');
      },
    );

    it.each([
      [0, 3, 'ambition'],
      [6, 3, 'ambition'],
      [3, 0, 'realized'],
      [3, 6, 'realized'],
    ])('ambition %i and realized %i', async (ambition, realized, field) => {
      badInput(
        await mutate('assessCapability', { organizationId: 'a', ambition, realized }),
        field,
      );
    });

    it('a capability that is not an integer', async () => {
      badInput(
        await mutate('assessCapability', { organizationId: 'a', ambition: 2.5, realized: 3 }),
      );
    });

    it('a negative expectedVersion', async () => {
      badInput(
        await mutate('assessCapability', {
          organizationId: 'a',
          ambition: 3,
          realized: 3,
          expectedVersion: -1,
        }),
        'expectedVersion',
      );
    });

    it('51 parties (50 is the limit)', async () => {
      const parties = (count: number) =>
        Array.from({ length: count }, (_, index) => `party-${index}`);
      badInput(
        await mutate('formPartnership', {
          name: 'N',
          partyIds: parties(51),
          intendedEndAt: daysFromNow(10),
        }),
        'partyIds',
      );
      // Fifty are within the limit: the next check (do they exist?) is what refuses them.
      const fifty = await mutate('formPartnership', {
        name: 'N',
        partyIds: parties(50),
        intendedEndAt: daysFromNow(10),
      });
      expect(fifty.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('paging', () => {
    const connections = [
      'organizations(first: $first) { totalCount }',
      'groups(first: $first) { totalCount }',
      'partnerships(first: $first) { totalCount }',
      'events(first: $first) { pageInfo { hasNextPage } }',
      'network { organizations(first: $first) { totalCount } }',
    ];

    it.each([[501], [-1]])('first: %i', async (first) => {
      for (const connection of connections) {
        badInput(await gql(`query ($first: Int) { ${connection} }`, { first }), 'first');
      }
    });

    it('first: 0 and first: 500 are fine', async () => {
      for (const first of [0, 500]) {
        for (const connection of connections) {
          const response = await gql(`query ($first: Int) { ${connection} }`, { first });
          expect(response.errors).toBeUndefined();
        }
      }
    });

    it.each([
      ['garbage'],
      [Buffer.from('hello world').toString('base64')],
      [Buffer.from('{"offset":1}').toString('base64')],
      [Buffer.from('cursor:0').toString('base64url')],
    ])('a cursor the server did not issue: %j', async (after) => {
      for (const connection of ['organizations', 'groups', 'partnerships', 'events']) {
        badInput(
          await gql(
            `query ($after: String) { ${connection}(after: $after) { pageInfo { hasNextPage } } }`,
            {
              after,
            },
          ),
          'after',
        );
      }
    });
  });

  describe('the request itself', () => {
    it('a body of 5 MB is refused with 413 on its declared length, and the server goes on', async () => {
      const { pathname, host } = new URL(server.url);
      // Only the head: the server refuses on the declared length, before reading the body.
      const response = await rawRequest(
        `POST ${pathname} HTTP/1.1\nHost: ${host}\nContent-Type: application/json\n` +
          `Content-Length: ${5 * 1024 * 1024}\nConnection: close\n\n`,
      );
      expect(response.status).toBe(413);
    });

    it('a chunked body that grows over 1 MB is refused with 413', async () => {
      const { pathname, host } = new URL(server.url);
      const size = 1_000_000 + 1;
      const chunk = Buffer.concat([
        Buffer.from(`${size.toString(16)}\r\n`),
        Buffer.alloc(size, 'x'),
        Buffer.from('\r\n'),
      ]);
      // The chunked stream is left open: the server must refuse once it has seen too much.
      const response = await rawRequest(
        `POST ${pathname} HTTP/1.1\nHost: ${host}\nContent-Type: application/json\n` +
          `Transfer-Encoding: chunked\nConnection: close\n\n`,
        chunk,
      );
      expect(response.status).toBe(413);
    });

    it('a body of just under 1 MB is read and answered', async () => {
      const query = '{ organization(id: "a") { name } }';
      const padding = 'x'.repeat(1_000_000 - 100 - query.length);
      const body = JSON.stringify({ query, variables: { padding } });
      expect(body.length).toBeLessThan(1_000_000);
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as any).data.organization).toEqual({ name: 'A' });
    });

    it('a body of 5 MB through fetch does not stop the server', async () => {
      const body = JSON.stringify({
        query: '{ organization(id: "a") { name } }',
        variables: { padding: 'x'.repeat(5 * 1024 * 1024) },
      });
      // The server may close the connection before fetch has written the body (then fetch
      // fails without a status: null here); when an answer does arrive, it is the 413.
      const status = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(
        (response) => response.status,
        () => null,
      );
      expect([413, null]).toContain(status);
    });

    it('a body that is not JSON is a 400-class answer', async () => {
      const response = await post('{"query": "{ organization(id: \\"a\\") { name } }"');
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });

    it.each([
      ['{ organizations { '],
      ['{ organization(id: ) { id } }'],
      ['mutation { registerOrganization(input: { name: "x" ) { id } }'],
    ])('a syntax error in the query is BAD_USER_INPUT: %s', async (text) => {
      const response = await gql(text);
      expect(response.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    });

    it('a syntax error in the query carries no stack trace', async () => {
      const response = await gql('mutation { registerOrganization(input: { name: "x" ) { id } }');
      expect(response.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(response)).not.toMatch(STACK_TRACE);
      expect(response.errors?.[0]?.extensions?.['stacktrace']).toBeUndefined();
      expect(response.errors?.[0]?.extensions?.['exception']).toBeUndefined();
    });

    it('an unknown field is BAD_USER_INPUT', async () => {
      badInput(await gql('{ organisationz { id } }'));
    });
  });
});
