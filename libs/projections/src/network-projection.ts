import { parseStreamId } from '@partnerships/domain/commands';
import { upcast } from '@partnerships/domain/common/upcasters';
import type { Position } from '@partnerships/domain/group/group';
import type { EndReason } from '@partnerships/domain/partnership/partnership';
import type { RecordedEvent } from '@partnerships/event-store/event-store';
import {
  ArrangementRecord,
  GroupRecord,
  MembershipRecord,
  OrganizationRecord,
  PartnershipRecord,
  StreamRecord,
} from './records';

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
  /** The first event each command recorded (most record one; see eventsOfCommand). */
  private readonly commands = new Map<string, RecordedEvent>();

  private latestEffectiveMs = -Infinity;
  /** What each stream id names, parsed once per stream. */
  private readonly targets = new Map<string, ReturnType<typeof parseStreamId> | null>();

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

  /** The events a command recorded, in order; undefined when it recorded none. */
  eventsOfCommand(commandId: string): readonly RecordedEvent[] | undefined {
    const first = this.commands.get(commandId);
    if (first === undefined) return undefined;
    // A command's events are one append: consecutive revisions of one stream.
    const stream = this.streams.get(first.streamId) ?? [first];
    const events = [first];
    for (let revision = first.revision + 1; revision < stream.length; revision++) {
      if (stream[revision].metadata.commandId !== commandId) break;
      events.push(stream[revision]);
    }
    return events;
  }

  apply(event: RecordedEvent): void {
    const seq = this.log.length;
    this.log.push(event);
    const effectiveMs = event.effectiveAt.getTime();
    if (effectiveMs > this.latestEffectiveMs) this.latestEffectiveMs = effectiveMs;
    pushTo(this.typeIndex, event.type, seq);
    if (!this.commands.has(event.metadata.commandId)) {
      this.commands.set(event.metadata.commandId, event);
    }
    let stream = this.streams.get(event.streamId);
    if (stream === undefined) {
      stream = [];
      this.streams.set(event.streamId, stream);
      this.targets.set(event.streamId, parseStreamId(event.streamId) ?? null);
    }
    stream.push(event);

    const target = this.targets.get(event.streamId);
    if (target == null) return;
    // Stored data keeps its shape; the read model reads the current one.
    const data = upcast(event.type, event.schemaVersion, event.data);
    // Only the events that create an entity need its stream record.
    const base = (): StreamRecord => ({ id: target.id, seq, events: stream, interventions: [] });
    switch (event.type) {
      case 'OrganizationRegistered': {
        const organization: OrganizationRecord = {
          ...base(),
          name: data['name'] as string,
          assessments: [],
          memberships: [],
          partnerships: [],
        };
        this.organizations.set(target.id, organization);
        this.organizationOrder.push(organization);
        return;
      }
      case 'CapabilityAssessed':
        this.organizations.get(target.id)?.assessments.push({
          revision: event.revision,
          value: {
            ambition: data['ambition'] as number,
            realized: data['realized'] as number,
            notes: (data['notes'] as string | null) ?? null,
          },
        });
        return;
      case 'GroupFounded': {
        const group: GroupRecord = {
          ...base(),
          name: data['name'] as string,
          purpose: (data['purpose'] as string | null) ?? null,
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
        const organization = this.organizations.get(data['organizationId'] as string);
        if (group === undefined || organization === undefined) return;
        const membership: MembershipRecord = {
          group,
          organization,
          joinRevision: event.revision,
          positions: [{ revision: event.revision, value: data['position'] as Position }],
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
          ?.openMemberships.get(data['organizationId'] as string)
          ?.positions.push({ revision: event.revision, value: data['position'] as Position });
        return;
      case 'OrganizationLeftGroup': {
        const group = this.groups.get(target.id);
        const membership = group?.openMemberships.get(data['organizationId'] as string);
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
        const groupId = data['groupId'] as string | null;
        const group = groupId === null ? null : (this.groups.get(groupId) ?? null);
        const parties = (data['partyIds'] as string[])
          .map((id) => this.organizations.get(id))
          .filter((party): party is OrganizationRecord => party !== undefined);
        const partnership: PartnershipRecord = {
          ...base(),
          name: data['name'] as string,
          purpose: (data['purpose'] as string | null) ?? null,
          parties,
          group,
          intendedEnds: [
            { revision: event.revision, value: new Date(data['intendedEndAt'] as string) },
          ],
          arrangements: [],
          ending: undefined,
        };
        this.partnerships.set(target.id, partnership);
        this.partnershipOrder.push(partnership);
        for (const party of parties) party.partnerships.push(partnership);
        group?.partnerships.push(partnership);
        return;
      }
      case 'ArrangementAgreed':
        this.partnerships.get(target.id)?.arrangements.push({
          revision: event.revision,
          value: {
            id: data['arrangementId'] as string,
            title: data['title'] as string,
            terms: data['terms'] as string,
            validUntil:
              data['validUntil'] === null || data['validUntil'] === undefined
                ? null
                : new Date(data['validUntil'] as string),
            commitments: data['commitments'] as ArrangementRecord['commitments'],
          },
        });
        return;
      case 'PartnershipExtended':
        this.partnerships.get(target.id)?.intendedEnds.push({
          revision: event.revision,
          value: new Date(data['intendedEndAt'] as string),
        });
        return;
      case 'PartnershipEnded': {
        const partnership = this.partnerships.get(target.id);
        if (partnership !== undefined) {
          partnership.ending = {
            revision: event.revision,
            value: { reason: data['reason'] as EndReason },
          };
        }
        return;
      }
      case 'InterventionRecorded':
        this.recordOf(target)?.interventions.push({
          revision: event.revision,
          value: {
            id: data['interventionId'] as string,
            title: data['title'] as string,
            aim: (data['aim'] as string | null) ?? null,
          },
        });
        return;
      default:
        // An event type this version does not know is kept in the log and histories.
        return;
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
        return undefined;
    }
  }
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
