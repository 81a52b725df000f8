import { EventStoreUnavailableError } from './event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { openEventStore } from './open-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

describe('openEventStore', () => {
  it('opens the SQLite adapter for a sqlite URL', async () => {
    const store = openEventStore('sqlite::memory:');
    try {
      expect(store).toBeInstanceOf(SqliteEventStore);
      await expect(store.readAll({ limit: 1 })).resolves.toEqual([]);
    } finally {
      await store.close();
    }
  });

  it.each([
    'esdb://localhost:2113?tls=false',
    'esdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=false&nodePreference=leader',
    'esdb+discover://cluster.example.org:2113?tls=false',
    'kurrentdb://localhost:2113?tls=false',
    'kurrentdb+discover://node1:2113,node2:2113?tls=false',
  ])('opens the EventStoreDB adapter for %s without contacting a server', async (url) => {
    const store = openEventStore(url);
    try {
      expect(store).toBeInstanceOf(EventStoreDbEventStore);
    } finally {
      await store.close();
    }
  });

  it.each([
    'esdb://localhost:2113?tls=maybe',
    'esdb://localhost:port',
    'esdb://localhost:2113?nodePreference=nearest',
    'esdb://localhost:2113?defaultDeadline=soon',
  ])('refuses the EventStoreDB connection string %s the client cannot use', (url) => {
    expect(() => openEventStore(url)).toThrow(EventStoreUnavailableError);
  });

  it('does not repeat a refused connection string, which may hold a password', () => {
    let failure: unknown;
    try {
      openEventStore('esdb://admin:s3cret@host:2113?tls=maybe');
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(EventStoreUnavailableError);
    expect((failure as Error).message).not.toContain('s3cret');
    expect((failure as Error).cause).toBeUndefined();
  });
});
