import { InvalidInputError } from '@partnerships/domain/common/errors';
import { isId } from '@partnerships/domain/common/input';
import { parseStreamId } from '@partnerships/domain/commands';
import type { Position } from '@partnerships/domain/group/group';
import type { EndReason } from '@partnerships/domain/partnership/partnership';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import { Connection, Edge, checkPageSize, decodeCursor, encodeCursor } from './cursor';
import { NetworkProjection } from './network-projection';
import {
  ArrangementRecord,
  GroupRecord,
  MembershipRecord,
  OrganizationRecord,
  PartnershipRecord,
  Revised,
  StreamRecord,
} from './records';

const ENDING_SOON_MS = 30 * 24 * 60 * 60 * 1000;

export type PartnershipStatus = 'ACTIVE' | 'ENDED';
export type TermStatus = 'RUNNING' | 'ENDING_SOON' | 'OVERDUE' | 'ENDED';

export interface RecordedEventNode {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly effectiveAt: Date;
  readonly recordedAt: Date;
  readonly actor: string | null;
  readonly commandId: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** The version of data's shape as stored; data is served as stored. */
  readonly schemaVersion: number;
}

/** An entity as seen by a view: `version` is the number of its events the view sees. */
interface Seen<R extends StreamRecord> {
  readonly view: NetworkView;
  readonly record: R;
  readonly id: string;
  readonly version: number;
}

export interface CapabilityAssessmentNode {
  readonly ambition: number;
  readonly realized: number;
  readonly gap: number;
  readonly notes: string | null;
  readonly assessedAt: Date;
}

export interface OrganizationNode extends Seen<OrganizationRecord> {
  readonly name: string;
  readonly registeredAt: Date;
  readonly capability: CapabilityAssessmentNode | null;
}

export interface GroupNode extends Seen<GroupRecord> {
  readonly name: string;
  readonly purpose: string | null;
  readonly foundedAt: Date;
  readonly dissolvedAt: Date | null;
}

export interface PositionPeriodNode {
  readonly position: Position;
  readonly from: Date;
  readonly until: Date | null;
}

export interface MembershipNode {
  readonly organization: OrganizationNode;
  readonly group: GroupNode;
  readonly position: Position;
  readonly joinedAt: Date;
  readonly positionSince: Date;
  readonly leftAt: Date | null;
  readonly positions: readonly PositionPeriodNode[];
}

export interface PartnershipNode extends Seen<PartnershipRecord> {
  readonly name: string;
  readonly purpose: string | null;
  readonly startedAt: Date;
  readonly intendedEndAt: Date;
  readonly endedAt: Date | null;
  readonly endReason: EndReason | null;
  readonly status: PartnershipStatus;
  readonly termStatus: TermStatus;
}

export interface ArrangementNode {
  readonly id: string;
  readonly title: string;
  readonly terms: string;
  readonly agreedAt: Date;
  readonly validUntil: Date | null;
  readonly endedAt: Date | null;
  readonly commitments: readonly CommitmentNode[];
}

export interface InterventionNode {
  readonly id: string;
  readonly title: string;
  readonly aim: string | null;
  readonly at: Date;
  readonly capabilityBefore: CapabilityAssessmentNode | null;
  readonly capabilityAfter: CapabilityAssessmentNode | null;
}

/** Another organisation one collaborates with, as a view sees it (docs/domain.md, Relations). */
export interface RelationNode {
  readonly organization: OrganizationNode;
  readonly partnerships: readonly PartnershipNode[];
  readonly groups: readonly GroupNode[];
  readonly since: Date;
}

export interface CommitmentNode {
  readonly organization: OrganizationNode;
  readonly commitment: string;
}

export interface NetworkStatsNode {
  readonly organizations: number;
  readonly groups: number;
  readonly activeGroups: number;
  readonly activeMemberships: number;
  readonly membersByPosition: { core: number; ring: number; freeSpace: number };
  readonly activePartnerships: number;
  readonly endedPartnerships: number;
  readonly overduePartnerships: number;
}

export interface PartnershipFilter {
  readonly status?: PartnershipStatus | null;
  readonly organizationId?: string | null;
  readonly groupId?: string | null;
}

