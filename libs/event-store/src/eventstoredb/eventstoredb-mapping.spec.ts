import { randomUUID } from 'node:crypto';
import {
  ANY,
  NO_STREAM,
  type CurrentRevision,
  type JSONRecordedEvent,
} from '@eventstore/db-client';
import { EventToAppend, InvalidPositionError, RecordedEvent } from '../event-store';
import {
  StoredMetadata,
  UnreadableEventError,
  appendIdOf,
  comparePositions,
  decodePosition,
  encodePosition,
  isSystemEvent,
  toEventData,
  toExpectedRevision,
  toImportedEventData,
  toRecordedEvent,
  toStreamVersion,
} from './eventstoredb-mapping';

describe('versions and expected revisions', () => {
  it.each([
    [0, NO_STREAM],
    [1, 0n],
    [2, 1n],
    [1_000_000, 999_999n],
    ['any' as const, ANY],
  ])('expects version %p as revision %p', (version, revision) => {
    expect(toExpectedRevision(version)).toBe(revision);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])(
    'refuses expected version %p',
    (version) => {
      expect(() => toExpectedRevision(version)).toThrow(RangeError);
    },
  );

  it.each<[CurrentRevision, number]>([
    [NO_STREAM, 0],
    [0n, 1],
    [41n, 42],
  ])('reads the current revision %p as version %p', (current, version) => {
    expect(toStreamVersion(current)).toBe(version);
  });

  it('round-trips every version through the revision it expects', () => {
    for (const version of [0, 1, 2, 17, 4096]) {
      const revision = toExpectedRevision(version);
      expect(revision).not.toBe(ANY);
      expect(toStreamVersion(revision as CurrentRevision)).toBe(version);
    }
  });
});

describe('positions', () => {
  it.each([
    [{ commit: 0n, prepare: 0n }, '0:0'],
    [{ commit: 1024n, prepare: 1024n }, '1024:1024'],
    [{ commit: 9_223_372_036_854_775_807n, prepare: 12n }, '9223372036854775807:12'],
  ])('writes %p as %s and reads it back', (position, encoded) => {
    expect(encodePosition(position)).toBe(encoded);
    expect(decodePosition(encoded)).toEqual(position);
  });

  it.each([
    '',
    'not-a-position',
    '12',
    '12:',
    ':12',
    '12:12:12',
    '-1:0',
    '01:0',
    '1:01',
    ' 1:1',
    '1:1 ',
    '1e3:1',
    '0x10:0',
    '1.5:1',
    // A commit never precedes its prepare in EventStoreDB's log.
    '5:6',
    // Beyond the signed 64 bits the server counts in.
    '9223372036854775808:0',
    '99999999999999999999:0',
    // The port's SQLite positions are not EventStoreDB's.
    '42',
  ])('refuses %j as a position it never issued', (encoded) => {
    expect(() => decodePosition(encoded)).toThrow(InvalidPositionError);
  });

  it('orders positions by commit, then by prepare', () => {
    const sorted = [
      { commit: 10n, prepare: 10n },
      { commit: 20n, prepare: 5n },
      { commit: 20n, prepare: 15n },
      { commit: 300n, prepare: 300n },
    ];
    const shuffled = [sorted[2]!, sorted[0]!, sorted[3]!, sorted[1]!];

    expect([...shuffled].sort(comparePositions)).toEqual(sorted);
    expect(comparePositions({ commit: 7n, prepare: 7n }, { commit: 7n, prepare: 7n })).toBe(0);
  });
});

describe('system events', () => {
  it.each([
    ['$stats-127.0.0.1:2113', '$statsCollected', true],
    ['$$organization-1', '$metadata', true],
    ['organization-1', '$>', true],
    ['$scavenges', 'ScavengeStarted', true],
    ['organization-1', 'OrganizationRegistered', false],
    ['group-a$b', 'GroupFounded', false],
  ])('%s / %s is a system event: %p', (streamId, type, system) => {
    expect(isSystemEvent({ streamId, type })).toBe(system);
  });
});

describe('events to append', () => {
  it('carries the id, type, data and every metadata field, with ESDB correlation names', () => {
    const event = newEvent({ effectiveAt: new Date('2024-02-03T04:05:06.789Z'), schemaVersion: 3 });

    const data = toEventData(event, 'append-1');

    expect(data).toEqual({
      id: event.id,
      contentType: 'application/json',
      type: event.type,
      data: event.data,
      metadata: {
        $correlationId: event.metadata.correlationId,
        $causationId: event.metadata.causationId,
        actor: 'manager-1',
        commandId: event.metadata.commandId,
        commandDigest: 'digest',
        schemaVersion: 3,
        effectiveAt: '2024-02-03T04:05:06.789Z',
        appendId: 'append-1',
      } satisfies StoredMetadata,
    });
  });

  it('leaves effectiveAt out when the fact takes effect at the recording', () => {
    const data = toEventData(newEvent(), 'append-1');

    expect(data.metadata).not.toHaveProperty('effectiveAt');
    expect(data.metadata).not.toHaveProperty('recordedAt');
  });

  it('keeps both times of an imported event, and no appendId', () => {
    const event = recordedEvent();

    const data = toImportedEventData(event);

    expect(data.id).toBe(event.id);
    expect(data.metadata).toMatchObject({
      effectiveAt: '2021-01-01T10:00:00.000Z',
      recordedAt: '2021-01-02T11:12:13.456Z',
    });
    expect(data.metadata).not.toHaveProperty('appendId');
  });
});

