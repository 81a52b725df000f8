/**
 * The one place a stored event becomes the domain's event union: its type known to this
 * build, its data upcast to the type's current shape (common/upcasters.ts). Everything
 * after it switches on `type` and trusts the data's types.
 */
import type { DomainEvent } from './commands';
import type { Effective } from './common/command';
import { isEventType, upcast } from './common/upcasters';

/** What decoding reads of a stored event. */
export interface StoredEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly effectiveAt: Date;
}

/**
 * A stored event this build cannot read: a type it does not know (written by a newer
 * version, or not by this service at all).
 */
export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
  constructor(readonly type: string) {
    super(`the event type ${type} is unknown to this version`);
  }
}

export function decodeEvent(stored: StoredEvent): Effective<DomainEvent> {
  if (!isEventType(stored.type)) throw new UnknownEventTypeError(stored.type);
  // The data is what a decider of this type wrote, in the shape of its schema version; the
  // upcasters bring it to the current shape. Checking every member on every read would
  // cost each rebuild for what the auditor checks once (event-data.ts, `audit verify`).
  return {
    type: stored.type,
    data: upcast(stored.type, stored.schemaVersion, stored.data),
    effectiveAt: stored.effectiveAt,
  } as Effective<DomainEvent>;
}
