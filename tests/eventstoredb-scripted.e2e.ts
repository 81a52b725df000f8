import { join } from 'node:path';
import { ok, query, send, expectRefused, LoggedEvent, EVENT_FIELDS } from './support/commands';
import { readLog } from './support/log-reader';
import { ScriptedEventStoreDb } from './support/scripted-eventstoredb';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/**
 * The built API on the EventStoreDB adapter, through the real client, against a scripted
 * EventStoreDB (scripted server: one in-memory node answering the gRPC protocol; not a
 * substitute for `npm run test:esdb` on a real server or cluster).
 */
describe('the API on EventStoreDB (scripted gRPC server)', () => {
  const directory = temporaryDirectory();
  const eventstore = new ScriptedEventStoreDb();
  let server: TestServer;

  beforeAll(async () => {
    const port = await eventstore.start();
    server = await startServer(join(directory.path, 'unused.db'), {
      EVENT_STORE_URL: `esdb://127.0.0.1:${port}?tls=false`,
    });
  });

  afterAll(async () => {
    await server?.close();
    eventstore.stop();
    directory.remove();
  });

  it('records a command with one Append call per append, never BatchAppend, all on the leader', async () => {
    const result = await ok(server, 'registerOrganization', { id: 'acme', name: 'Acme' });

    expect(eventstore.batchAppendCalls).toBe(0);
    // The reservation of its commandId, then its events.
    expect(eventstore.appendCalls).toBe(2);
    expect(eventstore.withoutLeader).toEqual([]);
    expect(eventstore.streamOf('organization-acme').map((event) => event.id)).toEqual(
      result.eventIds,
    );
  });

  it('reserves each commandId in a stream the log does not show', async () => {
    const result = await ok(server, 'foundGroup', {
      id: 'river',
      name: 'River',
      commandId: 'c0ffee00-0000-4000-8000-000000000001',
    });

    expect(eventstore.streamOf('command-c0ffee00-0000-4000-8000-000000000001')).toHaveLength(1);
    const log = await readLog(server);
    expect(log.some((event) => event.streamId.startsWith('command-'))).toBe(false);
    expect(log.at(-1)!.id).toBe(result.eventIds[0]);
  });

  it('answers a repeated command with its first result and refuses its commandId for another, appending nothing', async () => {
    const commandId = 'c0ffee00-0000-4000-8000-000000000002';
    const first = await ok(server, 'registerOrganization', { name: 'Once', commandId });
    const appends = eventstore.appendCalls;

    const again = await ok(server, 'registerOrganization', { name: 'Once', commandId });
    const other = await send(server, 'foundGroup', { name: 'Other', commandId });

    expect(again).toEqual(first);
    expectRefused(other, { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' });
    expect(eventstore.appendCalls).toBe(appends);
  });

  it("keeps recordedAt from moving backwards in a stream when the server's clock steps back", async () => {
    await ok(server, 'registerOrganization', { id: 'clocked', name: 'Clocked' });
    const stepped = Date.now() - 60 * 60_000;
    eventstore.now = () => new Date(stepped);
    try {
      await ok(server, 'assessCapability', { organizationId: 'clocked', ambition: 3, realized: 2 });
    } finally {
      eventstore.now = () => new Date();
    }

    const { history } = await query<{ history: LoggedEvent[] }>(
      server,
      `query { history(streamId: "organization-clocked") { ${EVENT_FIELDS} } }`,
    );
    expect(history).toHaveLength(2);
    const [registered, assessed] = history;
    expect(Date.parse(assessed!.recordedAt)).toBeGreaterThanOrEqual(
      Date.parse(registered!.recordedAt),
    );
    expect(Date.parse(assessed!.recordedAt)).toBeGreaterThanOrEqual(
      Date.parse(assessed!.effectiveAt),
    );
    const raw = eventstore.streamOf('organization-clocked')[1]!.created.getTime();
    expect(raw).toBe(stepped);
  });
});
