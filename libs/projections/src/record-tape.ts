/**
 * The projection's streams and records as one tape of integers and a table of the values
 * they hold, for its snapshot. A snapshot of a million events holds about a million of
 * these small objects; as an object graph, v8's deserializer built them once and
 * `fromState` a second time, and the graph's arrays of numbers cost a tag and a varint
 * each. The tape is a single Int32Array (written to the file as it is) that `decodeRecords`
 * reads straight into the records, once. Each distinct value (a name, an id, a position,
 * a score) is kept once in the table, as a rebuild shares the strings it interns.
 *
 * Links between records are indexes (into the streams, organisations and groups in their
 * order), never references: the tape is flat however the records link.
 */
import type { EndReason } from '@partnerships/domain/partnership/partnership';
import {
  CapabilityRecord,
  GroupRecord,
  InterventionRecord,
  NO_INTERVENTIONS,
  OrganizationRecord,
  PartnershipRecord,
  StreamRecord,
  StreamLog,
} from './records';
import { Int32Column, IntList } from './columns';
import type { MembershipTable } from './memberships';

/** The tape and its values; v8.serialize round-trips it (the snapshot file writes the tape raw). */
export interface RecordTape {
  readonly ints: Int32Array;
  /** Each distinct value of the records once; the tape names them by index. */
  readonly values: unknown[];
  /**
   * Every stream's log indexes and every partnership's arrangement revisions, one list
   * after the other (the tape gives each list's length): the decoded lists read them here,
   * without a copy.
   */
  readonly lists: Int32Array;
}

/**
 * What the tape holds: the projection's streams and entities, in their orders (their
 * memberships are the MembershipTable's, which the snapshot holds as columns).
 */
export interface TapedRecords<S extends StreamLog> {
  readonly streams: Map<string, S>;
  readonly organizationOrder: readonly OrganizationRecord[];
  readonly groupOrder: readonly GroupRecord[];
  readonly partnershipOrder: readonly PartnershipRecord[];
}

/**
 * A stream as the projection keeps it: what its id names is read from the id at its next
 * event (undefined until then), as is the entity it created, so the tape holds only the id.
 */
interface Targeted extends StreamLog {
  target: unknown;
  record: unknown;
}

/** Marks an absent revision or group: every real one is 0 or more. */
const NONE = -1;

class TapeWriter {
  private readonly ints = new Int32Column();
  private readonly lists = new Int32Column();
  private readonly values: unknown[] = [];
  private readonly indexes = new Map<unknown, number>();

  int(value: number): void {
    this.ints.push(storable(value, NONE));
  }

  optional(value: number | undefined): void {
    this.int(value ?? NONE);
  }

  value(value: unknown): void {
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indexes.set(value, index);
    }
    this.int(index);
  }

  /** A list of integers: its length on the tape, its items in `lists`. */
  list(items: IntList): void {
    this.int(items.length);
    for (let index = 0; index < items.length; index++) {
      this.lists.push(storable(items.at(index), 0));
    }
  }

  tape(): RecordTape {
    return { ints: this.ints.toArray(), values: this.values, lists: this.lists.toArray() };
  }
}

/** `value`, if it is an integer a tape holds (from `least` on); else a RangeError. */
function storable(value: number, least: number): number {
  if ((value | 0) !== value || value < least) {
    throw new RangeError(`${value} is not an index or revision a snapshot can hold`);
  }
  return value;
}

/** The records of a projection as a tape; it shares nothing with them. */
export function encodeRecords(records: TapedRecords<Targeted>): RecordTape {
  const tape = new TapeWriter();
  tape.int(records.streams.size);
  for (const stream of records.streams.values()) {
    tape.value(stream.streamId);
    tape.list(stream.seqs);
  }
  const writeStream = (stream: StreamLog): void => tape.int(stream.index);
  const writeInterventions = (interventions: readonly InterventionRecord[]): void => {
    tape.int(interventions.length);
    for (const { revision, id, title, aim } of interventions) {
      tape.int(revision);
      tape.value(id);
      tape.value(title);
      tape.value(aim);
    }
  };
  /** What every entity's record begins with, as `decodeRecords` reads it back. */
  const writeRecordStart = (record: StreamRecord): void => {
    tape.value(record.id);
    tape.int(record.seq);
    writeStream(record.stream);
    writeInterventions(record.interventions);
  };

  tape.int(records.organizationOrder.length);
  for (const organization of records.organizationOrder) {
    writeRecordStart(organization);
    tape.value(organization.name);
    tape.int(organization.assessments.length);
    for (const { revision, ambition, realized, notes } of organization.assessments) {
      tape.int(revision);
      tape.value(ambition);
      tape.value(realized);
      tape.value(notes);
    }
  }

  tape.int(records.groupOrder.length);
  for (const group of records.groupOrder) {
    writeRecordStart(group);
    tape.value(group.name);
    tape.value(group.purpose);
    tape.optional(group.dissolvedRevision);
  }

  tape.int(records.partnershipOrder.length);
  for (const partnership of records.partnershipOrder) {
    writeRecordStart(partnership);
    tape.value(partnership.name);
    tape.value(partnership.purpose);
    tape.int(partnership.parties.length);
    for (const party of partnership.parties) tape.int(party.order);
    tape.int(partnership.group === null ? NONE : partnership.group.order);
    tape.value(partnership.intendedEnd);
    tape.list(partnership.arrangements);
    tape.optional(partnership.endRevision);
    if (partnership.endRevision !== undefined) tape.value(partnership.endReason);
  }
  return tape.tape();
}