describe('events read back', () => {
  it('reads an appended event with the commit time as recordedAt and as effectiveAt', () => {
    const event = newEvent();
    const created = new Date('2025-05-05T05:05:05.555Z');

    const read = toRecordedEvent(vendorEvent(toEventData(event, 'a'), { created }));

    expect(read).toEqual({
      id: event.id,
      streamId: 'organization-1',
      revision: 4,
      position: '8192:8192',
      type: event.type,
      data: event.data,
      effectiveAt: created,
      recordedAt: created,
      metadata: event.metadata,
      schemaVersion: 1,
    } satisfies RecordedEvent);
  });

  it('reads a given effectiveAt to the millisecond', () => {
    const effectiveAt = new Date('2020-02-29T23:59:59.999Z');

    const read = toRecordedEvent(vendorEvent(toEventData(newEvent({ effectiveAt }), 'a')));

    expect(read.effectiveAt).toEqual(effectiveAt);
    expect(read.recordedAt).toEqual(new Date('2025-05-05T05:05:05.555Z'));
  });

  it('reads an imported event with its own recordedAt instead of the commit time', () => {
    const original = recordedEvent();

    const read = toRecordedEvent(vendorEvent(toImportedEventData(original)));

    expect(read).toEqual({
      ...original,
      streamId: 'organization-1',
      revision: 4,
      position: '8192:8192',
    });
  });

  it('tells which append wrote an event', () => {
    expect(appendIdOf(vendorEvent(toEventData(newEvent(), 'append-7')))).toBe('append-7');
    expect(appendIdOf(vendorEvent(toImportedEventData(recordedEvent())))).toBeUndefined();
  });

  const written = () => toEventData(newEvent(), 'a');
  it.each<[string, (event: JSONRecordedEvent) => JSONRecordedEvent]>([
    ['binary data', (event) => ({ ...event, isJson: false }) as unknown as JSONRecordedEvent],
    ['data that is not an object', (event) => ({ ...event, data: ['a'] })],
    ['no metadata', (event) => ({ ...event, metadata: undefined as never })],
    ['no commandId', (event) => withMetadata(event, { commandId: undefined })],
    ['no $correlationId', (event) => withMetadata(event, { $correlationId: undefined })],
    ['an actor that is a number', (event) => withMetadata(event, { actor: 7 })],
    ['a fractional schemaVersion', (event) => withMetadata(event, { schemaVersion: 1.5 })],
    [
      'an effectiveAt in another format',
      (event) => withMetadata(event, { effectiveAt: '2024-01-01' }),
    ],
    ['an unreadable recordedAt', (event) => withMetadata(event, { recordedAt: 'yesterday' })],
    ['no log position', (event) => ({ ...event, position: undefined })],
    [
      'the position of an unknown commit',
      (event) => ({ ...event, position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } }),
    ],
  ])('refuses an event with %s as not one of this store', (_what, spoil) => {
    const failure = captureError(() => toRecordedEvent(spoil(vendorEvent(written()))));

    expect(failure).toBeInstanceOf(UnreadableEventError);
    expect(failure).toMatchObject({ streamId: 'organization-1' });
  });
});

function newEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { name: 'Buurtzorg', nested: { list: [1, 'two', null] } },
    metadata: {
      actor: 'manager-1',
      commandId,
      correlationId: randomUUID(),
      causationId: randomUUID(),
      commandDigest: 'digest',
    },
    schemaVersion: 1,
    ...overrides,
  };
}

function recordedEvent(): RecordedEvent {
  const { id, type, data, metadata } = newEvent();
  return {
    id,
    streamId: 'organization-elsewhere',
    revision: 0,
    position: '17',
    type,
    data,
    effectiveAt: new Date('2021-01-01T10:00:00.000Z'),
    recordedAt: new Date('2021-01-02T11:12:13.456Z'),
    metadata: { ...metadata, actor: null },
    schemaVersion: 2,
  };
}

/** The event as the client would hand it back after the server stored `data`. */
function vendorEvent(
  data: ReturnType<typeof toEventData>,
  overrides: Partial<JSONRecordedEvent> = {},
): JSONRecordedEvent {
  // The server keeps data and metadata as JSON text; the client parses them again.
  const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return {
    streamId: 'organization-1',
    id: data.id,
    isJson: true,
    revision: 4n,
    type: data.type,
    created: new Date('2025-05-05T05:05:05.555Z'),
    data: json(data.data),
    metadata: json(data.metadata) as JSONRecordedEvent['metadata'],
    position: { commit: 8192n, prepare: 8192n },
    ...overrides,
  };
}

function withMetadata(
  event: JSONRecordedEvent,
  changes: Record<string, unknown>,
): JSONRecordedEvent {
  return { ...event, metadata: { ...(event.metadata as Record<string, unknown>), ...changes } };
}

function captureError(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
