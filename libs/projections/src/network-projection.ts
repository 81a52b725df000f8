import { parseStreamId } from '@partnerships/domain/commands';
import { assertNever } from '@partnerships/domain/common/command';
import { decodeEvent } from '@partnerships/domain/decode-event';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import {
  GroupRecord,
  MembershipRecord,
  OrganizationRecord,
  PartnershipRecord,
  StreamRecord,
} from './records';

type StreamTarget = ReturnType<typeof parseStreamId> | null;

/**
 * Everything a projection holds, as one plain value that `v8.serialize` round-trips (a
 * snapshot of the read model). Outside this module it is opaque: only
 * {@link NetworkProjection.fromState} reads it.
 *
 * Records point at each other by index here (memberships, parties, groups), not by
 * reference: the serializer walks references depth-first, and the chain organisation ->
 * membership -> group -> membership -> organisation ... would overflow its stack. Events
 * are shared by reference (a record's events are its stream's array), which v8 keeps.
 */
export interface ProjectionState {
  readonly log: RecordedEvent[];
  readonly streams: Map<string, RecordedEvent[]>;
  readonly typeIndex: Map<string, number[]>;
  readonly latestEffectiveMs: number;
  readonly targets: Map<string, StreamTarget>;
  /** In the order first recorded. */
  readonly organizations: OrganizationRow[];
  readonly groups: GroupRow[];
  readonly partnerships: PartnershipRow[];
  readonly memberships: MembershipRow[];
}

type Base = Pick<StreamRecord, 'id' | 'seq' | 'events' | 'interventions'>;

interface OrganizationRow extends Base {
  readonly name: string;
  readonly assessments: OrganizationRecord['assessments'];
  readonly memberships: number[];
  readonly partnerships: number[];
}

interface GroupRow extends Base {
  readonly name: string;
  readonly purpose: string | null;
  readonly dissolvedRevision: number | undefined;
  readonly memberships: number[];
  readonly partnerships: number[];
  readonly openMemberships: [string, number][];
  readonly membershipsOf: [number, number[]][];
}

interface PartnershipRow extends Base {
  readonly name: string;
  readonly purpose: string | null;
  readonly parties: number[];
  /** -1: none. */
  readonly group: number;
  readonly intendedEnds: PartnershipRecord['intendedEnds'];
  readonly arrangements: PartnershipRecord['arrangements'];
  readonly ending: PartnershipRecord['ending'];
}

interface MembershipRow {
  readonly group: number;
  readonly organization: number;
  readonly joinRevision: number;
  readonly positions: MembershipRecord['positions'];
  readonly endRevision: number | undefined;
}

/**
 * The read model of the whole network, built by applying the global log in commit order.
 * It holds every event once; the records below point into it.
 */
export class NetworkProjection {
  /** The global log, in commit order. */
  readonly log: RecordedEvent[] = [];
  readonly streams = new Map<string, RecordedEvent[]>();
  readonly organizations = new Map<string, OrganizationRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly partnerships = new Map<string, PartnershipRecord>();
  /** Entities in the order they were first recorded. */
  readonly organizationOrder: OrganizationRecord[] = [];
  readonly groupOrder: GroupRecord[] = [];
  readonly partnershipOrder: PartnershipRecord[] = [];
  /** For each event type, the indexes of its events in the log. */
  readonly typeIndex = new Map<string, number[]>();

  private latestEffectiveMs = -Infinity;
  /** What each stream id names, parsed once per stream. */
  private readonly targets = new Map<string, StreamTarget>();

  /** A projection that goes on from `state` (taken by {@link exportState}), which it takes over. */
  static fromState(state: ProjectionState): NetworkProjection {
    const projection = new NetworkProjection();
    // Arrays of a million are assigned, not spread (spreading overflows the stack).
    Object.assign(projection, {
      log: state.log,
      streams: state.streams,
      typeIndex: state.typeIndex,
      targets: state.targets,
      latestEffectiveMs: state.latestEffectiveMs,
    });
    const organizations = state.organizations.map((row): OrganizationRecord => ({
      ...row,
      memberships: [],
      partnerships: [],
    }));
    const groups = state.groups.map((row): GroupRecord => ({
      ...row,
      memberships: [],
      partnerships: [],
      openMemberships: new Map(),
      membershipsOf: new Map(),
    }));
    const memberships = state.memberships.map((row): MembershipRecord => ({
      ...row,
      group: groups[row.group]!,
      organization: organizations[row.organization]!,
    }));
    const partnerships = state.partnerships.map((row): PartnershipRecord => ({
      ...row,
      parties: row.parties.map((index) => organizations[index]!),
      group: row.group === -1 ? null : groups[row.group]!,
    }));
    state.organizations.forEach((row, index) => {
      const record = organizations[index]!;
      for (const m of row.memberships) record.memberships.push(memberships[m]!);
      for (const p of row.partnerships) record.partnerships.push(partnerships[p]!);
      projection.organizations.set(record.id, record);
      projection.organizationOrder.push(record);
    });
    state.groups.forEach((row, index) => {
      const record = groups[index]!;
      for (const m of row.memberships) record.memberships.push(memberships[m]!);
      for (const p of row.partnerships) record.partnerships.push(partnerships[p]!);
      for (const [id, m] of row.openMemberships) record.openMemberships.set(id, memberships[m]!);
      for (const [o, list] of row.membershipsOf) {
        record.membershipsOf.set(
          organizations[o]!,
          list.map((m) => memberships[m]!),
        );
      }
      projection.groups.set(record.id, record);
      projection.groupOrder.push(record);
    });
    for (const record of partnerships) {
      projection.partnerships.set(record.id, record);
      projection.partnershipOrder.push(record);
    }
    return projection;
  }

