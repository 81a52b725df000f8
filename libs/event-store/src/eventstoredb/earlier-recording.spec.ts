import { randomUUID } from 'node:crypto';
import { EventToAppend, RecordedEvent } from '../event-store';
import { findEarlierRecording } from './earlier-recording';

describe('findEarlierRecording', () => {
  const stream = ['A', 'B', 'C', 'D'].map((type, revision) => recorded(type, revision));
  const again = (event: RecordedEvent, type = event.type): EventToAppend => ({
    ...toAppend(type),
    id: event.id,
  });

  it('finds nothing when no id is in the stream', () => {
    expect(findEarlierRecording(stream, [toAppend('E'), toAppend('F')])).toEqual({ kind: 'none' });
    expect(findEarlierRecording([], [toAppend('E')])).toEqual({ kind: 'none' });
  });

  it('finds a repeat at the tail and in the middle of the stream', () => {
    expect(findEarlierRecording(stream, [again(stream[2]!), again(stream[3]!)])).toEqual({
      kind: 'repeat',
      events: [stream[2], stream[3]],
    });
    expect(findEarlierRecording(stream, [again(stream[0]!), again(stream[1]!)])).toEqual({
      kind: 'repeat',
      events: [stream[0], stream[1]],
    });
  });

  it.each<[string, () => EventToAppend[], string]>([
    [
      'one more event than recorded',
      () => [again(stream[2]!), again(stream[3]!), toAppend('E')],
      'C',
    ],
    ['the recorded events out of order', () => [again(stream[1]!), again(stream[0]!)], 'B'],
    ['a gap between the recorded events', () => [again(stream[0]!), again(stream[2]!)], 'A'],
    ['a recorded id with another type', () => [again(stream[1]!, 'Other')], 'B'],
    ['a recorded id after a new one', () => [toAppend('E'), again(stream[3]!)], 'D'],
  ])('calls %s a reuse of an id', (_case, events, reusedType) => {
    const reusedId = stream.find((event) => event.type === reusedType)!.id;

    expect(findEarlierRecording(stream, events())).toEqual({ kind: 'reused', eventId: reusedId });
  });
});

function toAppend(type: string): EventToAppend {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data: {},
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

function recorded(type: string, revision: number): RecordedEvent {
  const { id, data, metadata, schemaVersion } = toAppend(type);
  const at = new Date(Date.UTC(2024, 0, 1, 0, 0, revision));
  return {
    id,
    streamId: 'group-1',
    revision,
    position: `${revision}:${revision}`,
    type,
    data,
    effectiveAt: at,
    recordedAt: at,
    metadata,
    schemaVersion,
  };
}