/**
 * Reads a tape back into empty maps and lists, building each record as `apply` does (the
 * same properties in the same order); each organisation's and group's memberships are
 * those of `into.memberships`. `intern` is the projection's: the reasons it later applies
 * share the strings read here.
 */
export function decodeRecords<S extends Targeted>(
  { ints, values, lists }: RecordTape,
  into: TapedRecords<S> & {
    readonly organizations: Map<string, OrganizationRecord>;
    readonly groups: Map<string, GroupRecord>;
    readonly partnerships: Map<string, PartnershipRecord>;
    readonly organizationOrder: OrganizationRecord[];
    readonly groupOrder: GroupRecord[];
    readonly partnershipOrder: PartnershipRecord[];
    readonly memberships: MembershipTable;
  },
  intern: <T extends string>(value: T) => T,
): void {
  let at = 0;
  const int = (): number => {
    if (at >= ints.length) throw new RangeError('the record tape ends early');
    return ints[at++]!;
  };
  const optional = (): number | undefined => {
    const value = int();
    return value === NONE ? undefined : value;
  };
  const valueAt = <T>(index: number): T => {
    if (index >= values.length || index < 0) throw new RangeError('the record tape names no value');
    return values[index] as T;
  };
  const value = <T>(): T => valueAt(int());
  const list = <T>(read: () => T): T[] => {
    const count = int();
    const items = new Array<T>(count);
    for (let index = 0; index < count; index++) items[index] = read();
    return items;
  };
  /** A record's interventions: the shared empty list when there are none. */
  const interventions = (): InterventionRecord[] =>
    ints[at] === 0 ? (at++, NO_INTERVENTIONS) : list(intervention);

  /** A list of integers as `TapeWriter.list` wrote it, read where it lies in `lists`. */
  let listsAt = 0;
  const intList = (): IntList => {
    const length = int();
    if (length < 0 || listsAt + length > lists.length) {
      throw new RangeError('the record tape names integers its lists lack');
    }
    const items = new IntList(lists, listsAt, length);
    listsAt += length;
    return items;
  };

  const streams: S[] = [];
  for (let count = int(); streams.length < count;) {
    const streamId = value<string>();
    const seqs = intList();
    const stream = {
      streamId,
      index: streams.length,
      seqs,
      target: undefined,
      record: undefined,
    } as S;
    streams.push(stream);
    into.streams.set(streamId, stream);
  }
  const stream = (): S => {
    const found = streams[int()];
    if (found === undefined) throw new RangeError('the record tape names no stream');
    return found;
  };
  const intervention = (): InterventionRecord => ({
    revision: int(),
    id: value(),
    title: value(),
    aim: value(),
  });
  const assessment = (): CapabilityRecord => ({
    revision: int(),
    ambition: value(),
    realized: value(),
    notes: value(),
  });

  const organizationCount = int();
  const membershipsOfOrganizations = into.memberships.listsBy('organization', organizationCount);
  while (into.organizationOrder.length < organizationCount) {
    const order = into.organizationOrder.length;
    const organization: OrganizationRecord = {
      id: value(),
      seq: int(),
      order,
      stream: stream(),
      interventions: interventions(),
      name: value(),
      assessments: list(assessment),
      memberships: membershipsOfOrganizations[order]!,
      partnerships: [],
    };
    into.organizations.set(organization.id, organization);
    into.organizationOrder.push(organization);
  }
  const organization = (): OrganizationRecord => {
    const found = into.organizationOrder[int()];
    if (found === undefined) throw new RangeError('the record tape names no organisation');
    return found;
  };

  const groupCount = int();
  const membershipsOfGroups = into.memberships.listsBy('group', groupCount);
  while (into.groupOrder.length < groupCount) {
    const order = into.groupOrder.length;
    const group: GroupRecord = {
      id: value(),
      seq: int(),
      order,
      stream: stream(),
      interventions: interventions(),
      name: value(),
      purpose: value(),
      dissolvedRevision: optional(),
      memberships: membershipsOfGroups[order]!,
      partnerships: [],
      openMemberships: undefined,
      membershipsOf: undefined,
    };
    into.groups.set(group.id, group);
    into.groupOrder.push(group);
  }
  const group = (index: number): GroupRecord => {
    const found = into.groupOrder[index];
    if (found === undefined) throw new RangeError('the record tape names no group');
    return found;
  };

  for (let count = int(); into.partnershipOrder.length < count;) {
    const id = value<string>();
    const seq = int();
    let endRevision: number | undefined;
    const partnership: PartnershipRecord = {
      id,
      seq,
      order: into.partnershipOrder.length,
      stream: stream(),
      interventions: interventions(),
      name: value(),
      purpose: value(),
      parties: list(organization),
      group: ((index) => (index === NONE ? null : group(index)))(int()),
      intendedEnd: value(),
      arrangements: intList(),
      // In the tape's order: the reason follows the revision when there is one.
      endRevision: (endRevision = optional()),
      endReason: endRevision === undefined ? undefined : intern(value<EndReason>()),
    };
    into.partnerships.set(id, partnership);
    into.partnershipOrder.push(partnership);
    for (const party of partnership.parties) party.partnerships.push(partnership);
    partnership.group?.partnerships.push(partnership);
  }
  if (at !== ints.length || listsAt !== lists.length) {
    throw new RangeError('the record tape holds more than its records');
  }
}