export interface Page {
  readonly first: number;
  readonly after?: string | null;
}

/**
 * The network as it stood at `asOf` (valid time) according to what was recorded by
 * `knownAt` (transaction time): exactly the events with effectiveAt <= asOf and
 * recordedAt <= knownAt. Within a stream those events form a prefix, found by binary
 * search, so a lookup never replays the log.
 */
export class NetworkView {
  private readonly asOfMs: number;
  private readonly knownAtMs: number;
  /** True when the view sees every applied event: no search needed. */
  private readonly complete: boolean;
  private readonly prefixes = new Map<readonly RecordedEvent[], number>();

  constructor(
    private readonly projection: NetworkProjection,
    readonly asOf: Date,
    readonly knownAt: Date,
  ) {
    this.asOfMs = asOf.getTime();
    this.knownAtMs = knownAt.getTime();
    const horizon = projection.horizon;
    this.complete = this.asOfMs >= horizon.effectiveAt && this.knownAtMs >= horizon.recordedAt;
  }

  /** How many of a stream's events this view sees. */
  seen(events: readonly RecordedEvent[]): number {
    if (this.complete) return events.length;
    let count = this.prefixes.get(events);
    if (count === undefined) {
      count = Math.min(
        countWhile(events, (event) => event.effectiveAt.getTime() <= this.asOfMs),
        countWhile(events, (event) => event.recordedAt.getTime() <= this.knownAtMs),
      );
      this.prefixes.set(events, count);
    }
    return count;
  }

  // Organizations

  organization(id: string): OrganizationNode | null {
    const record = this.projection.organizations.get(checkId('id', id));
    return record === undefined ? null : (this.organizationNode(record) ?? null);
  }

  organizations(page: Page): Connection<OrganizationNode> {
    return this.connection(this.projection.organizationOrder, page, (record) =>
      this.organizationNode(record),
    );
  }

  capabilityHistory(node: OrganizationNode): CapabilityAssessmentNode[] {
    return visible(node.record.assessments, node.version).map((assessment) =>
      this.assessment(node.record, assessment),
    );
  }

  memberships(node: OrganizationNode, includeEnded: boolean): MembershipNode[] {
    return this.membershipNodes(node.record.memberships, includeEnded);
  }

  partnershipsOfOrganization(
    node: OrganizationNode,
    status: PartnershipStatus | null | undefined,
  ): PartnershipNode[] {
    return this.partnershipNodes(node.record.partnerships, status);
  }

  /**
   * Every other organisation this one shares a partnership with (any status) or a group in
   * which both are members at asOf, ordered by `since`, then by id. Built from the
   * organisation's own partnerships and memberships, so it costs what those hold, not the
   * size of the network.
   */
  relations(node: OrganizationNode): RelationNode[] {
    const self = node.record;
    const related = new Map<
      OrganizationRecord,
      { partnerships: PartnershipNode[]; groups: GroupNode[]; since: number }
    >();
    const relationWith = (other: OrganizationRecord) => {
      let relation = related.get(other);
      if (relation === undefined) {
        relation = { partnerships: [], groups: [], since: Infinity };
        related.set(other, relation);
      }
      return relation;
    };

    for (const record of self.partnerships) {
      const partnership = this.partnershipNode(record);
      if (partnership === undefined) continue;
      const start = partnership.startedAt.getTime();
      for (const party of record.parties) {
        if (party === self) continue;
        const relation = relationWith(party);
        relation.partnerships.push(partnership);
        if (start < relation.since) relation.since = start;
      }
    }

    const groupsDone = new Set<GroupRecord>();
    for (const membership of self.memberships) {
      const group = membership.group;
      if (groupsDone.has(group)) continue;
      const seen = this.seen(group.events);
      if (!isOpenIn(membership, seen)) continue;
      groupsDone.add(group);
      const groupNode = this.groupNode(group);
      if (groupNode === undefined) continue;
      const own = this.periods(group, group.membershipsOf.get(self) ?? [], seen);
      // Seeing every event, the group's open memberships are the members at asOf.
      const members = this.complete ? group.openMemberships.values() : group.memberships;
      for (const member of members) {
        const other = member.organization;
        if (other === self || !isOpenIn(member, seen)) continue;
        // A join this view sees follows the registration it referred to: no check needed.
        const relation = relationWith(other);
        relation.groups.push(groupNode);
        const overlap = earliestOverlap(own, group, group.membershipsOf.get(other) ?? [], seen);
        if (overlap < relation.since) relation.since = overlap;
      }
    }

    const relations: RelationNode[] = [];
    for (const [other, relation] of related) {
      const organization = this.organizationNode(other);
      if (organization === undefined) continue;
      relations.push({
        organization,
        partnerships: relation.partnerships,
        groups: relation.groups.sort((x, y) => x.record.seq - y.record.seq),
        since: new Date(relation.since),
      });
    }
    return relations.sort(
      (x, y) =>
        x.since.getTime() - y.since.getTime() ||
        (x.organization.id < y.organization.id
          ? -1
          : x.organization.id > y.organization.id
            ? 1
            : 0),
    );
  }

