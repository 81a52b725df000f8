import { join } from 'node:path';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  CommandResult,
  EVENT_FIELDS,
  LoggedEvent,
  daysFromNow,
  eventLog,
  expectRefused,
  ok,
  send,
  streamHistory,
} from './support/commands';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const EVENT_RECORDED = `subscription ($streamPrefix: String, $types: [String!]) {
  eventRecorded(streamPrefix: $streamPrefix, types: $types) { ${EVENT_FIELDS} }
}`;

/** How long to wait for an event that should arrive before calling the test failed. */
const ARRIVAL_BOUND_MS = 10_000;

/** The events one subscription delivered, in the order they arrived. */
class Received {
  readonly events: LoggedEvent[] = [];
  readonly errors: unknown[] = [];
  private readonly waiters = new Set<() => void>();

  push(event: LoggedEvent): void {
    this.events.push(event);
    for (const wake of this.waiters) wake();
  }

  fail(error: unknown): void {
    this.errors.push(error);
    for (const wake of this.waiters) wake();
  }

  /** Waits for the event with this id; returns (and forgets) everything up to and with it. */
  async through(id: string): Promise<LoggedEvent[]> {
    const started = Date.now();
    for (;;) {
      if (this.errors.length > 0)
        throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      const index = this.events.findIndex((event) => event.id === id);
      if (index >= 0) return this.events.splice(0, index + 1);
      const left = ARRIVAL_BOUND_MS - (Date.now() - started);
      if (left <= 0) {
        throw new Error(`event ${id} did not arrive; received: ${JSON.stringify(this.events)}`);
      }
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
  }
}

const lastEventOf = (result: CommandResult): string => result.eventIds[result.eventIds.length - 1];

describe('eventRecorded over graphql-transport-ws', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  let client: Client;
  const unsubscribes: Array<() => void> = [];
  let probes = 0;

  function subscribe(
    variables: { streamPrefix?: string; types?: string[] },
    onArrival?: (event: LoggedEvent) => void,
  ): Received {
    const received = new Received();
    unsubscribes.push(
      client.subscribe<{ eventRecorded: LoggedEvent }>(
        { query: EVENT_RECORDED, variables },
        {
          next: (result) => {
            if (result.errors !== undefined) received.fail(result.errors);
            else if (result.data) {
              onArrival?.(result.data.eventRecorded);
              received.push(result.data.eventRecorded);
            }
          },
          error: (error) => received.fail(error),
          complete: () => undefined,
        },
      ),
    );
    return received;
  }

  /**
   * A subscription is active once it delivers something. Records probe events (which the
   * subscription's filters let through) until the first arrives, then one more, and waits for
   * that one: after it, nothing from the probing is still on its way.
   */
  async function whenActive(
    received: Received,
    probe: () => Promise<CommandResult>,
  ): Promise<void> {
    for (let attempt = 0; attempt < 200 && received.events.length === 0; attempt++) {
      await probe();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await received.through(lastEventOf(await probe()));
  }

  const registerProbe = () =>
    ok(server, 'registerOrganization', { id: `probe-${++probes}`, name: 'Probe' });

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  });

