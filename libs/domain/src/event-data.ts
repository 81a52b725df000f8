/**
 * What stored event data may look like: one row per event type, one check per schema
 * version it was ever written in; the newest is the version this build writes. An
 * auditor's `verify` uses it; adding an event type is one row (the compiler asks for it),
 * adding a version is one entry here and its upcaster (common/upcasters.ts).
 */
import type { EventType } from './common/upcasters';
import { ID_PATTERN } from './common/input';
import { POSITIONS } from './group/group';
import { END_REASONS } from './partnership/partnership';

type Check = (value: unknown) => boolean;
/** Undefined when the data is valid, else what is wrong with it. */
export type DataCheck = (data: unknown) => string | undefined;

export interface EventTypeRow {
  /** The kinds of stream the type may be recorded in. */
  readonly categories: readonly ('organization' | 'group' | 'partnership')[];
  readonly versions: Readonly<Record<number, DataCheck>>;
}

const id: Check = (value) => typeof value === 'string' && ID_PATTERN.test(value);
const text: Check = (value) => typeof value === 'string' && value.trim() !== '';
const optionalText: Check = (value) => value === null || typeof value === 'string';
const date: Check = (value) =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}T/.test(value) &&
  !Number.isNaN(Date.parse(value));
const optionalDate: Check = (value) => value === null || date(value);
const oneOf =
  (values: readonly string[]): Check =>
  (value) =>
    typeof value === 'string' && values.includes(value);
const score: Check = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5;
const listOf =
  (item: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(item);
const nullOr =
  (check: Check): Check =>
  (value) =>
    value === null || check(value);

/** An object with exactly these members, each passing its check. */
function shape(members: Readonly<Record<string, Check>>): DataCheck {
  const names = Object.keys(members);
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'is not an object';
    for (const name of names) {
      if (!Object.prototype.hasOwnProperty.call(data, name)) return `lacks ${name}`;
      if (!members[name]((data as Record<string, unknown>)[name])) return `has an invalid ${name}`;
    }
    // Every member named is an own member: another one is there only if there are more.
    const own = Object.keys(data);
    if (own.length === names.length) return undefined;
    const extra = own.find((name) => !(name in members));
    return extra === undefined ? undefined : `has an unexpected member ${extra}`;
  };
}
const commitmentShape = shape({ organizationId: id, commitment: text });
const commitment: Check = (value) => commitmentShape(value) === undefined;

const arrangementV1 = {
  partnershipId: id,
  arrangementId: id,
  title: text,
  terms: text,
  validUntil: optionalDate,
};

export const EVENT_TYPES: Readonly<Record<EventType, EventTypeRow>> = {
  OrganizationRegistered: {
    categories: ['organization'],
    versions: { 1: shape({ organizationId: id, name: text }) },
  },
  CapabilityAssessed: {
    categories: ['organization'],
    versions: {
      1: shape({ organizationId: id, ambition: score, realized: score, notes: optionalText }),
    },
  },
  GroupFounded: {
    categories: ['group'],
    versions: { 1: shape({ groupId: id, name: text, purpose: optionalText }) },
  },
  OrganizationJoinedGroup: {
    categories: ['group'],
    versions: { 1: shape({ groupId: id, organizationId: id, position: oneOf(POSITIONS) }) },
  },
  PositionChanged: {
    categories: ['group'],
    versions: {
      1: shape({
        groupId: id,
        organizationId: id,
        position: oneOf(POSITIONS),
        previousPosition: oneOf(POSITIONS),
        reason: optionalText,
      }),
    },
  },
  OrganizationLeftGroup: {
    categories: ['group'],
    versions: { 1: shape({ groupId: id, organizationId: id, reason: optionalText }) },
  },
  GroupDissolved: {
    categories: ['group'],
    versions: { 1: shape({ groupId: id, reason: optionalText }) },
  },
  PartnershipFormed: {
    categories: ['partnership'],
    versions: {
      1: shape({
        partnershipId: id,
        name: text,
        purpose: optionalText,
        partyIds: listOf(id),
        groupId: nullOr(id),
        intendedEndAt: date,
      }),
    },
  },
  ArrangementAgreed: {
    categories: ['partnership'],
    versions: {
      1: shape(arrangementV1),
      // 2: commitments (which party takes on which part of the work), [] when none.
      2: shape(Object.assign({}, arrangementV1, { commitments: listOf(commitment) })),
    },
  },
  PartnershipExtended: {
    categories: ['partnership'],
    versions: {
      1: shape({ partnershipId: id, intendedEndAt: date, previousIntendedEndAt: date }),
    },
  },
  PartnershipEnded: {
    categories: ['partnership'],
    versions: {
      1: shape({ partnershipId: id, reason: oneOf(END_REASONS), note: optionalText }),
    },
  },
  InterventionRecorded: {
    categories: ['organization', 'group', 'partnership'],
    versions: {
      1: shape({
        interventionId: id,
        organizationId: nullOr(id),
        groupId: nullOr(id),
        partnershipId: nullOr(id),
        title: text,
        aim: optionalText,
      }),
    },
  },
};

/** Undefined when `data` is valid for the type and version, else what is wrong. */
export function checkEventData(
  type: string,
  schemaVersion: number,
  data: unknown,
): string | undefined {
  const row = Object.prototype.hasOwnProperty.call(EVENT_TYPES, type)
    ? EVENT_TYPES[type as EventType]
    : undefined;
  if (row === undefined) return `the event type ${type} is unknown`;
  const check = row.versions[schemaVersion];
  if (check === undefined) return `${type} has no schema version ${schemaVersion}`;
  const problem = check(data);
  return problem === undefined ? undefined : `${type} v${schemaVersion} data ${problem}`;
}