  /** Membership periods as this view sees them, in milliseconds of valid time. */
  private periods(
    group: GroupRecord,
    memberships: readonly MembershipRecord[],
    seen: number,
  ): Period[] {
    const periods: Period[] = [];
    for (const membership of memberships) {
      if (membership.joinRevision >= seen) break;
      const ended = isBefore(membership.endRevision, seen);
      periods.push({
        from: group.events[membership.joinRevision].effectiveAt.getTime(),
        until: ended
          ? group.events[membership.endRevision as number].effectiveAt.getTime()
          : Infinity,
      });
    }
    return periods;
  }

  // Groups

  group(id: string): GroupNode | null {
    const record = this.projection.groups.get(checkId('id', id));
    return record === undefined ? null : (this.groupNode(record) ?? null);
  }

  groups(page: Page): Connection<GroupNode> {
    return this.connection(this.projection.groupOrder, page, (record) => this.groupNode(record));
  }

  members(
    node: GroupNode,
    position: Position | null | undefined,
    includeEnded: boolean,
  ): MembershipNode[] {
    const members = this.membershipNodes(node.record.memberships, includeEnded);
    return position ? members.filter((member) => member.position === position) : members;
  }

  partnershipsOfGroup(
    node: GroupNode,
    status: PartnershipStatus | null | undefined,
  ): PartnershipNode[] {
    return this.partnershipNodes(node.record.partnerships, status);
  }

  // Partnerships

  partnership(id: string): PartnershipNode | null {
    const record = this.projection.partnerships.get(checkId('id', id));
    return record === undefined ? null : (this.partnershipNode(record) ?? null);
  }

  partnerships(filter: PartnershipFilter, page: Page): Connection<PartnershipNode> {
    let candidates: readonly PartnershipRecord[] = this.projection.partnershipOrder;
    if (filter.organizationId != null) {
      const organization = this.projection.organizations.get(
        checkId('organizationId', filter.organizationId),
      );
      candidates = organization?.partnerships ?? [];
    }
    if (filter.groupId != null) {
      const groupId = checkId('groupId', filter.groupId);
      candidates = candidates.filter((record) => record.group?.id === groupId);
    }
    return this.connection(candidates, page, (record) => {
      const node = this.partnershipNode(record);
      return node && (!filter.status || node.status === filter.status) ? node : undefined;
    });
  }

  parties(node: PartnershipNode): OrganizationNode[] {
    return node.record.parties
      .map((party) => this.organizationNode(party))
      .filter((party): party is OrganizationNode => party !== undefined);
  }

  groupOf(node: PartnershipNode): GroupNode | null {
    return node.record.group === null ? null : (this.groupNode(node.record.group) ?? null);
  }

  arrangements(node: PartnershipNode): ArrangementNode[] {
    const { record } = node;
    return visible(record.arrangements, node.version).map(
      ({ revision, value }: Revised<ArrangementRecord>) => ({
        id: value.id,
        title: value.title,
        terms: value.terms,
        agreedAt: record.events[revision].effectiveAt,
        validUntil: value.validUntil,
        endedAt: node.endedAt,
        commitments: this.commitmentNodes(value.commitments),
      }),
    );
  }

