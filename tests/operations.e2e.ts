import { createHash } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const KEY = 'operations-manager-key-5Tq';

/** Polls `done` until it holds, for at most 5 s (a log line is written after its answer). */
async function waitFor(done: () => boolean): Promise<void> {
  const until = Date.now() + 5_000;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(done()).toBe(true);
}

describe('operations', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'), {
      API_KEYS: `olga:manager:${createHash('sha256').update(KEY).digest('hex')}`,
    });
  });

  afterAll(async () => {
    await server.close();
    directory.remove();
  });

  const base = () => server.url.replace(/\/graphql$/, '');

  it('answers /health without credentials', async () => {
    const response = await fetch(`${base()}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('is /ready once the store answers and the read model has caught up', async () => {
    const response = await fetch(`${base()}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { eventStore: { status: 'up' }, projections: { status: 'up' } },
    });
  });

  it('logs one JSON line per request with the operation and the principal, never the credential', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        query:
          'mutation Onboard { registerOrganization(input: { id: "logged", name: "Logged" }) { id } }',
      }),
    });
    expect(response.status).toBe(200);
    const line = () =>
      server
        .output()
        .split('\n')
        .filter((text) => text.startsWith('{'))
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => entry['operation'] === 'mutation Onboard');
    // The line is written once the response has finished: wait for it to come out.
    if (line() === undefined) {
      await new Promise<void>((resolve) => {
        const stdout = server.process.stdout!;
        const onData = () => {
          if (line() === undefined) return;
          stdout.off('data', onData);
          resolve();
        };
        stdout.on('data', onData);
      });
    }
    expect(line()).toMatchObject({ operation: 'mutation Onboard', principal: 'olga' });
    expect(server.output()).not.toContain(KEY);
  });

  it("logs the dashboard's requests but not the probes'", async () => {
    const lines = (url: string) =>
      server
        .output()
        .split('\n')
        .filter((text) => text.includes(`"url":"${url}"`)).length;
    for (const probe of ['/health', '/ready', '/metrics', '/health?verbose=1', '/ready/']) {
      await (await fetch(`${base()}${probe}`)).arrayBuffer();
    }
    await (await fetch(`${base()}/`)).arrayBuffer();
    await waitFor(() => lines('/') === 1);
    for (const probe of ['/health', '/ready', '/metrics', '/health?verbose=1', '/ready/']) {
      expect(lines(probe)).toBe(0);
    }
  });

  it('logs every request of a burst on 64 connections, none dropped', async () => {
    const REQUESTS = 30_000;
    const logged = () => server.output().split('"url":"/graphql"').length - 1;
    const before = logged();
    const result = await autocannon({
      url: server.url,
      method: 'POST',
      connections: 64,
      amount: REQUESTS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(result['2xx']).toBe(REQUESTS);
    // The last lines are written after their answers: wait until the log stops growing.
    let count = logged() - before;
    for (let quiet = 0; quiet < 10 && count < REQUESTS;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = logged() - before;
      quiet = now === count ? quiet + 1 : 0;
      count = now;
    }
    expect(count).toBe(REQUESTS);
  }, 120_000);
});
