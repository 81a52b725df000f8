import { parseStreamId } from '@partnerships/domain/commands';
import { assertNever } from '@partnerships/domain/common/command';
import type { EventType } from '@partnerships/domain/common/upcasters';
import { EventData, decodeData, decodeType } from '@partnerships/domain/decode-event';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { LogPage } from '@partnerships/event-store/log-page';
import {
  Float64Column,
  IdColumn,
  IdState,
  Int32Column,
  IntList,
  PositionColumn,
  PositionState,
} from './columns';
import { ExtensionState, ExtensionTable } from './extensions';
import { ListMaxima, noLists } from './list-maxima';
import { EntityColumnState, EntityColumns } from './entity-columns';
import { MembershipState, MembershipTable, openMembershipsOf, periodsIn } from './memberships';
import { RecordTape, decodeRecords, encodeRecords } from './record-tape';
import {
  GroupRecord,
  InterventionRecord,
  NO_INTERVENTIONS,
  OrganizationRecord,
  PartnershipRecord,
  StreamLog,
  StreamRecord,
} from './records';

type Target = NonNullable<ReturnType<typeof parseStreamId>>;

/**
 * A stream and what its id names (null: no entity of this version's); undefined until its
 * next event when read from a snapshot, which holds only the id (a start makes no object
 * per stream for it: 465k at 10M events).
 */
interface FollowedStream extends StreamLog {
  target: Target | null | undefined;
  /** The entity the stream created, once an event of it found it (kept: no lookup by id). */
  record: StreamRecord | undefined;
}

/**
 * The projection's whole state as a plain value that `v8.serialize` round-trips: the
 * columns as typed arrays, the streams and records as a tape of integers with a table of
 * their values (see record-tape.ts). The snapshot file writes every typed array of it as
 * raw bytes. It shares nothing with the live projection but immutable strings.
 */
export interface ProjectionState {
  readonly version: 9;
  readonly effective: Float64Array;
  readonly recorded: Float64Array;
  readonly positions: PositionState;
  readonly ids: IdState;
  readonly types: Map<string, Int32Array>;
  readonly latestEffectiveMs: number;
  readonly records: RecordTape;
  readonly memberships: MembershipState;
  readonly extensions: ExtensionState;
  readonly columns: EntityColumnState;
  readonly maxima: ListMaxima;
}

/**
 * The read model of the whole network, built by applying the global log in commit order.
 * It keeps no event: per event, its times, position, id and type in columns; per entity,
 * what the queries need. Histories and the log itself are read from the store, at the
 * positions kept here.
 */
export class NetworkProjection {
  readonly streams = new Map<string, FollowedStream>();
  readonly organizations = new Map<string, OrganizationRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly partnerships = new Map<string, PartnershipRecord>();
  /** Entities in the order they were first recorded. */
  readonly organizationOrder: OrganizationRecord[] = [];
  readonly groupOrder: GroupRecord[] = [];
  readonly partnershipOrder: PartnershipRecord[] = [];
  /** Every membership period, in the order they began (their join events' order in the log). */
  get memberships(): MembershipTable {
    return this.membershipTable;
  }

  /** The extensions of the partnerships' intended ends. */
  get extensions(): ExtensionTable {
    return this.extensionTable;
  }

  /** What a pass over every entity reads, as columns. */
  get columns(): EntityColumns {
    return this.entityColumns;
  }

  private effective = new Float64Column();
  private recorded = new Float64Column();
  private positions = new PositionColumn();
  private ids = new IdColumn();
  /** For each event type, the indexes of its events in the log. */
  private types = new Map<string, Int32Column>();
  private latestEffectiveMs = -Infinity;
  private membershipTable = new MembershipTable();
  private extensionTable = new ExtensionTable();
  private entityColumns = new EntityColumns();
  /** Short strings that repeat across events (positions, reasons), kept once. */
  private readonly interned = new Map<string, string>();
  /** The longest lists, kept as the records grow. */
  private maxima = noLists();
  /** What the names of the last page's table found, by their index in it. */
  private byName: ByName = { names: [], streams: [], types: [] };

