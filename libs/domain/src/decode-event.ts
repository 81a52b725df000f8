/**
 * The one place a stored event becomes the domain's event union: its type known to this
 * build, its data upcast to the type's current shape (common/upcasters.ts). Everything
 * after it switches on `type` and trusts the data's types.
 */
import type { DomainEvent } from './commands';
import type { Effective } from './common/command';
import { EventType, assertUpcastable, isEventType, upcast } from './common/upcasters';

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
  const type = decodeType(stored.type, stored.schemaVersion);
  return new DecodedEvent(type, stored.schemaVersion, stored) as unknown as Effective<DomainEvent>;
}

/**
 * What decodeEvent checks of a stored event before its data: the type, known to this build,
 * and that data of its schema version can be upcast. For a reader that reads the data of
 * few events (the read model's rebuild), which then reads it through `decodeData`.
 */
export function decodeType(type: string, schemaVersion: number): EventType {
  if (!isEventType(type)) throw new UnknownEventTypeError(type);
  // The data is what a decider of this type wrote, in the shape of its schema version; the
  // upcasters bring it to the current shape. Checking every member on every read would
  // cost each rebuild for what the auditor checks once (event-data.ts, `audit verify`).
  // Whether it can be brought there is known from the version alone and fails here; the
  // data itself is read and upcast only by a reader that reads it (a read model that
  // counts an event's kind reads none of it).
  assertUpcastable(type, schemaVersion);
  return type;
}

/** The data of an event of the type. */
export type EventData<T extends EventType> = Extract<DomainEvent, { type: T }>['data'];

/** The stored data of an event of a type `decodeType` passed, in the type's current shape. */
export function decodeData<T extends EventType>(
  type: T,
  schemaVersion: number,
  data: Readonly<Record<string, unknown>>,
): EventData<T> {
  return upcast(type, schemaVersion, data) as unknown as EventData<T>;
}

/**
 * A decoded event whose data is upcast when first read. `data` is an own, enumerable property
 * (one accessor shared by every event, so that V8 keeps one shape for all) between `type` and
 * `effectiveAt`, and the rest is private: a spread or a deep comparison sees the plain
 * `{ type, data, effectiveAt }`.
 */
class DecodedEvent {
  declare readonly type: string;
  declare readonly data: Readonly<Record<string, unknown>>;
  declare readonly effectiveAt: Date;
  readonly #schemaVersion: number;
  readonly #stored: StoredEvent;
  #data: Readonly<Record<string, unknown>> | undefined;

  static readonly #dataProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: DecodedEvent): Readonly<Record<string, unknown>> {
      return (this.#data ??= upcast(this.type, this.#schemaVersion, this.#stored.data));
    },
  };

  constructor(type: string, schemaVersion: number, stored: StoredEvent) {
    this.#schemaVersion = schemaVersion;
    this.#stored = stored;
    this.type = type;
    Object.defineProperty(this, 'data', DecodedEvent.#dataProperty);
    this.effectiveAt = stored.effectiveAt;
  }
}
