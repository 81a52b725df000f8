import { EventStoreUnavailableError } from './event-store';
import { parseEventStoreUrl, redactEventStoreUrl } from './event-store-url';

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
    ['kurrentdb://localhost:2113?tls=false', 'esdb://localhost:2113?tls=false'],
    [
      'kurrentdb+discover://admin:changeit@cluster.example.org:2113',
      'esdb+discover://admin:changeit@cluster.example.org:2113',
    ],
  ])("hands KurrentDB's %s to the client as %s", (url, connectionString) => {
    expect(parseEventStoreUrl(url)).toEqual({ kind: 'esdb', connectionString });
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
    'kurrentdb://',
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

describe('redactEventStoreUrl', () => {
  it.each([
    [
      'esdb://admin:changeit@node1:2113,node2:2113?tls=true',
      'esdb://admin:***@node1:2113,node2:2113?tls=true',
    ],
    ['esdb+discover://ops:p@ss@cluster:2113', 'esdb+discover://ops:***@cluster:2113'],
    ['kurrentdb://admin:changeit@node1:2113', 'kurrentdb://admin:***@node1:2113'],
    ['esdb://localhost:2113?tls=false', 'esdb://localhost:2113?tls=false'],
    ['esdb://admin@localhost:2113', 'esdb://admin@localhost:2113'],
    ['sqlite:data/a:b@c.db', 'sqlite:data/a:b@c.db'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactEventStoreUrl(url)).toBe(shown);
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
