import { join } from 'node:path';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CommandResult, EVENT_FIELDS, LoggedEvent, ok, query } from './support/commands';
import { logEdges, readLog } from './support/log-reader';
import { report } from './support/report';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const EVENT_RECORDED_AFTER = `subscription ($streamPrefix: String, $types: [String!], $after: String) {
  eventRecorded(streamPrefix: $streamPrefix, types: $types, after: $after) { ${EVENT_FIELDS} }
}`;

/** How long to wait for an event that should arrive before calling the test failed. */
const ARRIVAL_BOUND_MS = 20_000;
const WRITERS = 4;
const ROUNDS = 6;

interface Filters {
  readonly streamPrefix?: string;
  readonly types?: string[];
}

/** The events one subscription delivered, in the order they arrived. */
class Received {
  readonly events: LoggedEvent[] = [];
  readonly errors: unknown[] = [];
  private readonly waiters = new Set<() => void>();

  push(event: LoggedEvent): void {
    this.events.push(event);
    this.wakeAll();
  }

  fail(error: unknown): void {
    this.errors.push(error);
    this.wakeAll();
  }

  /** Waits until `done` holds of what arrived (or an error did). */
  async until(done: (events: readonly LoggedEvent[]) => boolean, what: string): Promise<void> {
    const started = Date.now();
    while (!done(this.events) && this.errors.length === 0) {
      const left = ARRIVAL_BOUND_MS - (Date.now() - started);
      if (left <= 0) throw new Error(`${what} did not arrive; received ${this.events.length}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
    if (this.errors.length > 0)
      throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

/**
 * Clients that record continuously, each in its own loop, until stopped: organisations and
 * groups, so that the filters have events to leave out.
 */
class Writers {
  private stopped = false;
  private running: Promise<void>[] = [];
  private readonly waiters = new Set<() => void>();
  completed = 0;
  last: CommandResult | undefined;
  /** Every result, in the order the writers got them. */
  readonly results: CommandResult[] = [];

  constructor(private readonly server: TestServer) {}

  start(): void {
    this.stopped = false;
    this.running = Array.from({ length: WRITERS }, (_, writer) => this.loop(writer));
  }

  /** Resolves once `count` more commands have been recorded. */
  async recorded(count: number): Promise<void> {
    const target = this.completed + count;
    while (this.completed < target) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async loop(writer: number): Promise<void> {
    for (let step = 0; !this.stopped; step++) {
      const name = `w${writer}-${step}`;
      this.last =
        step % 3 === 2
          ? await ok(this.server, 'foundGroup', { name })
          : await ok(this.server, 'registerOrganization', { name });
      this.results.push(this.last);
      this.completed++;
      for (const wake of [...this.waiters]) wake();
      this.waiters.clear();
    }
  }
}

function matches(event: LoggedEvent, filters: Filters): boolean {
  return (
    (filters.streamPrefix === undefined || event.streamId.startsWith(filters.streamPrefix)) &&
    (filters.types === undefined || filters.types.includes(event.type))
  );
}

describe('eventRecorded(after:) over graphql-transport-ws, with writers racing the switch', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  let writers: Writers;
  const clients: Client[] = [];

  const connect = (): Client => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(client);
    return client;
  };

  const subscribe = (client: Client, after: string, filters: Filters = {}): Received => {
    const received = new Received();
    client.subscribe<{ eventRecorded: LoggedEvent }>(
      { query: EVENT_RECORDED_AFTER, variables: { after, ...filters } },
      {
        next: (result) => {
          if (result.errors !== undefined) received.fail(result.errors);
          else if (result.data) received.push(result.data.eventRecorded);
        },
        error: (error) => received.fail(error),
        complete: () => undefined,
      },
    );
    return received;
  };

  /** The matching events the log holds after the event `after` names (a position or cursor). */
  const logAfter = async (position: string, filters: Filters): Promise<LoggedEvent[]> => {
    const log = await readLog(server);
    const index = log.findIndex((event) => event.position === position);
    expect(index).toBeGreaterThanOrEqual(0);
    return log.slice(index + 1).filter((event) => matches(event, filters));
  };

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    writers = new Writers(server);
  });

  afterAll(async () => {
    await writers?.stop();
    for (const client of clients) await client.dispose();
    await server?.close();
    directory.remove();
  });

  it(`delivers exactly the log's matching events after the cursor, in order, ${ROUNDS} times over`, async () => {
    const filterings: Filters[] = [
      {},
      { types: ['GroupFounded'] },
      { streamPrefix: 'organization-' },
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const filters = filterings[round % filterings.length]!;
      writers.start();
      await writers.recorded(12);

      // From a little further back each round, so that the replay takes longer while the
      // writers go on; every other round from a cursor of `events` instead of a position.
      const position = writers.results.at(-(1 + round * 3))!.position;
      let after = position;
      if (round % 2 === 1) {
        const edge = (await logEdges(server)).edges.find((e) => e.node.position === position);
        after = edge!.cursor;
      }
      const received = subscribe(connect(), after, filters);
      // The writers go on while the subscription replays and switches to live.
      await writers.recorded(40);
      await writers.stop();

      const expected = await logAfter(position, filters);
      expect(expected.length).toBeGreaterThan(0);
      const last = expected[expected.length - 1]!.id;
      await received.until(
        (events) => events.some((event) => event.id === last),
        `the log's last matching event (round ${round})`,
      );
      expect(received.events.map((event) => event.id)).toEqual(expected.map((event) => event.id));
      expect(received.events).toEqual(expected);
      report(
        `eventRecorded(after) round ${round}: ${expected.length} events after the ${
          after === position ? 'position' : 'cursor'
        } with ${JSON.stringify(filters)}, delivered exactly`,
      );
    }
  });

  it('resumes after a reconnect from the last position seen: together, exactly the log', async () => {
    writers.start();
    await writers.recorded(12);
    const start = writers.last!.position;

    const first = connect();
    const before = subscribe(first, start);
    await before.until((events) => events.length >= 15, '15 events');
    await first.dispose();
    const seen = [...before.events];

    const resumed = subscribe(connect(), seen[seen.length - 1]!.position);
    await writers.recorded(40);
    await writers.stop();

    const expected = await logAfter(start, {});
    const last = expected[expected.length - 1]!.id;
    await resumed.until((events) => events.some((event) => event.id === last), 'the last event');
    expect([...seen, ...resumed.events].map((event) => event.id)).toEqual(
      expected.map((event) => event.id),
    );
  });

  it('resumes on another replica (a second server on the same file) from a position just issued', async () => {
    const replica = await startServer(join(directory.path, 'events.db'));
    try {
      const client = createClient({
        url: replica.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
      clients.push(client);
      writers.start();
      await writers.recorded(8);
      // Recorded through the first server a moment ago: the replica may not have applied it.
      const position = writers.last!.position;
      const received = subscribe(client, position);
      await writers.recorded(20);
      await writers.stop();

      const expected = await logAfter(position, {});
      const last = expected[expected.length - 1]!.id;
      await received.until((events) => events.some((event) => event.id === last), 'the last event');
      expect(received.events.map((event) => event.id)).toEqual(expected.map((event) => event.id));
    } finally {
      await replica.close();
    }
  });

  it('replays from a cursor of events filtered by type, then goes live', async () => {
    const data = await query<{ events: { edges: { cursor: string; node: LoggedEvent }[] } }>(
      server,
      `{ events(first: 3, types: ["GroupFounded"]) { edges { cursor node { ${EVENT_FIELDS} } } } }`,
    );
    const [edge] = data.events.edges;
    const received = subscribe(connect(), edge!.cursor, { types: ['GroupFounded'] });
    const live = await ok(server, 'foundGroup', { name: 'After the replay' });

    await received.until(
      (events) => events.some((event) => event.id === live.eventIds[0]),
      'the live event',
    );
    const expected = await logAfter(edge!.node.position, { types: ['GroupFounded'] });
    expect(received.events.map((event) => event.id)).toEqual(expected.map((event) => event.id));
  });

  it.each(['not-a-cursor', '999999999', 'bG9nOjk5OTk5OTk5', ''])(
    'refuses after = %j as BAD_USER_INPUT naming the field, and keeps serving',
    async (after) => {
      const received = subscribe(connect(), after);
      await received.until(() => false, 'a refusal').catch(() => undefined);

      const [errors] = received.errors as { extensions?: Record<string, unknown> }[][];
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      expect(JSON.stringify(errors)).not.toMatch(/\bat \S+ \(|node_modules/);
      await expect(
        ok(server, 'registerOrganization', { name: 'Still serving' }),
      ).resolves.toBeDefined();
    },
  );
});
