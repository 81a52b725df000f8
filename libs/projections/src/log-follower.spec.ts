import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownEventTypeError } from '@partnerships/domain/decode-event';
import { EventToAppend } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { LogFollower } from './log-follower';
import { NetworkProjection } from './network-projection';

function event(type: string, data: Record<string, unknown>): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'd',
    },
    schemaVersion: 1,
  };
}

describe('LogFollower', () => {
  let directory: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'follower-'));
    store = SqliteEventStore.open(join(directory, 'events.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('reports an event of a type it does not know, keeps it in the log, and follows on', async () => {
    await store.append('organization-a', [event('OrganizationRenamed', { name: 'B' })], 'any');
    await store.append(
      'organization-b',
      [event('OrganizationRegistered', { organizationId: 'b', name: 'B' })],
      0,
    );
    const errors: unknown[] = [];
    const seen: string[] = [];
    const projection = new NetworkProjection();
    const follower = new LogFollower(store, projection, 10, (error) => errors.push(error));
    follower.onEvent((applied) => seen.push(applied.type));

    await follower.catchUp();

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnknownEventTypeError);
    expect((errors[0] as UnknownEventTypeError).type).toBe('OrganizationRenamed');
    expect(projection.length).toBe(2);
    expect(projection.indexesOfType('OrganizationRenamed').at(0)).toBe(0);
    expect(projection.indexesOfType('OrganizationRegistered').at(0)).toBe(1);
    expect(projection.streams.get('organization-a')?.seqs.toArray()).toEqual([0]);
    expect(seen).toEqual(['OrganizationRenamed', 'OrganizationRegistered']);
    expect(projection.organizations.get('b')?.name).toBe('B');
  });

  it('hands a row listener every event as its page and row, before the event listeners, and stops when told', async () => {
    for (const id of ['a', 'b', 'c']) {
      await store.append(
        `organization-${id}`,
        [event('OrganizationRegistered', { organizationId: id, name: id })],
        0,
      );
    }
    const heard: string[] = [];
    const follower = new LogFollower(store, new NetworkProjection(), 2);
    const stop = follower.onRow((page, row) => heard.push(`row ${page.streamId(row)}`));
    follower.onEvent((applied) => heard.push(`event ${applied.streamId}`));
    await follower.catchUp();
    expect(heard).toEqual([
      'row organization-a',
      'event organization-a',
      'row organization-b',
      'event organization-b',
      'row organization-c',
      'event organization-c',
    ]);

    stop();
    await store.append(
      'organization-d',
      [event('OrganizationRegistered', { organizationId: 'd', name: 'd' })],
      0,
    );
    await follower.catchUp();
    expect(heard.slice(6)).toEqual(['event organization-d']);
  });
});
