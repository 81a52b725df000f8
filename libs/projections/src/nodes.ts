import type { Position } from '@partnerships/domain/group/group';
import type { EndReason } from '@partnerships/domain/partnership/partnership';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import type { NetworkView } from './network-view';
import type { GroupRecord, OrganizationRecord, PartnershipRecord, StreamRecord } from './records';

/** What the read model serves: the nodes of the GraphQL schema, as a view sees them. */

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
export interface Seen<R extends StreamRecord> {
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

/** How many members hold each position. */
export interface PositionCounts {
  core: number;
  ring: number;
  freeSpace: number;
}

export interface NetworkStatsNode {
  readonly organizations: number;
  readonly groups: number;
  readonly activeGroups: number;
  readonly activeMemberships: number;
  readonly membersByPosition: PositionCounts;
  readonly activePartnerships: number;
  readonly endedPartnerships: number;
  readonly overduePartnerships: number;
}

export interface PartnershipFilter {
  readonly status?: PartnershipStatus | null;
  readonly organizationId?: string | null;
  readonly groupId?: string | null;
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
