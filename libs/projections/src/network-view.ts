import type { EventStore } from '@partnerships/event-store/event-store';
import type { Position } from '@partnerships/domain/group/group';
import { Connection } from './cursor';
import { NetworkProjection } from './network-projection';
import { networkStats } from './network-stats';
import {
  ArrangementNode,
  CapabilityAssessmentNode,
  CommitmentNode,
  GroupNode,
  InterventionNode,
  MembershipNode,
  NetworkStatsNode,
  OrganizationNode,
  PartnershipFilter,
  PartnershipNode,
  PartnershipStatus,
  PositionCounts,
  PositionPeriodNode,
  RecordedEventNode,
  RelationNode,
  Seen,
  TermStatus,
  toRecordedEventNode,
} from './nodes';
import { CreationSeqs, Page, pageOf } from './paging';
import { decodeEvent } from '@partnerships/domain/decode-event';
import type { IntList } from './columns';
import { openMembershipsOf, periodsIn } from './memberships';
import {
  CapabilityRecord,
  GroupRecord,
  OrganizationRecord,
  PartnershipRecord,
  StreamLog,
  StreamRecord,
} from './records';
import {
  countWhile,
  earliestOverlap,
  intendedEndIn,
  isBefore,
  isOpenIn,
  joinedAmongFirst,
  periods,
  positionIn,
  positionsIn,
  visible,
} from './revisions';
import { checkId, checkStreamId } from './view-input';

const ENDING_SOON_MS = 30 * 24 * 60 * 60 * 1000;