  afterAll(async () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
    await client?.dispose();
    await server?.close();
    directory.remove();
  });

  it('delivers every event recorded after subscribing, in order, once committed', async () => {
    const inHistoryOnArrival: Array<Promise<[string, boolean]>> = [];
    const received = subscribe({}, (event) => {
      inHistoryOnArrival.push(
        streamHistory(server, event.streamId).then((history) => [
          event.id,
          history.some((recorded) => recorded.id === event.id),
        ]),
      );
    });
    await whenActive(received, registerProbe);

    const results: CommandResult[] = [];
    results.push(await ok(server, 'registerOrganization', { id: 'acme', name: 'Acme' }));
    results.push(await ok(server, 'registerOrganization', { id: 'globex', name: 'Globex' }));
    results.push(await ok(server, 'foundGroup', { id: 'river', name: 'River' }));
    results.push(
      await ok(server, 'joinGroup', { groupId: 'river', organizationId: 'acme', position: 'CORE' }),
    );
    // Refused: records nothing, so publishes nothing.
    expectRefused(
      await send(server, 'joinGroup', {
        groupId: 'river',
        organizationId: 'acme',
        position: 'RING',
      }),
      {
        code: 'RULE_VIOLATION',
        rule: 'ALREADY_MEMBER',
      },
    );
    results.push(
      await ok(server, 'formPartnership', {
        id: 'bridge',
        name: 'Bridge',
        partyIds: ['acme', 'globex'],
        intendedEndAt: daysFromNow(100),
      }),
    );
    results.push(
      await ok(server, 'agreeArrangement', { partnershipId: 'bridge', title: 'T', terms: 'T' }),
    );
    const expected = results.flatMap((result) => result.eventIds);

    const delivered = await received.through(expected[expected.length - 1]);
    expect(delivered.map((event) => event.id)).toEqual(expected);

    const log = await eventLog(server);
    const logged = new Map(log.map((event) => [event.id, event]));
    expect(delivered).toEqual(delivered.map((event) => logged.get(event.id)));

    const arrivals = await Promise.all(inHistoryOnArrival);
    expect(arrivals.filter(([id]) => expected.includes(id))).toEqual(
      expected.map((id) => [id, true]),
    );
  });

  it('applies streamPrefix and types together (AND)', async () => {
    for (const id of ['alpha', 'alphabet', 'beta'])
      await ok(server, 'foundGroup', { id, name: id });
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5'])
      await ok(server, 'registerOrganization', { id, name: id });

    const received = subscribe({ streamPrefix: 'group-alpha', types: ['OrganizationJoinedGroup'] });
    let member = '';
    await whenActive(received, async () => {
      const probe = await registerProbe();
      member = probe.id;
      return ok(server, 'joinGroup', {
        groupId: 'alpha',
        organizationId: probe.id,
        position: 'CORE',
      });
    });

    // Only the type matches:
    await ok(server, 'joinGroup', { groupId: 'beta', organizationId: 'm1', position: 'CORE' });
    // Only the prefix matches:
    await ok(server, 'changePosition', {
      groupId: 'alpha',
      organizationId: member,
      position: 'RING',
    });
    // Neither:
    await ok(server, 'registerOrganization', { id: 'm6', name: 'm6' });
    // Both:
    const both = await ok(server, 'joinGroup', {
      groupId: 'alpha',
      organizationId: 'm2',
      position: 'RING',
    });
    // Both: "group-alphabet" starts with "group-alpha".
    const prefixed = await ok(server, 'joinGroup', {
      groupId: 'alphabet',
      organizationId: 'm3',
      position: 'CORE',
    });
    // Only the prefix again:
    await ok(server, 'leaveGroup', { groupId: 'alpha', organizationId: 'm2' });
    // Both, and the last:
    const last = await ok(server, 'joinGroup', {
      groupId: 'alpha',
      organizationId: 'm4',
      position: 'FREE_SPACE',
    });

    const delivered = await received.through(lastEventOf(last));
    expect(delivered.map((event) => [event.id, event.streamId, event.type])).toEqual([
      [both.eventIds[0], 'group-alpha', 'OrganizationJoinedGroup'],
      [prefixed.eventIds[0], 'group-alphabet', 'OrganizationJoinedGroup'],
      [last.eventIds[0], 'group-alpha', 'OrganizationJoinedGroup'],
    ]);
  });

  it('applies streamPrefix alone', async () => {
    await ok(server, 'registerOrganization', { id: 'north', name: 'North' });
    await ok(server, 'registerOrganization', { id: 'south', name: 'South' });
    const received = subscribe({ streamPrefix: 'partnership-' });
    await whenActive(received, () =>
      ok(server, 'formPartnership', {
        id: `probe-partnership-${++probes}`,
        name: 'Probe',
        partyIds: ['north', 'south'],
        intendedEndAt: daysFromNow(100),
      }),
    );

    const formed = await ok(server, 'formPartnership', {
      id: 'compass',
      name: 'Compass',
      partyIds: ['north', 'south'],
      intendedEndAt: daysFromNow(100),
    });
    await ok(server, 'registerOrganization', { id: 'east', name: 'East' });
    const agreed = await ok(server, 'agreeArrangement', {
      partnershipId: 'compass',
      title: 'T',
      terms: 'T',
    });
    await ok(server, 'foundGroup', { id: 'winds', name: 'Winds' });
    const extended = await ok(server, 'extendPartnership', {
      partnershipId: 'compass',
      intendedEndAt: daysFromNow(200),
    });
    const ended = await ok(server, 'endPartnership', {
      partnershipId: 'compass',
      reason: 'COMPLETED',
    });

    const delivered = await received.through(lastEventOf(ended));
    expect(delivered.map((event) => event.id)).toEqual(
      [formed, agreed, extended, ended].flatMap((result) => result.eventIds),
    );
    expect(delivered.map((event) => event.type)).toEqual([
      'PartnershipFormed',
      'ArrangementAgreed',
      'PartnershipExtended',
      'PartnershipEnded',
    ]);
  });

  it('applies types alone', async () => {
    const received = subscribe({ types: ['GroupFounded', 'GroupDissolved'] });
    let groups = 0;
    await whenActive(received, () =>
      ok(server, 'foundGroup', { id: `probe-group-${++groups}`, name: 'Probe' }),
    );

    const founded = await ok(server, 'foundGroup', { id: 'delta', name: 'Delta' });
    await ok(server, 'joinGroup', { groupId: 'delta', organizationId: 'north', position: 'CORE' });
    await ok(server, 'registerOrganization', { id: 'west', name: 'West' });
    const dissolved = await ok(server, 'dissolveGroup', { groupId: 'delta' });
    const last = await ok(server, 'foundGroup', { id: 'estuary', name: 'Estuary' });

    const delivered = await received.through(lastEventOf(last));
    expect(delivered.map((event) => [event.type, event.streamId])).toEqual([
      ['GroupFounded', 'group-delta'],
      ['GroupDissolved', 'group-delta'],
      ['GroupFounded', 'group-estuary'],
    ]);
    expect(delivered.map((event) => event.id)).toEqual(
      [founded, dissolved, last].flatMap((result) => result.eventIds),
    );
  });
});