  /**
   * The interventions aimed at an entity that this view sees. For an organisation each shows
   * the assessment in force when it took effect and the first one after it, both among the
   * assessments this view sees (so a later-recorded assessment stays out of an earlier
   * knownAt).
   */
  interventions(node: Seen<StreamRecord>): InterventionNode[] {
    const { record } = node;
    const found = this.projection.organizations.get(record.id);
    const organization = found === record ? found : undefined;
    const assessments =
      organization === undefined ? [] : visible(organization.assessments, node.version);
    return visible(record.interventions, node.version).map(({ revision, value }) => {
      const at = record.events[revision].effectiveAt;
      // Assessments and interventions share the stream, so assessedAt grows with revision.
      const before = countWhile(
        assessments,
        (assessment) => record.events[assessment.revision].effectiveAt.getTime() <= at.getTime(),
      );
      return {
        id: value.id,
        title: value.title,
        aim: value.aim,
        at,
        capabilityBefore:
          organization === undefined || before === 0
            ? null
            : this.assessment(organization, assessments[before - 1]),
        capabilityAfter:
          organization === undefined || before === assessments.length
            ? null
            : this.assessment(organization, assessments[before]),
      };
    });
  }

  /** Each committed party as this view sees it (a party exists before any arrangement). */
  private commitmentNodes(commitments: ArrangementRecord['commitments']): CommitmentNode[] {
    const nodes: CommitmentNode[] = [];
    for (const { organizationId, commitment } of commitments) {
      const record = this.projection.organizations.get(organizationId);
      const organization = record === undefined ? undefined : this.organizationNode(record);
      if (organization !== undefined) nodes.push({ organization, commitment });
    }
    return nodes;
  }

  // Histories and statistics

  history(node: Seen<StreamRecord>): RecordedEventNode[] {
    return node.record.events.slice(0, node.version).map(toRecordedEventNode);
  }

  /** The events of any stream this view sees; a malformed stream id is refused. */
  streamHistory(streamId: string): RecordedEventNode[] {
    const target = parseStreamId(streamId);
    if (target === undefined || !isId(target.id)) {
      throw new InvalidInputError(
        'streamId',
        'must be organization-<id>, group-<id> or partnership-<id>',
      );
    }
    const events = this.projection.streams.get(streamId) ?? [];
    return events.slice(0, this.seen(events)).map(toRecordedEventNode);
  }

  stats(): NetworkStatsNode {
    const projection = this.projection;
    let organizations = 0;
    for (const record of projection.organizationOrder)
      if (this.seen(record.events) > 0) organizations++;
    let groups = 0;
    let activeGroups = 0;
    const membersByPosition = { core: 0, ring: 0, freeSpace: 0 };
    for (const group of projection.groupOrder) {
      const seen = this.seen(group.events);
      if (seen === 0) continue;
      groups++;
      if (!isBefore(group.dissolvedRevision, seen)) activeGroups++;
      for (const membership of group.memberships) {
        if (membership.joinRevision >= seen || isBefore(membership.endRevision, seen)) continue;
        const position = visible(membership.positions, seen).at(-1)?.value;
        if (position === 'CORE') membersByPosition.core++;
        else if (position === 'RING') membersByPosition.ring++;
        else if (position === 'FREE_SPACE') membersByPosition.freeSpace++;
      }
    }
    let activePartnerships = 0;
    let endedPartnerships = 0;
    let overduePartnerships = 0;
    for (const record of projection.partnershipOrder) {
      const node = this.partnershipNode(record);
      if (node === undefined) continue;
      if (node.status === 'ENDED') endedPartnerships++;
      else activePartnerships++;
      if (node.termStatus === 'OVERDUE') overduePartnerships++;
    }
    return {
      organizations,
      groups,
      activeGroups,
      activeMemberships:
        membersByPosition.core + membersByPosition.ring + membersByPosition.freeSpace,
      membersByPosition,
      activePartnerships,
      endedPartnerships,
      overduePartnerships,
    };
  }

