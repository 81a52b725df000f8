import { DuplicateEventIdError, EventToAppend } from './event-store';

/**
 * What every adapter refuses before it writes anything: an empty append, an invalid
 * effectiveAt or schemaVersion, one id twice in the same append.
 */
export function assertAppendable(events: readonly EventToAppend[]): void {
  if (events.length === 0) throw new RangeError('append needs at least one event');
  const ids = new Set<string>();
  for (const event of events) {
    if (event.effectiveAt !== undefined && Number.isNaN(event.effectiveAt.getTime())) {
      throw new RangeError(`event ${event.id} has an invalid effectiveAt`);
    }
    if (!Number.isSafeInteger(event.schemaVersion)) {
      throw new RangeError(`event ${event.id} has a schemaVersion that is not an integer`);
    }
    if (ids.has(event.id)) throw new DuplicateEventIdError(event.id);
    ids.add(event.id);
  }
}
