import { RecordedEvent } from './event-store';

/**
 * Checks what every adapter checks before it imports already-recorded events: revisions
 * are natural numbers, both times are dates, the schema version is an integer.
 */
export function assertRecordedEvents(events: readonly RecordedEvent[]): void {
  for (const event of events) {
    if (!Number.isSafeInteger(event.revision) || event.revision < 0) {
      throw new RangeError(`event ${event.id} has a revision that is not a natural number`);
    }
    if (Number.isNaN(event.effectiveAt.getTime()) || Number.isNaN(event.recordedAt.getTime())) {
      throw new RangeError(`event ${event.id} has an invalid effectiveAt or recordedAt`);
    }
    if (!Number.isSafeInteger(event.schemaVersion)) {
      throw new RangeError(`event ${event.id} has a schemaVersion that is not an integer`);
    }
  }
}