  // Nodes

  private organizationNode(record: OrganizationRecord): OrganizationNode | undefined {
    const version = this.seen(record.events);
    if (version === 0) return undefined;
    const latest = visible(record.assessments, version).at(-1);
    return {
      view: this,
      record,
      id: record.id,
      version,
      name: record.name,
      registeredAt: record.events[0].effectiveAt,
      capability: latest === undefined ? null : this.assessment(record, latest),
    };
  }

  private assessment(
    record: OrganizationRecord,
    { revision, value }: Revised<{ ambition: number; realized: number; notes: string | null }>,
  ): CapabilityAssessmentNode {
    return {
      ambition: value.ambition,
      realized: value.realized,
      gap: value.ambition - value.realized,
      notes: value.notes,
      assessedAt: record.events[revision].effectiveAt,
    };
  }

  private groupNode(record: GroupRecord): GroupNode | undefined {
    const version = this.seen(record.events);
    if (version === 0) return undefined;
    return {
      view: this,
      record,
      id: record.id,
      version,
      name: record.name,
      purpose: record.purpose,
      foundedAt: record.events[0].effectiveAt,
      dissolvedAt: isBefore(record.dissolvedRevision, version)
        ? record.events[record.dissolvedRevision as number].effectiveAt
        : null,
    };
  }

  private membershipNodes(
    memberships: readonly MembershipRecord[],
    includeEnded: boolean,
  ): MembershipNode[] {
    const nodes: MembershipNode[] = [];
    for (const membership of memberships) {
      const seen = this.seen(membership.group.events);
      if (membership.joinRevision >= seen) continue;
      const ended = isBefore(membership.endRevision, seen);
      if (ended && !includeEnded) continue;
      const group = this.groupNode(membership.group);
      const organization = this.organizationNode(membership.organization);
      if (group === undefined || organization === undefined) continue;
      const events = membership.group.events;
      const leftAt = ended ? events[membership.endRevision as number].effectiveAt : null;
      const positions = visible(membership.positions, seen).map(
        ({ revision, value }, index, all): PositionPeriodNode => ({
          position: value,
          from: events[revision].effectiveAt,
          until: index + 1 < all.length ? events[all[index + 1].revision].effectiveAt : leftAt,
        }),
      );
      const current = positions[positions.length - 1];
      nodes.push({
        organization,
        group,
        position: current.position,
        joinedAt: events[membership.joinRevision].effectiveAt,
        positionSince: current.from,
        leftAt,
        positions,
      });
    }
    return nodes;
  }

  private partnershipNode(record: PartnershipRecord): PartnershipNode | undefined {
    const version = this.seen(record.events);
    if (version === 0) return undefined;
    const intendedEndAt = (visible(record.intendedEnds, version).at(-1) as Revised<Date>).value;
    const ending =
      record.ending !== undefined && record.ending.revision < version ? record.ending : undefined;
    const endedAt = ending === undefined ? null : record.events[ending.revision].effectiveAt;
    return {
      view: this,
      record,
      id: record.id,
      version,
      name: record.name,
      purpose: record.purpose,
      startedAt: record.events[0].effectiveAt,
      intendedEndAt,
      endedAt,
      endReason: ending?.value.reason ?? null,
      status: ending === undefined ? 'ACTIVE' : 'ENDED',
      termStatus: this.termStatus(intendedEndAt, ending !== undefined),
    };
  }

  private termStatus(intendedEndAt: Date, ended: boolean): TermStatus {
    if (ended) return 'ENDED';
    const end = intendedEndAt.getTime();
    if (this.asOfMs >= end) return 'OVERDUE';
    if (end - ENDING_SOON_MS <= this.asOfMs) return 'ENDING_SOON';
    return 'RUNNING';
  }

  private partnershipNodes(
    records: readonly PartnershipRecord[],
    status: PartnershipStatus | null | undefined,
  ): PartnershipNode[] {
    const nodes: PartnershipNode[] = [];
    for (const record of records) {
      const node = this.partnershipNode(record);
      if (node !== undefined && (!status || node.status === status)) nodes.push(node);
    }
    return nodes;
  }