  /**
   * The projection's state as it stands, checkpoint included. It shares the live events and
   * revision lists: serialise it before the next event is applied.
   */
  exportState(): ProjectionState {
    const organizationIndex = indexes(this.organizationOrder);
    const groupIndex = indexes(this.groupOrder);
    const partnershipIndex = indexes(this.partnershipOrder);
    const membershipIndex = new Map<MembershipRecord, number>();
    const memberships: MembershipRow[] = [];
    for (const group of this.groupOrder) {
      for (const membership of group.memberships) {
        membershipIndex.set(membership, memberships.length);
        memberships.push({
          group: groupIndex.get(membership.group)!,
          organization: organizationIndex.get(membership.organization)!,
          joinRevision: membership.joinRevision,
          positions: membership.positions,
          endRevision: membership.endRevision,
        });
      }
    }
    const base = (record: StreamRecord): Base => ({
      id: record.id,
      seq: record.seq,
      events: record.events,
      interventions: record.interventions,
    });
    return {
      log: this.log,
      streams: this.streams,
      typeIndex: this.typeIndex,
      latestEffectiveMs: this.latestEffectiveMs,
      targets: this.targets,
      organizations: this.organizationOrder.map((record) => ({
        ...base(record),
        name: record.name,
        assessments: record.assessments,
        memberships: record.memberships.map((m) => membershipIndex.get(m)!),
        partnerships: record.partnerships.map((p) => partnershipIndex.get(p)!),
      })),
      groups: this.groupOrder.map((record) => ({
        ...base(record),
        name: record.name,
        purpose: record.purpose,
        dissolvedRevision: record.dissolvedRevision,
        memberships: record.memberships.map((m) => membershipIndex.get(m)!),
        partnerships: record.partnerships.map((p) => partnershipIndex.get(p)!),
        openMemberships: [...record.openMemberships].map(([id, m]): [string, number] => [
          id,
          membershipIndex.get(m)!,
        ]),
        membershipsOf: [...record.membershipsOf].map(([organization, list]): [number, number[]] => [
          organizationIndex.get(organization)!,
          list.map((m) => membershipIndex.get(m)!),
        ]),
      })),
      partnerships: this.partnershipOrder.map((record) => ({
        ...base(record),
        name: record.name,
        purpose: record.purpose,
        parties: record.parties.map((party) => organizationIndex.get(party)!),
        group: record.group === null ? -1 : groupIndex.get(record.group)!,
        intendedEnds: record.intendedEnds,
        arrangements: record.arrangements,
        ending: record.ending,
      })),
      memberships,
    };
  }

  /** The position of the last applied event: the checkpoint to follow the log from. */
  get checkpoint(): string | undefined {
    return this.log.at(-1)?.position;
  }

  /** The latest recording time and valid time of anything applied. */
  get horizon(): { recordedAt: number; effectiveAt: number } {
    return {
      recordedAt: this.log.at(-1)?.recordedAt.getTime() ?? -Infinity,
      effectiveAt: this.latestEffectiveMs,
    };
  }