/** What a view reads from the store: the events themselves, which the projection does not keep. */
export type EventReader = Pick<EventStore, 'readStream' | 'readAll'>;

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
  private readonly prefixes = new Map<StreamLog, number>();

  constructor(
    private readonly projection: NetworkProjection,
    readonly asOf: Date,
    readonly knownAt: Date,
    private readonly reader: EventReader,
  ) {
    this.asOfMs = asOf.getTime();
    this.knownAtMs = knownAt.getTime();
    const horizon = projection.horizon;
    this.complete = this.asOfMs >= horizon.effectiveAt && this.knownAtMs >= horizon.recordedAt;
  }

  /** How many of a stream's events this view sees. */
  seen(stream: StreamLog): number {
    const seqs = stream.seqs;
    if (this.complete) return seqs.length;
    let count = this.prefixes.get(stream);
    if (count === undefined) {
      const projection = this.projection;
      count = Math.min(
        countWhile(seqs, (seq) => projection.effectiveAt(seq) <= this.asOfMs),
        countWhile(seqs, (seq) => projection.recordedAt(seq) <= this.knownAtMs),
      );
      this.prefixes.set(stream, count);
    }
    return count;
  }

  /** The valid time of a revision of a stream. */
  private dateOf(stream: StreamLog, revision: number): Date {
    return new Date(this.projection.effectiveAt(stream.seqs.at(revision)));
  }

  /** The valid time of each revision of a stream, in milliseconds. */
  private timesOf(stream: StreamLog): (revision: number) => number {
    return (revision) => this.projection.effectiveAt(stream.seqs.at(revision));
  }

  // Organizations

  organization(id: string): OrganizationNode | null {
    const record = this.projection.organizations.get(checkId('id', id));
    return record === undefined ? null : (this.organizationNode(record) ?? null);
  }

  organizations(page: Page): Connection<OrganizationNode> {
    const { organizationOrder, columns } = this.projection;
    const seqs = columns.organizationSeqs;
    return pageOf(seqs, page, this.projection.length, this.seesAll(seqs), (index) => {
      const record = organizationOrder[index]!;
      return this.organizationNodeAt(record, this.seen(record.stream));
    });
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

    const { memberships: table, groupOrder, organizationOrder } = this.projection;
    const groupsDone = new Set<GroupRecord>();
    for (const membership of self.memberships) {
      const group = groupOrder[table.groupOf(membership)]!;
      if (groupsDone.has(group)) continue;
      const seen = this.seen(group.stream);
      if (!isOpenIn(table, membership, seen)) continue;
      groupsDone.add(group);
      const groupNode = this.groupNode(group);
      if (groupNode === undefined) continue;
      const timeOf = this.timesOf(group.stream);
      const periodsOf = periodsIn(group, table);
      const own = periods(timeOf, table, periodsOf.get(self.order) ?? [], seen);
      const relate = (member: number): void => {
        const otherOrder = table.organizationOf(member);
        if (otherOrder === self.order || !isOpenIn(table, member, seen)) return;
        // A join this view sees follows the registration it referred to: no check needed.
        const relation = relationWith(organizationOrder[otherOrder]!);
        relation.groups.push(groupNode);
        const theirs = periodsOf.get(otherOrder) ?? [];
        const overlap = earliestOverlap(own, timeOf, table, theirs, seen);
        if (overlap < relation.since) relation.since = overlap;
      };
      // Seeing every event, the group's open memberships are the members at asOf; otherwise
      // the members are among those joined in the events seen.
      if (this.complete) {
        for (const member of openMembershipsOf(group, table).values()) relate(member);
      } else {
        const joined = joinedAmongFirst(table, group.memberships, seen);
        for (let index = 0; index < joined; index++) relate(group.memberships.at(index));
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

  // Groups

  group(id: string): GroupNode | null {
    const record = this.projection.groups.get(checkId('id', id));
    return record === undefined ? null : (this.groupNode(record) ?? null);
  }

  groups(page: Page): Connection<GroupNode> {
    const { groupOrder, columns } = this.projection;
    const seqs = columns.groupSeqs;
    return pageOf(seqs, page, this.projection.length, this.seesAll(seqs), (index) => {
      const record = groupOrder[index]!;
      return this.groupNodeAt(record, this.seen(record.stream));
    });
  }

  members(
    node: GroupNode,
    position: Position | null | undefined,
    includeEnded: boolean,
  ): MembershipNode[] {
    const { memberships, stream } = node.record;
    const seen = this.seen(stream);
    const count = joinedAmongFirst(this.projection.memberships, memberships, seen);
    const members = this.membershipNodes(memberships, includeEnded, count);
    return position ? members.filter((member) => member.position === position) : members;
  }

  /**
   * How many of the group's members (those `members` lists, without the ended) hold each
   * position, counted from the membership table without making their nodes.
   */
  membersByPosition(node: GroupNode): PositionCounts {
    const { memberships, stream } = node.record;
    const table = this.projection.memberships;
    const organizationSeqs = this.projection.columns.organizationSeqs;
    const seen = this.seen(stream);
    const count = joinedAmongFirst(table, memberships, seen);
    const counts = { core: 0, ring: 0, freeSpace: 0 };
    for (let index = 0; index < count; index++) {
      const membership = memberships.at(index);
      if (!isOpenIn(table, membership, seen)) continue;
      // As `members` does: a member whose registration the view does not see is left out.
      if (!this.seesEvent(organizationSeqs.at(table.organizationOf(membership)))) continue;
      const position = positionIn(table, membership, seen);
      if (position === 'CORE') counts.core++;
      else if (position === 'RING') counts.ring++;
      else counts.freeSpace++;
    }
    return counts;
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
    const { partnershipOrder, columns } = this.projection;
    // Those of an organisation or a group: its own list, in the order they were formed.
    let candidates: readonly PartnershipRecord[] | undefined;
    if (filter.organizationId != null) {
      const organization = this.projection.organizations.get(
        checkId('organizationId', filter.organizationId),
      );
      candidates = organization?.partnerships ?? [];
    }
    if (filter.groupId != null) {
      const group = this.projection.groups.get(checkId('groupId', filter.groupId));
      if (group === undefined) candidates = [];
      else if (candidates !== undefined) {
        candidates = candidates.filter((record) => record.group === group);
      } else candidates = group.partnerships;
    }
    const status = filter.status;
    if (candidates === undefined) {
      const seqs = columns.partnershipSeqs;
      return pageOf(
        seqs,
        page,
        this.projection.length,
        status ? (order) => this.partnershipStatusOf(order) === status : this.seesAll(seqs),
        (order) => this.partnershipNodeOf(partnershipOrder[order]!),
      );
    }
    const listed = candidates;
    return pageOf(
      { length: listed.length, at: (index) => listed[index]!.seq },
      page,
      this.projection.length,
      (index) => {
        const found = this.partnershipStatusOf(listed[index]!.order);
        return found !== undefined && (!status || found === status);
      },
      (index) => this.partnershipNodeOf(listed[index]!),
    );
  }

  parties(node: PartnershipNode): OrganizationNode[] {
    return node.record.parties
      .map((party) => this.organizationNode(party))
      .filter((party): party is OrganizationNode => party !== undefined);
  }

  groupOf(node: PartnershipNode): GroupNode | null {
    return node.record.group === null ? null : (this.groupNode(node.record.group) ?? null);
  }

  /** The arrangements this view sees, their text read from the partnership's stream. */
  async arrangements(node: PartnershipNode): Promise<ArrangementNode[]> {
    const { record } = node;
    const count = countWhile(record.arrangements, (revision) => revision < node.version);
    if (count === 0) return [];
    const events = await this.reader.readStream(record.stream.streamId);
    const nodes: ArrangementNode[] = [];
    for (let index = 0; index < count; index++) {
      const revision = record.arrangements.at(index);
      const event = events[revision];
      const decoded = event === undefined ? undefined : decodeEvent(event);
      if (decoded?.type !== 'ArrangementAgreed') {
        throw new Error(`${record.stream.streamId} holds no arrangement at revision ${revision}`);
      }
      const { arrangementId, title, terms, validUntil, commitments } = decoded.data;
      nodes.push({
        id: arrangementId,
        title,
        terms,
        agreedAt: this.dateOf(record.stream, revision),
        validUntil: validUntil == null ? null : new Date(validUntil),
        endedAt: node.endedAt,
        commitments: this.commitmentNodes(commitments),
      });
    }
    return nodes;
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
    return visible(record.interventions, node.version).map(({ revision, id, title, aim }) => {
      const at = this.dateOf(record.stream, revision);
      const timeOf = this.timesOf(record.stream);
      // Assessments and interventions share the stream, so assessedAt grows with revision.
      const before = countWhile(
        assessments,
        (assessment) => timeOf(assessment.revision) <= at.getTime(),
      );
      return {
        id,
        title,
        aim,
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
  private commitmentNodes(
    commitments: readonly { readonly organizationId: string; readonly commitment: string }[],
  ): CommitmentNode[] {
    const nodes: CommitmentNode[] = [];
    for (const { organizationId, commitment } of commitments) {
      const record = this.projection.organizations.get(organizationId);
      const organization = record === undefined ? undefined : this.organizationNode(record);
      if (organization !== undefined) nodes.push({ organization, commitment });
    }
    return nodes;
  }

  // Histories and statistics

  /** The entity's events this view sees, read from the store. */
  history(node: Seen<StreamRecord>): Promise<RecordedEventNode[]> {
    return this.readPrefix(node.record.stream, node.version);
  }

  /** The events of any stream this view sees; a malformed stream id is refused. */
  async streamHistory(streamId: string): Promise<RecordedEventNode[]> {
    const stream = this.projection.streams.get(checkStreamId('streamId', streamId));
    return stream === undefined ? [] : this.readPrefix(stream, this.seen(stream));
  }

  /**
   * The first `count` events of a stream. The store may hold more than the projection has
   * applied (it only grows): the prefix the projection knows is the same events.
   */
  private async readPrefix(stream: StreamLog, count: number): Promise<RecordedEventNode[]> {
    if (count === 0) return [];
    const events = await this.reader.readStream(stream.streamId);
    if (events.length < count) {
      throw new Error(
        `the store holds ${events.length} events of ${stream.streamId}, not ${count}`,
      );
    }
    return events.slice(0, count).map(toRecordedEventNode);
  }

  stats(): NetworkStatsNode {
    return networkStats(this.projection, this);
  }

  // Nodes

  /**
   * Whether this view sees the event at a log index. Within a stream both times only move
   * forward, so it sees a stream's event exactly when it sees every one before it.
   */
  seesEvent(seq: number): boolean {
    if (this.complete) return true;
    const { projection } = this;
    return (
      projection.effectiveAt(seq) <= this.asOfMs && projection.recordedAt(seq) <= this.knownAtMs
    );
  }

  /**
   * For a list of records by the events that created them: undefined when this view sees
   * every record, else whether it sees the one at an index.
   */
  private seesAll(seqs: CreationSeqs): ((index: number) => boolean) | undefined {
    return this.complete ? undefined : (index) => this.seesEvent(seqs.at(index));
  }

  /** The status of the partnership at a place in their order; undefined when unseen. */
  partnershipStatusOf(order: number): PartnershipStatus | undefined {
    const columns = this.projection.columns;
    if (!this.seesEvent(columns.partnershipSeqs.at(order))) return undefined;
    const ended = columns.partnershipEndSeqs.at(order);
    return ended >= 0 && this.seesEvent(ended) ? 'ENDED' : 'ACTIVE';
  }

  /** Whether a running partnership with this intended end is overdue at asOf. */
  isOverdue(intendedEnd: number): boolean {
    return this.asOfMs >= intendedEnd;
  }

  /** The intended end of a partnership this view sees, by its place in their order. */
  intendedEndOf(order: number): number {
    const columns = this.projection.columns;
    const last = columns.partnershipLastExtensionSeqs.at(order);
    if (last < 0 || this.seesEvent(last)) return columns.partnershipLatestEnds.at(order);
    if (!this.seesEvent(columns.partnershipFirstExtensionSeqs.at(order))) {
      return columns.partnershipFormedEnds.at(order);
    }
    // Some of its extensions but not all: the latest of those it sees, a prefix of them.
    const seqs = this.projection.partnershipOrder[order]!.stream.seqs;
    const extensions = this.projection.extensions.of(order) ?? [];
    const count = countWhile(extensions, ({ revision }) => this.seesEvent(seqs.at(revision)));
    return count === 0 ? columns.partnershipFormedEnds.at(order) : extensions[count - 1]!.value;
  }

  private organizationNode(record: OrganizationRecord): OrganizationNode | undefined {
    const version = this.seen(record.stream);
    return version === 0 ? undefined : this.organizationNodeAt(record, version);
  }

  /** The organisation as a view that sees the first `version` (≥ 1) of its events. */
  private organizationNodeAt(record: OrganizationRecord, version: number): OrganizationNode {
    const latest = visible(record.assessments, version).at(-1);
    return {
      view: this,
      record,
      id: record.id,
      version,
      name: record.name,
      registeredAt: this.dateOf(record.stream, 0),
      capability: latest === undefined ? null : this.assessment(record, latest),
    };
  }

  private assessment(
    record: OrganizationRecord,
    { revision, ambition, realized, notes }: CapabilityRecord,
  ): CapabilityAssessmentNode {
    return {
      ambition,
      realized,
      gap: ambition - realized,
      notes,
      assessedAt: this.dateOf(record.stream, revision),
    };
  }

  private groupNode(record: GroupRecord): GroupNode | undefined {
    const version = this.seen(record.stream);
    return version === 0 ? undefined : this.groupNodeAt(record, version);
  }

  /** The group as a view that sees the first `version` (≥ 1) of its events. */
  private groupNodeAt(record: GroupRecord, version: number): GroupNode {
    return {
      view: this,
      record,
      id: record.id,
      version,
      name: record.name,
      purpose: record.purpose,
      foundedAt: this.dateOf(record.stream, 0),
      dissolvedAt: isBefore(record.dissolvedRevision, version)
        ? this.dateOf(record.stream, record.dissolvedRevision as number)
        : null,
    };
  }

  /** The nodes of the first `count` memberships of a list, as this view sees them. */
  private membershipNodes(
    memberships: IntList,
    includeEnded: boolean,
    count = memberships.length,
  ): MembershipNode[] {
    const { memberships: table, groupOrder, organizationOrder } = this.projection;
    const nodes: MembershipNode[] = [];
    for (let index = 0; index < count; index++) {
      const membership = memberships.at(index);
      const groupRecord = groupOrder[table.groupOf(membership)]!;
      const stream = groupRecord.stream;
      const seen = this.seen(stream);
      const joinRevision = table.joinRevisionOf(membership);
      if (joinRevision >= seen) continue;
      const endRevision = table.endRevisionOf(membership);
      const ended = isBefore(endRevision, seen);
      if (ended && !includeEnded) continue;
      const group = this.groupNode(groupRecord);
      const organization = this.organizationNode(
        organizationOrder[table.organizationOf(membership)]!,
      );
      if (group === undefined || organization === undefined) continue;
      const leftAt = ended ? this.dateOf(stream, endRevision as number) : null;
      const positions = positionsIn(table, membership, seen).map(
        ({ revision, value }, index, all): PositionPeriodNode => ({
          position: value,
          from: this.dateOf(stream, revision),
          until: index + 1 < all.length ? this.dateOf(stream, all[index + 1]!.revision) : leftAt,
        }),
      );
      const current = positions[positions.length - 1];
      nodes.push({
        organization,
        group,
        position: current.position,
        joinedAt: this.dateOf(stream, joinRevision),
        positionSince: current.from,
        leftAt,
        positions,
      });
    }
    return nodes;
  }

  /** The partnership as this view sees it; undefined when it sees none of its events. */
  private partnershipNode(record: PartnershipRecord): PartnershipNode | undefined {
    const version = this.seen(record.stream);
    return version === 0 ? undefined : this.partnershipNodeAt(record, version);
  }

  /** The partnership of a page: one this view sees. */
  private partnershipNodeOf(record: PartnershipRecord): PartnershipNode {
    return this.partnershipNodeAt(record, this.seen(record.stream));
  }

  /** The partnership as a view that sees the first `version` (≥ 1) of its events. */
  private partnershipNodeAt(record: PartnershipRecord, version: number): PartnershipNode {
    const intendedEndAt = new Date(intendedEndIn(record, this.projection.extensions, version));
    const status = partnershipStatus(record, version);
    const ended = status === 'ENDED';
    const endedAt = ended ? this.dateOf(record.stream, record.endRevision as number) : null;
    return {
      view: this,
      record,
      id: record.id,
      version,
      name: record.name,
      purpose: record.purpose,
      startedAt: this.dateOf(record.stream, 0),
      intendedEndAt,
      endedAt,
      endReason: ended ? (record.endReason ?? null) : null,
      status,
      termStatus: this.termStatus(intendedEndAt, ended),
    };
  }

  private termStatus(intendedEndAt: Date, ended: boolean): TermStatus {
    if (ended) return 'ENDED';
    const end = intendedEndAt.getTime();
    if (this.isOverdue(end)) return 'OVERDUE';
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
}

/** A partnership's status for a view that sees the first `version` of its events. */
function partnershipStatus(record: PartnershipRecord, version: number): PartnershipStatus {
  return isBefore(record.endRevision, version) ? 'ENDED' : 'ACTIVE';
}
