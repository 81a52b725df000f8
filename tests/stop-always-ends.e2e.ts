import { ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SERVER_ENTRY, temporaryDirectory } from './support/test-server';
import { WsConnection } from './support/ws-connection';

/** Only turns a hang into a failure: a stop that works ends in well under a second here. */
const EXIT_BOUND_MS = 20_000;
const REQUESTS = 3_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<Exit>;
}

/**
 * The built server with stdout and stderr as pipes, read only until it says where it
 * serves: after that nobody reads them, as with a log shipper that stalls.
 */
async function startUnread(file: string, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      EVENT_STORE_URL: `sqlite:${file}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /serving GraphQL at http:\/\/[^:]+:(\d+)\/graphql/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before serving:\n${output}`)));
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.removeAllListeners('data');
    stream.pause();
  }
  return { child, url: `http://127.0.0.1:${port}/graphql`, exited };
}

async function post(url: string, query: string): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

/** Sends `count` requests, 16 at a time; every tenth records an organisation. */
async function load(url: string, count: number): Promise<string[]> {
  const recorded: string[] = [];
  let next = 0;
  const client = async () => {
    while (next < count) {
      const index = next++;
      if (index % 10 === 0) {
        const id = `unread-${index}`;
        const answer = await post(
          url,
          `mutation { registerOrganization(input: { id: "${id}", name: "N" }) { id } }`,
        );
        if (answer.errors === undefined) recorded.push(id);
      } else {
        await post(url, '{ network { stats { organizations } } }');
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, client));
  return recorded;
}

async function withinBound(exited: Promise<Exit>, child: ChildProcess): Promise<Exit | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    exited,
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), EXIT_BOUND_MS))),
  ]);
  clearTimeout(timer);
  if (outcome === 'hung') child.kill('SIGKILL');
  return outcome;
}

/** What the file holds once the server is gone, read as the store reads it. */
function organizationsIn(file: string): Set<string> {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db
      .prepare("SELECT stream_id FROM events WHERE type = 'OrganizationRegistered'")
      .all() as {
      stream_id: string;
    }[];
    return new Set(rows.map((row) => row.stream_id.replace(/^organization-/, '')));
  } finally {
    db.close();
  }
}

describe('a stop always ends', () => {
  const directory = temporaryDirectory();
  const started: ChildProcess[] = [];

  afterAll(() => {
    for (const child of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    directory.remove();
  });

  it('with stdout and stderr unread after a few thousand requests: SIGTERM ends the process', async () => {
    const file = join(directory.path, 'unread.db');
    const server = await startUnread(file);
    started.push(server.child);
    const recorded = await load(server.url, REQUESTS);
    expect(recorded.length).toBe(REQUESTS / 10);
    server.child.kill('SIGTERM');
    const exit = await withinBound(server.exited, server.child);
    expect(exit).toEqual({ code: 0, signal: null });
    const stored = organizationsIn(file);
    for (const id of recorded) expect(stored.has(id)).toBe(true);
  });

  it('with a stdout reader that goes away mid-stop', async () => {
    const file = join(directory.path, 'gone.db');
    const server = await startUnread(file);
    started.push(server.child);
    const recorded = await load(server.url, 500);
    server.child.kill('SIGTERM');
    // The reader goes: whatever the server writes now meets a closed pipe.
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    const exit = await withinBound(server.exited, server.child);
    expect(exit).not.toBe('hung');
    expect((exit as Exit).signal).toBeNull();
    const stored = organizationsIn(file);
    for (const id of recorded) expect(stored.has(id)).toBe(true);
  });

  it('with subscriptions open: they are closed (1001) and the process ends', async () => {
    const file = join(directory.path, 'subscribed.db');
    const server = await startUnread(file);
    started.push(server.child);
    const wsUrl = server.url.replace(/^http/, 'ws');
    const connections = await Promise.all(
      Array.from({ length: 3 }, () => WsConnection.ready(wsUrl)),
    );
    connections.forEach((connection, index) =>
      connection.subscribe(`s${index}`, 'subscription { eventRecorded { id } }'),
    );
    await load(server.url, 200);
    server.child.kill('SIGTERM');
    const exit = await withinBound(server.exited, server.child);
    expect(exit).toEqual({ code: 0, signal: null });
    for (const connection of connections) {
      expect((await connection.closedWith()).code).toBe(1001);
    }
  });

  it('past STOP_DEADLINE_MS the store is closed and the process exits 1', async () => {
    // A request whose body never finishes keeps a graceful stop waiting for it.
    const file = join(directory.path, 'deadline.db');
    const server = await startUnread(file, { STOP_DEADLINE_MS: '1000' });
    started.push(server.child);
    const recorded = await load(server.url, 100);
    const port = Number(new URL(server.url).port);
    const stuck = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
    stuck.on('error', () => undefined);
    stuck.write(
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
    );
    // The server has the request once it waits for the rest of its body; a request after it
    // on another connection is answered, so the first has been read by then.
    expect((await post(server.url, '{ __typename }')).data).toEqual({ __typename: 'Query' });
    server.child.kill('SIGTERM');
    const exit = await withinBound(server.exited, server.child);
    stuck.destroy();
    expect(exit).toEqual({ code: 1, signal: null });
    const stored = organizationsIn(file);
    for (const id of recorded) expect(stored.has(id)).toBe(true);
  });
});
