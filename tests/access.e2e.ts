import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { sign } from 'jsonwebtoken';
import WebSocket from 'ws';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const KEYS = { viewer: 'viewer-key-7Qz', auditor: 'auditor-key-3Lm', manager: 'manager-key-9Xp' };
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const API_KEYS = [
  `vera:viewer:${sha256(KEYS.viewer)}`,
  `aud:auditor:${sha256(KEYS.auditor)}`,
  `max:manager:${sha256(KEYS.manager)}`,
].join(',');
const JWT_SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

/** Roles over real HTTP: bearer API keys (stored hashed) and JWTs with a role claim. */
describe('access by role', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  async function as(token: string | undefined, query: string, variables?: Record<string, unknown>) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: any;
      errors?: { extensions?: any; message: string }[];
    };
  }

  const codeOf = (response: { errors?: { extensions?: any }[] }) =>
    response.errors?.[0]?.extensions?.code;

  const eventCount = async () =>
    (await as(KEYS.manager, '{ events(first: 500) { edges { cursor } } }')).data.events.edges
      .length;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'), { API_KEYS, JWT_SECRET });
    const setup = await as(
      KEYS.manager,
      'mutation { registerOrganization(input: { id: "acme", name: "Acme" }) { id } }',
    );
    expect(setup.errors).toBeUndefined();
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  it('does not warn that the server is open when credentials are configured', () => {
    expect(server.output()).not.toContain('OPEN');
  });

  it('refuses a request without credentials: UNAUTHENTICATED, nothing recorded', async () => {
    const before = await eventCount();
    expect(codeOf(await as(undefined, '{ organization(id: "acme") { name } }'))).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      codeOf(await as(undefined, 'mutation { registerOrganization(input: { name: "X" }) { id } }')),
    ).toBe('UNAUTHENTICATED');
    expect(await eventCount()).toBe(before);
  });

  it('refuses an unknown key, a malformed header and a forged JWT: UNAUTHENTICATED', async () => {
    expect(codeOf(await as('not-a-key', '{ organization(id: "acme") { name } }'))).toBe(
      'UNAUTHENTICATED',
    );
    const forged = sign(
      { sub: 'eve', role: 'manager' },
      'another-secret-of-at-least-thirty-two-chars',
    );
    expect(codeOf(await as(forged, '{ organization(id: "acme") { name } }'))).toBe(
      'UNAUTHENTICATED',
    );
    const expired = sign(
      { sub: 'old', role: 'manager', exp: Math.floor(Date.now() / 1000) - 60 },
      JWT_SECRET,
    );
    expect(codeOf(await as(expired, '{ organization(id: "acme") { name } }'))).toBe(
      'UNAUTHENTICATED',
    );
    const roleless = sign({ sub: 'nobody' }, JWT_SECRET);
    expect(codeOf(await as(roleless, '{ organization(id: "acme") { name } }'))).toBe(
      'UNAUTHENTICATED',
    );
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${KEYS.manager}` },
      body: JSON.stringify({ query: '{ organization(id: "acme") { name } }' }),
    });
    expect(codeOf((await response.json()) as any)).toBe('UNAUTHENTICATED');
  });

  it('lets a viewer see current state and stats, and nothing else', async () => {
    const current = await as(
      KEYS.viewer,
      '{ organization(id: "acme") { name version } network { stats { organizations } } }',
    );
    expect(current).toEqual({
      data: {
        organization: { name: 'Acme', version: 1 },
        network: { stats: { organizations: 1 } },
      },
    });
    for (const query of [
      '{ history(streamId: "organization-acme") { type } }',
      '{ events(first: 1) { edges { cursor } } }',
      '{ organization(id: "acme") { history { type } } }',
      '{ organization(id: "acme") { capabilityHistory { ambition } } }',
      '{ network(asOf: "2026-01-01T00:00:00Z") { stats { organizations } } }',
      '{ network(knownAt: "2026-01-01T00:00:00Z") { stats { organizations } } }',
    ]) {
      expect({ query, code: codeOf(await as(KEYS.viewer, query)) }).toEqual({
        query,
        code: 'FORBIDDEN',
      });
    }
    expect(
      codeOf(
        await as(KEYS.viewer, 'mutation { registerOrganization(input: { name: "X" }) { id } }'),
      ),
    ).toBe('FORBIDDEN');
  });

  it('lets an auditor read everything, time travel included, but not record', async () => {
    for (const query of [
      '{ history(streamId: "organization-acme") { type } }',
      '{ events(first: 1) { edges { cursor } } }',
      '{ organization(id: "acme") { history { type } capabilityHistory { ambition } } }',
      '{ network(asOf: "2026-01-01T00:00:00Z", knownAt: "2026-01-02T00:00:00Z") { stats { organizations } } }',
    ]) {
      expect({ query, errors: (await as(KEYS.auditor, query)).errors }).toEqual({
        query,
        errors: undefined,
      });
    }
    const before = await eventCount();
    expect(
      codeOf(
        await as(KEYS.auditor, 'mutation { registerOrganization(input: { name: "X" }) { id } }'),
      ),
    ).toBe('FORBIDDEN');
    expect(await eventCount()).toBe(before);
  });

  it('records the principal as the actor: the key holder, or the JWT subject', async () => {
    await as(
      KEYS.manager,
      'mutation { registerOrganization(input: { id: "by-key", name: "K" }) { id } }',
    );
    const jwt = sign({ sub: 'jane@example.org', role: 'manager' }, JWT_SECRET, { expiresIn: '5m' });
    const byJwt = await as(
      jwt,
      'mutation { registerOrganization(input: { id: "by-jwt", name: "J" }) { id } }',
    );
    expect(byJwt.errors).toBeUndefined();
    const actors = await as(
      KEYS.auditor,
      '{ a: history(streamId: "organization-by-key") { actor } b: history(streamId: "organization-by-jwt") { actor } }',
    );
    expect(actors.data).toEqual({ a: [{ actor: 'max' }], b: [{ actor: 'jane@example.org' }] });
  });

  it('authenticates subscriptions when the connection opens', async () => {
    const subscribe = (payload: Record<string, unknown> | undefined) =>
      new Promise<{ kind: 'event' | 'error' | 'closed'; detail: unknown }>((resolve) => {
        const client = createClient({
          url: server.wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: payload,
          retryAttempts: 0,
          lazy: true,
        });
        client.subscribe(
          { query: 'subscription { eventRecorded { type } }' },
          {
            next: (result) => {
              void client.dispose();
              resolve({ kind: 'event', detail: result.data });
            },
            error: (error) => {
              void client.dispose();
              resolve({
                kind: Array.isArray(error) ? 'error' : 'closed',
                detail: Array.isArray(error)
                  ? error[0]?.extensions?.code
                  : (error as { code?: number }).code,
              });
            },
            complete: () => resolve({ kind: 'closed', detail: 'complete' }),
          },
        );
      });
    expect(await subscribe(undefined)).toMatchObject({ kind: 'closed' });
    expect(await subscribe({ authorization: 'Bearer not-a-key' })).toMatchObject({
      kind: 'closed',
    });
    expect(await subscribe({ authorization: `Bearer ${KEYS.viewer}` })).toEqual({
      kind: 'error',
      detail: 'FORBIDDEN',
    });
    const delivered = subscribe({ authorization: `Bearer ${KEYS.auditor}` });
    // The subscription is set up once the connection is acknowledged; record until it delivers.
    for (let attempt = 0; attempt < 50; attempt++) {
      const settled = await Promise.race([delivered, Promise.resolve(undefined)]);
      if (settled !== undefined) break;
      await as(KEYS.manager, 'mutation { registerOrganization(input: { name: "Sub" }) { id } }');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await delivered).toEqual({
      kind: 'event',
      detail: { eventRecorded: { type: 'OrganizationRegistered' } },
    });
  });
});

describe('running without credentials', () => {
  const directory = temporaryDirectory();

  afterAll(() => directory.remove());

  it('runs open outside production, and says so loudly', async () => {
    const server = await startServer(join(directory.path, 'open.db'));
    try {
      // A warning in the log, as a JSON line like every other: a log shipper reads them all.
      const output = server.output();
      const lines = output
        .slice(0, output.lastIndexOf('\n'))
        .split('\n')
        .filter((line) => line !== '');
      const notJson = lines.filter((line) => {
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });
      expect(notJson).toEqual([]);
      const warning = lines
        .map((line) => JSON.parse(line) as { level: number; context?: string; msg: string })
        .find((entry) => entry.msg.includes('NO CREDENTIALS CONFIGURED'));
      expect(warning).toMatchObject({ level: 40, context: 'Access' });
      const response = await server.gql(
        'mutation { registerOrganization(input: { name: "Open" }) { id } }',
      );
      expect(response.errors).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('refuses to start in production', async () => {
    await expect(
      startServer(join(directory.path, 'production.db'), { NODE_ENV: 'production' }),
    ).rejects.toThrow(/refusing to run without credentials in production/);
  });
});

describe('npm run api-key', () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  it('makes a key whose entry the server accepts, with the role it names', async () => {
    const { execFileSync } = await import('node:child_process');
    const output = execFileSync(process.execPath, [
      join(__dirname, '..', 'dist', 'apps', 'admin', 'src', 'api-key.js'),
      '--id',
      'nadia',
      '--role',
      'auditor',
    ]).toString();
    const key = /it is shown only now\): (\S+)/.exec(output)?.[1];
    const entry = /API_KEYS entry: (\S+)/.exec(output)?.[1];
    expect(entry).toMatch(/^nadia:auditor:[0-9a-f]{64}$/);
    expect(entry).not.toContain(key);
    const server = await startServer(join(directory.path, 'keys.db'), { API_KEYS: entry! });
    try {
      const ask = (query: string) =>
        fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query }),
        }).then((response) => response.json() as Promise<{ data?: any; errors?: any[] }>);
      expect((await ask('{ events(first: 1) { edges { cursor } } }')).errors).toBeUndefined();
      const mutation = await ask('mutation { registerOrganization(input: { name: "N" }) { id } }');
      expect(mutation.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await server.close();
    }
  });
});
