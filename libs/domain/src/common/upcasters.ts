/**
 * Schema evolution: stored event data keeps the shape it was written in, with its
 * `schemaVersion`; readers (projections, deciders) decode it here into the current shape.
 * Stored bytes, and so the audit tree's leaves, never change.
 */
import type { DomainEvent } from '../commands';

export type EventType = DomainEvent['type'];
type Data = Readonly<Record<string, unknown>>;

/** The version of each event type's data shape that this build writes. */
export const CURRENT_SCHEMA_VERSIONS: Readonly<Record<EventType, number>> = {
  OrganizationRegistered: 1,
  CapabilityAssessed: 1,
  GroupFounded: 1,
  OrganizationJoinedGroup: 1,
  PositionChanged: 1,
  OrganizationLeftGroup: 1,
  GroupDissolved: 1,
  PartnershipFormed: 1,
  // 2: commitments (which party takes on which part of the work), [] when none.
  ArrangementAgreed: 2,
  PartnershipExtended: 1,
  PartnershipEnded: 1,
  InterventionRecorded: 1,
};

/** For each type, the step from version v to v + 1, keyed by v. */
const UPCASTERS: { readonly [Type in EventType]?: Readonly<Record<number, (data: Data) => Data>> } =
  {
    ArrangementAgreed: {
      1: (data) => ({ ...data, commitments: [] }),
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
  const steps = UPCASTERS[type];
  let current = data;
  for (let version = schemaVersion; version < CURRENT_SCHEMA_VERSIONS[type]; version++) {
    const step = steps?.[version];
    if (step === undefined) {
      throw new RangeError(`no upcaster for ${type} from schema version ${version}`);
    }
    current = step(current);
  }
  return current;
}
