import { EventToAppend, RecordedEvent } from '../event-store';

export type EarlierRecording =
  /** None of the ids is in the stream: the append is new. */
  | { readonly kind: 'none' }
  /** Every id is in the stream, consecutively, with the same types: a repeat of that append. */
  | { readonly kind: 'repeat'; readonly events: readonly RecordedEvent[] }
  /** Some id is in the stream, but not as this same append: a reuse of that id. */
  | { readonly kind: 'reused'; readonly eventId: string };

/**
 * What a stream already holds of an append, by event id, with the rule the SQLite adapter
 * applies inside its transaction: a repeat is the same events at consecutive revisions;
 * any other overlap reuses an id.
 */
export function findEarlierRecording(
  stream: readonly RecordedEvent[],
  events: readonly EventToAppend[],
): EarlierRecording {
  const revisionOf = new Map(stream.map((event, index) => [event.id, index]));
  const [first] = events;
  const start = first === undefined ? undefined : revisionOf.get(first.id);
  if (first === undefined || start === undefined) {
    const reused = events.find((event) => revisionOf.has(event.id));
    return reused === undefined ? { kind: 'none' } : { kind: 'reused', eventId: reused.id };
  }
  const earlier = stream.slice(start, start + events.length);
  const isRepeat =
    earlier.length === events.length &&
    earlier.every(
      (recorded, index) =>
        recorded.id === events[index]!.id && recorded.type === events[index]!.type,
    );
  return isRepeat ? { kind: 'repeat', events: earlier } : { kind: 'reused', eventId: first.id };
}
