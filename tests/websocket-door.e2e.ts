import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ok } from './support/commands';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';
import { ProtocolMessage, WsConnection } from './support/ws-connection';

const CONTROL = 'subscription { eventRecorded { id type } }';

const aliases = (count: number, field: string, inner: string) =>
  Array.from({ length: count }, (_, i) => `a${i}: ${field} ${inner}`).join(' ');

/** The rows of issue 14's table: each was accepted (or crashed) over the WebSocket door. */
const HOSTILE: ReadonlyArray<{
  name: string;
  query: string;
  operationName?: string;
  /** What the message must name. */
  names: RegExp;
  field?: string;
}> = [
  {
    name: 'an unknown argument',
    query: 'subscription { eventRecorded(bogus: 1) { id } }',
    names: /bogus/,
  },
  {
    name: 'an unknown field',
    query: 'subscription { eventRecorded { id nosuchfield } }',
    names: /nosuchfield/,
  },
  {
    name: '200 aliases of the root field',
    query: `subscription { ${aliases(200, 'eventRecorded', '{ id data }')} }`,
    names: /[Aa]liases/,
  },
  {
    name: 'two root fields',
    query: 'subscription { a: eventRecorded { id } b: eventRecorded { type } }',
    names: /single top level field|one root field|only one/i,
  },
  {
    name: 'two operations and no operationName',
    query: 'subscription A { eventRecorded { id } } subscription B { eventRecorded { type } }',
    names: /operationName/,
  },
  {
    name: 'an argument of the wrong type',
    query: 'subscription { eventRecorded(streamPrefix: 5) { id } }',
    names: /streamPrefix/,
    field: 'streamPrefix',
  },
  {
    name: 'a syntax error',
    query: 'subscription { eventRecorded { id }',
    names: /Syntax Error/,
  },
  {
    name: 'a query over the WebSocket door',
    query: '{ network { stats { organizations } } }',
    names: /subscription/,
  },
  {
    name: 'an operationName that names nothing',
    query: 'subscription A { eventRecorded { id } }',
    operationName: 'B',
    names: /"B"/,
  },
  {
    name: 'a fragment never used',
    query: `subscription { eventRecorded { ${'__typename '.repeat(1)} } } ${'fragment F on RecordedEvent { id }'}`,
    names: /never used/,
  },
];