  /** The longest list of each kind the records hold, kept as each event is applied. */
  listMaxima(): Readonly<ListMaxima> {
    return this.maxima;
  }

  /** Notes a list's new length. */
  private grew(list: keyof ListMaxima, length: number): void {
    const maxima = this.maxima;
    if (length > maxima[list]) maxima[list] = length;
  }

  /** The number of events applied: the length of the log as this projection knows it. */
  get length(): number {
    return this.effective.length;
  }

  /** The position of the last applied event: the checkpoint to follow the log from. */
  get checkpoint(): string | undefined {
    return this.length === 0 ? undefined : this.positions.at(this.length - 1);
  }

  /** The latest recording time and valid time of anything applied. */
  get horizon(): { recordedAt: number; effectiveAt: number } {
    return {
      recordedAt: this.length === 0 ? -Infinity : this.recorded.at(this.length - 1),
      effectiveAt: this.latestEffectiveMs,
    };
  }

  /** The valid time of the event at a log index, in milliseconds. */
  effectiveAt(seq: number): number {
    return this.effective.at(seq);
  }

  /** The transaction time of the event at a log index, in milliseconds. */
  recordedAt(seq: number): number {
    return this.recorded.at(seq);
  }

  /** The store's position of the event at a log index. */
  positionAt(seq: number): string {
    return this.positions.at(seq);
  }

  /** The log index of a position the store issued, or -1. */
  indexOfPosition(position: string): number {
    return this.positions.indexOf(position);
  }

  /** The id of the event at a log index. */
  eventIdAt(seq: number): string {
    return this.ids.at(seq);
  }

  /** The log index of the first event with this id, or undefined. */
  indexOfEventId(id: string): number | undefined {
    return this.ids.indexOf(id);
  }

  /** The log indexes of the events of a type, in order (a live column: do not keep it). */
  indexesOfType(type: string): { readonly length: number; at(index: number): number } {
    return this.types.get(type) ?? EMPTY;
  }

  exportState(): ProjectionState {
    const types = new Map<string, Int32Array>();
    for (const [type, seqs] of this.types) types.set(type, seqs.toArray());
    return {
      version: 9,
      effective: this.effective.toArray(),
      recorded: this.recorded.toArray(),
      positions: this.positions.state(),
      ids: this.ids.state(),
      types,
      latestEffectiveMs: this.latestEffectiveMs,
      records: encodeRecords(this),
      memberships: this.membershipTable.state(),
      extensions: this.extensionTable.state(),
      columns: this.entityColumns.state(),
      maxima: { ...this.maxima },
    };
  }

  static fromState(state: ProjectionState): NetworkProjection {
    const projection = new NetworkProjection();
    projection.effective = new Float64Column(state.effective);
    projection.recorded = new Float64Column(state.recorded);
    projection.positions = new PositionColumn(state.positions);
    projection.ids = new IdColumn(state.ids);
    for (const [type, seqs] of state.types) projection.types.set(type, new Int32Column(seqs));
    projection.latestEffectiveMs = state.latestEffectiveMs;
    projection.membershipTable = new MembershipTable(state.memberships);
    projection.extensionTable = new ExtensionTable(state.extensions);
    decodeRecords(state.records, projection, (value) => projection.intern(value));
    const columns = new EntityColumns(state.columns);
    if (
      columns.organizationSeqs.length !== projection.organizationOrder.length ||
      columns.groupSeqs.length !== projection.groupOrder.length ||
      columns.partnershipSeqs.length !== projection.partnershipOrder.length
    ) {
      throw new RangeError('the entity columns do not match the records');
    }
    projection.entityColumns = columns;
    projection.maxima = { ...state.maxima };
    return projection;
  }