  apply(event: RecordedEvent): void {
    const seq = this.log.length;
    this.log.push(event);
    const effectiveMs = event.effectiveAt.getTime();
    if (effectiveMs > this.latestEffectiveMs) this.latestEffectiveMs = effectiveMs;
    pushTo(this.typeIndex, event.type, seq);
    let stream = this.streams.get(event.streamId);
    if (stream === undefined) {
      stream = [];
      this.streams.set(event.streamId, stream);
      this.targets.set(event.streamId, parseStreamId(event.streamId) ?? null);
    }
    stream.push(event);

    const target = this.targets.get(event.streamId);
    if (target == null) return;
    // Decoded after the event is in the log: an event this version cannot read stays in
    // the log and its stream's history, and the error says which it is.
    const decoded = decodeEvent(event);
    // Only the events that create an entity need its stream record.
    const base = (): StreamRecord => ({ id: target.id, seq, events: stream, interventions: [] });
    switch (decoded.type) {
      case 'OrganizationRegistered': {
        const organization: OrganizationRecord = {
          ...base(),
          name: decoded.data.name,
          assessments: [],
          memberships: [],
          partnerships: [],
        };
        this.organizations.set(target.id, organization);
        this.organizationOrder.push(organization);
        return;
      }
      case 'CapabilityAssessed': {
        const { ambition, realized, notes } = decoded.data;
        this.organizations.get(target.id)?.assessments.push({
          revision: event.revision,
          value: { ambition, realized, notes: notes ?? null },
        });
        return;
      }
      case 'GroupFounded': {
        const group: GroupRecord = {
          ...base(),
          name: decoded.data.name,
          purpose: decoded.data.purpose ?? null,
          dissolvedRevision: undefined,
          memberships: [],
          partnerships: [],
          openMemberships: new Map(),
          membershipsOf: new Map(),
        };
        this.groups.set(target.id, group);
        this.groupOrder.push(group);
        return;
      }
      case 'OrganizationJoinedGroup': {
        const group = this.groups.get(target.id);
        const organization = this.organizations.get(decoded.data.organizationId);
        if (group === undefined || organization === undefined) return;
        const membership: MembershipRecord = {
          group,
          organization,
          joinRevision: event.revision,
          positions: [{ revision: event.revision, value: decoded.data.position }],
          endRevision: undefined,
        };
        group.memberships.push(membership);
        group.openMemberships.set(organization.id, membership);
        pushTo(group.membershipsOf, organization, membership);
        organization.memberships.push(membership);
        return;
      }
      case 'PositionChanged':
        this.groups
          .get(target.id)
          ?.openMemberships.get(decoded.data.organizationId)
          ?.positions.push({ revision: event.revision, value: decoded.data.position });
        return;
      case 'OrganizationLeftGroup': {
        const group = this.groups.get(target.id);
        const membership = group?.openMemberships.get(decoded.data.organizationId);
        if (group === undefined || membership === undefined) return;
        membership.endRevision = event.revision;
        group.openMemberships.delete(membership.organization.id);
        return;
      }
      case 'GroupDissolved': {
        const group = this.groups.get(target.id);
        if (group === undefined) return;
        group.dissolvedRevision = event.revision;
        for (const membership of group.openMemberships.values()) {
          membership.endRevision = event.revision;
        }
        group.openMemberships.clear();
        return;
      }
      case 'PartnershipFormed': {
        const { groupId, partyIds } = decoded.data;
        const group = groupId === null ? null : (this.groups.get(groupId) ?? null);
        const parties = partyIds
          .map((id) => this.organizations.get(id))
          .filter((party): party is OrganizationRecord => party !== undefined);
        const partnership: PartnershipRecord = {
          ...base(),
          name: decoded.data.name,
          purpose: decoded.data.purpose ?? null,
          parties,
          group,
          intendedEnds: [{ revision: event.revision, value: new Date(decoded.data.intendedEndAt) }],
          arrangements: [],
          ending: undefined,
        };
        this.partnerships.set(target.id, partnership);
        this.partnershipOrder.push(partnership);
        for (const party of parties) party.partnerships.push(partnership);
        group?.partnerships.push(partnership);
        return;
      }
      case 'ArrangementAgreed': {
        const { arrangementId, title, terms, validUntil, commitments } = decoded.data;
        this.partnerships.get(target.id)?.arrangements.push({
          revision: event.revision,
          value: {
            id: arrangementId,
            title,
            terms,
            validUntil: validUntil == null ? null : new Date(validUntil),
            commitments,
          },
        });
        return;
      }
      case 'PartnershipExtended':
        this.partnerships.get(target.id)?.intendedEnds.push({
          revision: event.revision,
          value: new Date(decoded.data.intendedEndAt),
        });
        return;
      case 'PartnershipEnded': {
        const partnership = this.partnerships.get(target.id);
        if (partnership !== undefined) {
          partnership.ending = { revision: event.revision, value: { reason: decoded.data.reason } };
        }
        return;
      }
      case 'InterventionRecorded': {
        const { interventionId, title, aim } = decoded.data;
        this.recordOf(target)?.interventions.push({
          revision: event.revision,
          value: { id: interventionId, title, aim: aim ?? null },
        });
        return;
      }
      default:
        return assertNever(decoded);
    }
  }

  private recordOf(
    target: NonNullable<ReturnType<typeof parseStreamId>>,
  ): StreamRecord | undefined {
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

function indexes<T>(list: readonly T[]): Map<T, number> {
  const index = new Map<T, number>();
  list.forEach((item, at) => index.set(item, at));
  return index;
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
