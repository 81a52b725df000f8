import { EventStoreUnavailableError } from './event-store';
import { openEventStore, parseEventStoreUrl } from './event-store-url';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

describe('parseEventStoreUrl', () => {
  it.each([
    ['sqlite:data/events.db', 'data/events.db'],
    ['sqlite:./data/events.db', './data/events.db'],
    ['sqlite:/var/lib/partnerships/events.db', '/var/lib/partnerships/events.db'],
    ['sqlite::memory:', ':memory:'],
  ])('reads %s as the SQLite location %s', (url, location) => {
    expect(parseEventStoreUrl(url)).toEqual({ kind: 'sqlite', location });
  });

  it.each([
    'esdb://localhost:2113?tls=false',
    'esdb://admin:changeit@node1:2113,node2:2113?tls=true',
    'esdb+discover://cluster.example.org:2113?tls=false',
  ])('hands %s to EventStoreDB as it is', (url) => {
    expect(parseEventStoreUrl(url)).toEqual({ kind: 'esdb', connectionString: url });
  });

  it.each([
    '',
    'data/events.db',
    'sqlite:',
    'sqlite://data/events.db',
    'sqlite:///var/lib/events.db',
    'SQLITE:data/events.db',
    'esdb://',
    'esdb+discover://',
    'esdb:localhost:2113',
    'postgres://localhost/events',
  ])('refuses %j', (url) => {
    expect(() => parseEventStoreUrl(url)).toThrow(EventStoreUnavailableError);
  });

  it('does not repeat a refused URL, which may hold a password', () => {
    const failure = captureError(() => parseEventStoreUrl('esdbs://admin:s3cret@host:2113'));

    expect(failure).toBeInstanceOf(EventStoreUnavailableError);
    expect((failure as Error).message).not.toContain('s3cret');
  });
});

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

  it('refuses an esdb URL until the EventStoreDB adapter exists', () => {
    expect(() => openEventStore('esdb://localhost:2113?tls=false')).toThrow(
      EventStoreUnavailableError,
    );
  });
});

function captureError(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