  /** Applies one event read as an object. */
  apply(event: RecordedEvent): void {
    this.applyRow(LogPage.ofEvents([event]), 0);
  }

  /** Applies the event at a row of a page of the log, the next after those applied. */
  applyRow(page: LogPage, row: number): void {
    const seq = this.length;
    const effectiveMs = page.effectiveAt(row);
    this.effective.push(effectiveMs);
    this.recorded.push(page.recordedAt(row));
    this.positions.push(page.position(row));
    this.ids.pushRow(page, row);
    if (effectiveMs > this.latestEffectiveMs) this.latestEffectiveMs = effectiveMs;
    const byName = this.byNameOf(page.names);
    const typeRef = page.typeRef(row);
    let seqs = byName.types[typeRef];
    if (seqs === undefined) seqs = byName.types[typeRef] = this.seqsOfType(page.type(row));
    seqs.push(seq);
    const streamRef = page.streamRef(row);
    let stream = byName.streams[streamRef];
    if (stream === undefined)
      stream = byName.streams[streamRef] = this.streamOf(page.streamId(row));
    stream.seqs.push(seq);
    this.grew('history', stream.seqs.length);

    let target = stream.target;
    if (target === undefined) target = stream.target = parseStreamId(stream.streamId) ?? null;
    if (target === null) return;
    // Decoded after the event is in the log: an event this version cannot read stays in
    // the log and its stream's history, and the error says which it is.
    const type = decodeType(page.type(row), page.schemaVersion(row));
    const revision = page.revision(row);
    switch (type) {
      case 'OrganizationRegistered': {
        const data = dataAt(type, page, row);
        const organization: OrganizationRecord = {
          id: target.id,
          seq,
          order: this.organizationOrder.length,
          stream,
          interventions: NO_INTERVENTIONS,
          name: data.name,
          assessments: [],
          memberships: new IntList(),
          partnerships: [],
        };
        this.organizations.set(target.id, organization);
        stream.record = organization;
        this.organizationOrder.push(organization);
        this.entityColumns.organizationSeqs.push(seq);
        return;
      }
      case 'CapabilityAssessed': {
        const { ambition, realized, notes } = dataAt(type, page, row);
        const assessments = this.organizationOf(stream, target)?.assessments;
        if (assessments === undefined) return;
        assessments.push({ revision, ambition, realized, notes: notes ?? null });
        this.grew('assessments', assessments.length);
        return;
      }
      case 'GroupFounded': {
        const data = dataAt(type, page, row);
        const group: GroupRecord = {
          id: target.id,
          seq,
          order: this.groupOrder.length,
          stream,
          interventions: NO_INTERVENTIONS,
          name: data.name,
          purpose: data.purpose ?? null,
          dissolvedRevision: undefined,
          memberships: new IntList(),
          partnerships: [],
          openMemberships: undefined,
          membershipsOf: undefined,
        };
        this.groups.set(target.id, group);
        stream.record = group;
        this.groupOrder.push(group);
        this.entityColumns.groupSeqs.push(seq);
        return;
      }
      case 'OrganizationJoinedGroup': {
        const data = dataAt(type, page, row);
        const group = this.groupOf(stream, target);
        const organization = this.organizations.get(data.organizationId);
        if (group === undefined || organization === undefined) return;
        const table = this.membershipTable;
        // The group's indexes before its memberships grow: one built now must not count it twice.
        const open = openMembershipsOf(group, table);
        const periods = periodsIn(group, table);
        const membership = table.add(group.order, organization.order, revision, data.position);
        group.memberships.push(membership);
        open.set(organization.order, membership);
        pushTo(periods, organization.order, membership);
        organization.memberships.push(membership);
        this.grew('groupMemberships', group.memberships.length);
        this.grew('organizationMemberships', organization.memberships.length);
        return;
      }
      case 'PositionChanged': {
        const data = dataAt(type, page, row);
        const membership = this.openMembership(stream, target, data.organizationId);
        if (membership === undefined) return;
        this.membershipTable.move(membership, {
          revision,
          value: this.intern(data.position),
        });
        this.grew('moves', this.membershipTable.movesOf(membership)?.length ?? 0);
        return;
      }
      case 'OrganizationLeftGroup': {
        const data = dataAt(type, page, row);
        const group = this.groupOf(stream, target);
        const organization = this.organizations.get(data.organizationId);
        if (group === undefined || organization === undefined) return;
        const open = openMembershipsOf(group, this.membershipTable);
        const membership = open.get(organization.order);
        if (membership === undefined) return;
        this.membershipTable.end(membership, revision);
        open.delete(organization.order);
        return;
      }
      case 'GroupDissolved': {
        const group = this.groupOf(stream, target);
        if (group === undefined) return;
        group.dissolvedRevision = revision;
        const open = openMembershipsOf(group, this.membershipTable);
        for (const membership of open.values()) this.membershipTable.end(membership, revision);
        open.clear();
        return;
      }
      case 'PartnershipFormed': {
        const data = dataAt(type, page, row);
        const { groupId, partyIds } = data;
        const group = groupId === null ? null : (this.groups.get(groupId) ?? null);
        const parties = partyIds
          .map((id) => this.organizations.get(id))
          .filter((party): party is OrganizationRecord => party !== undefined);
        const partnership: PartnershipRecord = {
          id: target.id,
          seq,
          order: this.partnershipOrder.length,
          stream,
          interventions: NO_INTERVENTIONS,
          name: data.name,
          purpose: data.purpose ?? null,
          parties,
          group,
          intendedEnd: Date.parse(data.intendedEndAt),
          arrangements: new IntList(),
          endRevision: undefined,
          endReason: undefined,
        };
        this.partnerships.set(target.id, partnership);
        stream.record = partnership;
        this.partnershipOrder.push(partnership);
        this.entityColumns.partnershipFormed(seq, partnership.intendedEnd);
        this.grew('parties', parties.length);
        for (const party of parties) {
          party.partnerships.push(partnership);
          this.grew('organizationPartnerships', party.partnerships.length);
        }
        if (group !== null) {
          group.partnerships.push(partnership);
          this.grew('groupPartnerships', group.partnerships.length);
        }
        return;
      }
      case 'ArrangementAgreed': {
        const arrangements = this.partnershipOf(stream, target)?.arrangements;
        if (arrangements === undefined) return;
        arrangements.push(revision);
        this.grew('arrangements', arrangements.length);
        return;
      }
      case 'PartnershipExtended': {
        const data = dataAt(type, page, row);
        const partnership = this.partnershipOf(stream, target);
        if (partnership === undefined) return;
        const intendedEnd = Date.parse(data.intendedEndAt);
        this.extensionTable.extend(partnership.order, { revision, value: intendedEnd });
        this.entityColumns.partnershipExtended(partnership.order, seq, intendedEnd);
        return;
      }
      case 'PartnershipEnded': {
        const data = dataAt(type, page, row);
        const partnership = this.partnershipOf(stream, target);
        if (partnership !== undefined) {
          partnership.endRevision = revision;
          partnership.endReason = this.intern(data.reason);
          this.entityColumns.partnershipEnded(partnership.order, seq);
        }
        return;
      }
      case 'InterventionRecorded': {
        const { interventionId, title, aim } = dataAt(type, page, row);
        const record = this.entityOf(stream, target);
        if (record === undefined) return;
        record.interventions = withIntervention(record.interventions, {
          revision,
          id: interventionId,
          title,
          aim: aim ?? null,
        });
        this.grew('interventions', record.interventions.length);
        return;
      }
      default:
        return assertNever(type);
    }
  }

