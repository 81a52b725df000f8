/**
 * Schema evolution: stored event data keeps the shape it was written in, with its
 * `schemaVersion`; readers (projections, deciders) decode it here into the current shape.
 * Stored bytes, and so the audit tree's leaves, never change.
 */
import type { DomainEvent } from '../commands';
import { EVENT_TYPES } from '../event-data';

export type EventType = DomainEvent['type'];
type Data = Readonly<Record<string, unknown>>;

/**
 * The version of each event type's data shape that this build writes: the newest version
 * event-data.ts has a check for, so that adding an event type or a version is one row there.
 */
export const CURRENT_SCHEMA_VERSIONS = Object.fromEntries(
  Object.entries(EVENT_TYPES).map(([type, row]) => [
    type,
    Math.max(...Object.keys(row.versions).map(Number)),
  ]),
) as Readonly<Record<EventType, number>>;

/** For each type, the step from version v to v + 1, keyed by v. */
const UPCASTERS: { readonly [Type in EventType]?: Readonly<Record<number, (data: Data) => Data>> } =
  {
    ArrangementAgreed: {
      1: (data) => Object.assign({}, data, { commitments: [] }),
    },
  };

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(CURRENT_SCHEMA_VERSIONS, type);
}

/** The version this build writes for `type`; 1 for a type it does not know. */
export function currentSchemaVersion(type: string): number {
  return isEventType(type) ? CURRENT_SCHEMA_VERSIONS[type] : 1;
}

/**
 * The data of a stored event in its type's current shape. Data already current, of a
 * newer version than this build knows, or of an unknown type is returned as it is.
 */
export function upcast(type: string, schemaVersion: number, data: Data): Data {
  if (!isEventType(type)) return data;
  let current = data;
  for (const step of upcastSteps(type, schemaVersion)) current = step(current);
  return current;
}

/**
 * Throws what `upcast` would for data of this type and version, without the data: whether
 * it can be brought to the current shape does not depend on it.
 */
export function assertUpcastable(type: EventType, schemaVersion: number): void {
  upcastSteps(type, schemaVersion);
}

const NO_STEPS: readonly ((data: Data) => Data)[] = [];

function upcastSteps(type: EventType, schemaVersion: number): readonly ((data: Data) => Data)[] {
  const current = CURRENT_SCHEMA_VERSIONS[type];
  if (schemaVersion >= current) return NO_STEPS;
  const steps: ((data: Data) => Data)[] = [];
  for (let version = schemaVersion; version < current; version++) {
    const step = UPCASTERS[type]?.[version];
    if (step === undefined) {
      throw new RangeError(`no upcaster for ${type} from schema version ${version}`);
    }
    steps.push(step);
  }
  return steps;
}