describe('the WebSocket door: the same gate as HTTP', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  let control: WsConnection;
  let probes = 0;

  /** Records an event and waits until the control subscription delivered it. */
  async function recordAndSee(): Promise<string> {
    const result = await ok(server, 'registerOrganization', {
      id: `probe-${++probes}`,
      name: 'Probe',
    });
    const id = result.eventIds[0];
    await control.next(
      (message) => message.type === 'next' && message.payload?.data?.eventRecorded?.id === id,
    );
    return id;
  }

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    control = await WsConnection.ready(server.wsUrl);
    control.subscribe('control', CONTROL);
    // Active once it delivers: record until it does.
    for (let i = 0; i < 100; i++) {
      await ok(server, 'registerOrganization', { id: `warm-${i}`, name: 'Warm' });
      if (control.of('control').length > 0) break;
    }
    await recordAndSee();
  });

  afterAll(async () => {
    control?.close();
    await server?.close();
    directory.remove();
  });

  it.each(HOSTILE)('refuses $name with BAD_USER_INPUT and delivers nothing', async (row) => {
    const connection = await WsConnection.ready(server.wsUrl);
    connection.subscribe('hostile', row.query, undefined, row.operationName);
    const answer = await connection.next((message) => message.id === 'hostile');
    expect(answer.type).toBe('error');
    const errors = answer.payload as Array<{
      message: string;
      extensions?: Record<string, unknown>;
    }>;
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(error.message).not.toMatch(/Cannot read properties|TypeError|at .*\.js/);
    }
    expect(errors.map((error) => error.message).join('\n')).toMatch(row.names);
    if (row.field !== undefined) expect(errors[0].extensions?.['field']).toBe(row.field);

    // Nothing is delivered for it, and the connection still serves a good subscription.
    connection.subscribe('good', CONTROL);
    await recordAndSee();
    const seen = await recordAndSee();
    await connection.next(
      (message) => message.id === 'good' && message.payload?.data?.eventRecorded?.id === seen,
    );
    expect(connection.of('hostile')).toEqual([answer]);
    connection.close();
  });

  it('refuses with the very messages the HTTP door gives for the same limits', async () => {
    const overAliased = `{ eventRecorded { ${aliases(40, 'id', '')} } }`;
    const connection = await WsConnection.ready(server.wsUrl);
    connection.subscribe('aliases', `subscription ${overAliased}`);
    const overHttp = await server.gql(
      `{ network { stats { ${aliases(40, 'organizations', '')} } } }`,
    );
    const overWs = (await connection.next((message) => message.id === 'aliases')).payload;
    expect(overWs.map((error: { message: string }) => error.message)).toEqual(
      overHttp.errors?.map((error) => error.message),
    );

    const deep = `subscription { eventRecorded { id ${'... on RecordedEvent { '.repeat(13)}id${' }'.repeat(13)} } }`;
    const deepHttp = `{ network { stats { organizations ${'... on NetworkStats { '.repeat(13)}groups${' }'.repeat(13)} } } }`;
    connection.subscribe('deep', deep);
    const deepWs = (await connection.next((message) => message.id === 'deep')).payload;
    const deepOverHttp = await server.gql(deepHttp);
    expect(deepWs[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(deepOverHttp.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(deepWs[0].message.replace(/\d+/g, 'N')).toEqual(
      deepOverHttp.errors?.[0]?.message.replace(/\d+/g, 'N'),
    );

    const flood = `subscription { eventRecorded { ${'id '.repeat(6_000)}} }`;
    connection.subscribe('tokens', flood);
    const floodWs = (await connection.next((message) => message.id === 'tokens')).payload;
    const floodHttp = await server.gql(`{ ${'__typename '.repeat(6_000)}}`);
    expect(floodWs[0].message).toEqual(floodHttp.errors?.[0]?.message);
    expect(floodWs[0].extensions.code).toBe('BAD_USER_INPUT');
    connection.close();
  });

  it('refuses a variable of the wrong type with BAD_USER_INPUT', async () => {
    const connection = await WsConnection.ready(server.wsUrl);
    connection.subscribe(
      'variables',
      'subscription ($types: [String!]) { eventRecorded(types: $types) { id } }',
      { types: [1, { no: true }] },
    );
    const answer = await connection.next((message) => message.id === 'variables');
    expect(answer.type).toBe('error');
    expect(answer.payload[0].extensions.code).toBe('BAD_USER_INPUT');
    connection.close();
  });

  it('keeps the protocol: subscribe before init is 4401, a duplicate id 4409, an unknown type 4400', async () => {
    const early = await WsConnection.open(server.wsUrl);
    early.subscribe('1', CONTROL);
    expect((await early.closedWith()).code).toBe(4401);

    const duplicate = await WsConnection.ready(server.wsUrl);
    duplicate.subscribe('same', CONTROL);
    duplicate.subscribe('same', CONTROL);
    expect((await duplicate.closedWith()).code).toBe(4409);

    const unknown = await WsConnection.ready(server.wsUrl);
    unknown.send({ type: 'shout', id: 'x' });
    expect((await unknown.closedWith()).code).toBe(4400);

    const garbage = await WsConnection.ready(server.wsUrl);
    garbage.send('{ not json');
    expect((await garbage.closedWith()).code).toBe(4400);

    const binary = await WsConnection.ready(server.wsUrl);
    binary.socket.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
    expect((await binary.closedWith()).code).toBe(4400);

    const oversized = await WsConnection.ready(server.wsUrl);
    oversized.send({ type: 'ping', payload: { pad: 'x'.repeat(1_000_001) } });
    expect((await oversized.closedWith()).code).toBe(1009);

    // The legacy subprotocol (or none) is not agreed to: the client gives up at once.
    await expect(WsConnection.open(server.wsUrl, 'graphql-ws')).rejects.toThrow(/subprotocol/);

    // HTTP and the other subscribers kept being served.
    expect((await server.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    await recordAndSee();
  });

  it('closes a connection that does not send connection_init in time (4408)', async () => {
    const quiet = await WsConnection.open(server.wsUrl);
    expect(await quiet.closedWith()).toEqual({
      code: 4408,
      reason: 'Connection initialisation timeout',
    });
  });

  it('publishes each event once per distinct subscription, not per subscriber', async () => {
    const connections = await Promise.all(
      Array.from({ length: 5 }, () => WsConnection.ready(server.wsUrl)),
    );
    for (const connection of connections) connection.subscribe('same', CONTROL);
    const seen = await recordAndSee();
    const again = await recordAndSee();
    const frames: ProtocolMessage[][] = await Promise.all(
      connections.map(async (connection) => {
        await connection.next((message) => message.payload?.data?.eventRecorded?.id === again);
        return connection.of('same');
      }),
    );
    for (const delivered of frames) {
      expect(delivered.map((message) => message.payload.data.eventRecorded.id)).toContain(again);
    }
    expect(seen).toBeDefined();
    for (const connection of connections) connection.close();
  });
});

const KEYS = { viewer: 'viewer-key-door', auditor: 'auditor-key-door' };
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

describe('the WebSocket door: credentials and bounds', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'), {
      API_KEYS: `vera:viewer:${sha256(KEYS.viewer)},aud:auditor:${sha256(KEYS.auditor)}`,
      WS_MAX_SUBSCRIPTIONS: '3',
      WS_MAX_CONNECTIONS_PER_PRINCIPAL: '2',
      AUTH_FAILURES_MAX: '3',
      AUTH_FAILURES_WINDOW_SECONDS: '600',
    });
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  const auditor = { authorization: `Bearer ${KEYS.auditor}` };

  it('closes a connection without credentials with 4401 and a reason', async () => {
    const connection = await WsConnection.open(server.wsUrl);
    connection.send({ type: 'connection_init' });
    const closed = await connection.closedWith();
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/^Unauthorized: /);
  });

  it('answers a viewer FORBIDDEN and closes with 4403 and a reason', async () => {
    const connection = await WsConnection.ready(server.wsUrl, {
      authorization: `Bearer ${KEYS.viewer}`,
    });
    connection.subscribe('1', CONTROL);
    const answer = await connection.next((message) => message.id === '1');
    expect(answer.type).toBe('error');
    expect(answer.payload[0].extensions.code).toBe('FORBIDDEN');
    const closed = await connection.closedWith();
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/auditor/);
  });

  it('holds at most WS_MAX_SUBSCRIPTIONS subscriptions on a connection', async () => {
    const connection = await WsConnection.ready(server.wsUrl, auditor);
    for (const id of ['1', '2', '3']) connection.subscribe(id, CONTROL);
    connection.subscribe('4', CONTROL);
    const refused = await connection.next((message) => message.id === '4');
    expect(refused.type).toBe('error');
    expect(refused.payload[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      limit: 'subscriptions',
    });
    // Completing one frees its place.
    connection.send({ type: 'complete', id: '1' });
    connection.subscribe('5', CONTROL);
    await new Promise((resolve) => setTimeout(resolve, 0));
    connection.subscribe('6', CONTROL);
    const sixth = await connection.next((message) => message.id === '6');
    expect(sixth.type).toBe('error');
    expect(connection.of('5')).toEqual([]);
    connection.close();
    await connection.closed;
  });

  /** A connection for the auditor once the server has seen earlier ones go (closing is async). */
  async function auditorConnection(): Promise<WsConnection | undefined> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const candidate = await WsConnection.open(server.wsUrl);
      candidate.send({ type: 'connection_init', payload: auditor });
      const acked = await candidate
        .next((message) => message.type === 'connection_ack')
        .then(
          () => true,
          () => false,
        );
      if (acked) return candidate;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  }

  it('holds at most WS_MAX_CONNECTIONS_PER_PRINCIPAL connections per principal (4029)', async () => {
    const first = await auditorConnection();
    const second = await auditorConnection();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    const third = await WsConnection.open(server.wsUrl);
    third.send({ type: 'connection_init', payload: auditor });
    const refused = await third.closedWith();
    expect(refused).toEqual({
      code: 4029,
      reason: 'too many connections: at most 2 per principal',
    });
    first?.close();
    await first?.closed;
    // Its place is free again once the server has seen it go.
    const fourth = await auditorConnection();
    expect(fourth).toBeDefined();
    second?.close();
    fourth?.close();
  });

  it('slows guesses: after AUTH_FAILURES_MAX failures an address gets 429 with Retry-After, and 1013 on the socket', async () => {
    const guess = (key: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: '{ network { stats { organizations } } }' }),
      });
    // Without credentials: never counted.
    for (let i = 0; i < 5; i++) expect((await server.gql('{ __typename }')).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const response = await guess(`wrong-${i}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const limited = await guess('wrong-again');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    // A right key from the address is refused too while it is limited: otherwise the answer
    // would tell a hit from a miss.
    expect((await guess(KEYS.auditor)).status).toBe(429);

    const socket = await WsConnection.open(server.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: 'Bearer wrong' } });
    const closed = await socket.closedWith();
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/retry in \d+ s/);
  });
});

describe('the WebSocket door: a consumer that does not read', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'), {
      WS_MAX_SUBSCRIPTIONS: '100',
      WS_MAX_BUFFERED_BYTES: '100000',
    });
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('is closed with 4008 once its send buffer is full, while a reading subscriber gets everything', async () => {
    const reader = await WsConnection.ready(server.wsUrl);
    reader.subscribe('all', CONTROL);
    const stalled = await WsConnection.ready(server.wsUrl);
    // 100 subscriptions: every event is sent 100 times to this connection.
    for (let i = 0; i < 100; i++)
      stalled.subscribe(`s${i}`, 'subscription { eventRecorded { id streamId type data } }');
    // Active once a probe reaches the reader and every stalled subscription.
    let probes = 0;
    for (;;) {
      const probe = await ok(server, 'registerOrganization', { id: `p${++probes}`, name: 'P' });
      await reader.next(
        (message) => message.payload?.data?.eventRecorded?.id === probe.eventIds[0],
      );
      const seen = stalled.messages.filter(
        (message) => message.payload?.data?.eventRecorded?.id === probe.eventIds[0],
      );
      if (seen.length === 100) break;
      expect(probes).toBeLessThan(200);
    }
    // Stop reading: the TCP socket under the WebSocket is paused (ws has no public way),
    // so what the server sends piles up in the kernel, then in the server's buffer.
    (stalled.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const ids: string[] = [];
    for (let batch = 0; batch < 60; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ok(server, 'registerOrganization', {
            id: `load-${batch}-${i}`,
            name: 'L'.repeat(200),
          }),
        ),
      );
      ids.push(...results.map((result) => result.eventIds[0]));
    }
    // The reader got every event; HTTP still answers.
    await reader.next(
      (message) => message.payload?.data?.eventRecorded?.id === ids[ids.length - 1],
    );
    expect((await server.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await stalled.closedWith();
    expect(closed.code).toBe(4008);
    expect(closed.reason).toMatch(/slow consumer/);
    // It got less than everything: the server stopped buffering for it.
    const delivered = stalled.messages.filter((message) => message.type === 'next').length;
    expect(delivered).toBeLessThan((probes + ids.length) * 100);
    reader.close();
  });
});