  /**
   * The streams and types found for a table of names, by index. A page of a table not seen
   * before starts them afresh (pages read ahead share one table; any other page has its
   * own), and they are filled as far as the table goes, so that V8 keeps them packed.
   */
  private byNameOf(names: readonly string[]): ByName {
    let byName = this.byName;
    if (byName.names !== names) byName = this.byName = { names, streams: [], types: [] };
    const { streams, types } = byName;
    while (streams.length < names.length) {
      streams.push(undefined);
      types.push(undefined);
    }
    return byName;
  }

  /** The log indexes of a type's events, made at its first event. */
  private seqsOfType(type: string): Int32Column {
    let seqs = this.types.get(type);
    if (seqs === undefined) {
      seqs = new Int32Column();
      this.types.set(type, seqs);
    }
    return seqs;
  }

  /** A stream by its id, made at its first event. */
  private streamOf(streamId: string): FollowedStream {
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      stream = {
        streamId,
        index: this.streams.size,
        seqs: new IntList(),
        target: parseStreamId(streamId) ?? null,
        record: undefined,
      };
      this.streams.set(streamId, stream);
    }
    return stream;
  }

  /** The open membership of an organisation, by its id, in the group a stream created. */
  private openMembership(
    stream: FollowedStream,
    target: Target,
    organizationId: string,
  ): number | undefined {
    const group = this.groupOf(stream, target);
    const organization = this.organizations.get(organizationId);
    if (group === undefined || organization === undefined) return undefined;
    return openMembershipsOf(group, this.membershipTable).get(organization.order);
  }

  /** The entity a stream created (found by its id once, then kept on the stream). */
  private entityOf(stream: FollowedStream, target: Target): StreamRecord | undefined {
    return (stream.record ??= this.recordOf(target));
  }

  private organizationOf(stream: FollowedStream, target: Target): OrganizationRecord | undefined {
    return target.category === 'organization'
      ? (this.entityOf(stream, target) as OrganizationRecord | undefined)
      : undefined;
  }

  private groupOf(stream: FollowedStream, target: Target): GroupRecord | undefined {
    return target.category === 'group'
      ? (this.entityOf(stream, target) as GroupRecord | undefined)
      : undefined;
  }

  private partnershipOf(stream: FollowedStream, target: Target): PartnershipRecord | undefined {
    return target.category === 'partnership'
      ? (this.entityOf(stream, target) as PartnershipRecord | undefined)
      : undefined;
  }

  /** The one copy of a short string that many events repeat. */
  private intern<T extends string>(value: T): T {
    const known = this.interned.get(value);
    if (known !== undefined) return known as T;
    this.interned.set(value, value);
    return value;
  }

  private recordOf(target: Target): StreamRecord | undefined {
    switch (target.category) {
      case 'organization':
        return this.organizations.get(target.id);
      case 'group':
        return this.groups.get(target.id);
      case 'partnership':
        return this.partnerships.get(target.id);
      default:
        return assertNever(target.category);
    }
  }
}

const EMPTY = { length: 0, at: (): number => NaN };

/** See `byNameOf`. */
interface ByName {
  readonly names: readonly string[];
  readonly streams: (FollowedStream | undefined)[];
  readonly types: (Int32Column | undefined)[];
}

/** What every entity keeps of the stream that created it. */
/** The data of the event at a row of a page, of a type `decodeType` passed. */
function dataAt<T extends EventType>(type: T, page: LogPage, row: number): EventData<T> {
  return decodeData(type, page.schemaVersion(row), page.data(row));
}

/** What every entity keeps of the stream that created it. */
/** A record's interventions with one more: a list of its own only from the first. */
function withIntervention(
  interventions: InterventionRecord[],
  intervention: InterventionRecord,
): InterventionRecord[] {
  if (interventions === NO_INTERVENTIONS) return [intervention];
  interventions.push(intervention);
  return interventions;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  list.push(value);
  return list;
}
