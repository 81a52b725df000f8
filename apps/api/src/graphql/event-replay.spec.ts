import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '@partnerships/domain/common/errors';
import { EventToAppend } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { encodeCursor } from '@partnerships/projections/cursor';
import { ReadModel } from '../read-model/read-model';
import { replayThenLive } from './event-replay';

describe('replayThenLive', () => {
  let store: SqliteEventStore;
  let readModel: ReadModel;

  beforeEach(async () => {
    store = SqliteEventStore.open(':memory:');
    readModel = new ReadModel(store);
    await readModel.onModuleInit();
  });

  afterEach(async () => {
    readModel.onApplicationShutdown();
    await store.close();
  });

  const record = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const result = await store.append(`organization-${randomUUID()}`, [registered()], 0);
      ids.push(result.events[0]!.id);
    }
    await readModel.caughtUp();
    return ids;
  };

  it('hands out the events after a position, then each new one as it is applied', async () => {
    const [first, ...rest] = await record(3);
    const { projection } = readModel;
    let index = projection.length - 1;
    while (projection.eventIdAt(index) !== first) index--;
    const position = projection.positionAt(index);

    const events = await replayThenLive(readModel, position);
    const replayed = [(await events.next()).value.id, (await events.next()).value.id];
    const waiting = events.next();
    const [live] = await record(1);

    expect(replayed).toEqual(rest);
    expect((await waiting).value.id).toBe(live);
    await events.return!();
  });

  it('starts after the event a cursor of events names', async () => {
    const ids = await record(3);

    const events = await replayThenLive(readModel, encodeCursor(0));

    expect((await events.next()).value.id).toBe(ids[1]);
    await events.return!();
  });

  it('ends a waiting next and stops listening once returned', async () => {
    await record(1);
    const events = await replayThenLive(readModel, readModel.projection.positionAt(0));
    const waiting = events.next();

    await events.return!();
    await record(1);

    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    await expect(events.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it.each(['', 'nope', '999', encodeCursor(5)])(
    'refuses after = %j naming the field',
    async (after) => {
      await record(2);

      const failure = await replayThenLive(readModel, after).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(InvalidInputError);
      expect(failure).toMatchObject({ field: 'after' });
    },
  );
});

function registered(): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type: 'OrganizationRegistered',
    data: { organizationId: randomUUID(), name: 'Wijkteam' },
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'digest',
    },
    schemaVersion: 1,
  };
}