  /** A page of the records this view sees, in the order they were first recorded. */
  private connection<R extends StreamRecord, N>(
    records: readonly R[],
    page: Page,
    see: (record: R) => N | undefined,
  ): Connection<N> {
    const first = checkPageSize(page.first);
    const afterSeq = page.after == null ? -1 : decodeCursor(page.after, this.projection.log.length);
    const edges: Edge<N>[] = [];
    let totalCount = 0;
    let hasNextPage = false;
    for (const record of records) {
      const node = see(record);
      if (node === undefined) continue;
      totalCount++;
      if (record.seq <= afterSeq) continue;
      if (edges.length < first) edges.push({ cursor: encodeCursor(record.seq), node });
      else hasNextPage = true;
    }
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

/** The global log: every recorded event in commit order, optionally of some types only. */
export function logPage(
  projection: NetworkProjection,
  page: Page,
  types: readonly string[] | null | undefined,
): Omit<Connection<RecordedEventNode>, 'totalCount'> {
  const first = checkPageSize(page.first);
  const log = projection.log;
  const start = page.after == null ? 0 : decodeCursor(page.after, log.length) + 1;
  let seqs: number[];
  if (types == null || types.length === 0) {
    seqs = [];
    for (let seq = start; seq < log.length && seqs.length <= first; seq++) seqs.push(seq);
  } else {
    seqs = [];
    for (const type of new Set(types)) {
      const index = projection.typeIndex.get(type) ?? [];
      const from = countWhile(index, (seq) => seq < start);
      seqs.push(...index.slice(from, from + first + 1));
    }
    seqs.sort((a, b) => a - b);
  }
  const edges = seqs
    .slice(0, first)
    .map((seq) => ({ cursor: encodeCursor(seq), node: toRecordedEventNode(log[seq]) }));
  return {
    edges,
    pageInfo: { hasNextPage: seqs.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export function toRecordedEventNode(event: RecordedEvent): RecordedEventNode {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    type: event.type,
    effectiveAt: event.effectiveAt,
    recordedAt: event.recordedAt,
    actor: event.metadata.actor,
    commandId: event.metadata.commandId,
    data: event.data,
    schemaVersion: event.schemaVersion,
  };
}

function checkId(field: string, id: string): string {
  if (!isId(id))
    throw new InvalidInputError(field, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
  return id;
}

/** The number of leading items for which `holds` is true; `holds` must be monotone. */
function countWhile<T>(items: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(items[middle])) low = middle + 1;
    else high = middle;
  }
  return low;
}

function visible<T>(items: readonly Revised<T>[], seen: number): readonly Revised<T>[] {
  const count = countWhile(items, (item) => item.revision < seen);
  return count === items.length ? items : items.slice(0, count);
}

/** A membership period in valid time, in milliseconds: [from, until). */
interface Period {
  readonly from: number;
  readonly until: number;
}

/**
 * The earliest moment at which one of the own periods overlaps one of the other's
 * memberships of the group this view sees (Infinity: never). Allocates nothing: it runs
 * once per co-member.
 */
function earliestOverlap(
  own: readonly Period[],
  group: GroupRecord,
  theirs: readonly MembershipRecord[],
  seen: number,
): number {
  let earliest = Infinity;
  for (const membership of theirs) {
    if (membership.joinRevision >= seen) break;
    const from = group.events[membership.joinRevision].effectiveAt.getTime();
    const until = isBefore(membership.endRevision, seen)
      ? group.events[membership.endRevision as number].effectiveAt.getTime()
      : Infinity;
    for (const period of own) {
      const start = Math.max(period.from, from);
      if (start < Math.min(period.until, until) && start < earliest) earliest = start;
    }
  }
  return earliest;
}

/** Whether a membership has begun and not ended among the first `seen` events of its group. */
function isOpenIn(membership: MembershipRecord, seen: number): boolean {
  return membership.joinRevision < seen && !isBefore(membership.endRevision, seen);
}

function isBefore(revision: number | undefined, seen: number): boolean {
  return revision !== undefined && revision < seen;
}
