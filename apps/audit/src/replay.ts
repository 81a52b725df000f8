import { assertNever } from '@partnerships/domain/common/command';
import { parseStreamId } from '@partnerships/domain/commands';
import { decodeEvent } from '@partnerships/domain/decode-event';
import { checkEventData } from '@partnerships/domain/event-data';
import type { Position } from '@partnerships/domain/group/group';
import type { RecordedEvent } from '@partnerships/event-store/event-store';

const POSITION_WORDS: Readonly<Record<Position, string>> = {
  CORE: 'the core',
  RING: 'the ring',
  FREE_SPACE: 'the free space',
};

const day = (date: Date | string): string => new Date(date).toISOString().slice(0, 10);

/**
 * One event in words, names as they were when it was recorded ("2025-03-01 Acme joined
 * Rivers Alliance in the core — recorded 2025-03-04 by alice"). `names` maps entity ids
 * to names and is brought up to date with the event.
 */
export function replayLine(event: RecordedEvent, names: Map<string, string>): string {
  const by = event.metadata.actor ?? 'an unauthenticated client';
  return `${day(event.effectiveAt)} ${inWords(event, names)} — recorded ${day(event.recordedAt)} by ${by}`;
}

function inWords(event: RecordedEvent, names: Map<string, string>): string {
  // The log replayed may be any store's or export's: only data valid for its type and
  // version is read as the domain's event; anything else is named as it is.
  if (checkEventData(event.type, event.schemaVersion, event.data) !== undefined) {
    return `${event.type} in ${event.streamId}`;
  }
  const decoded = decodeEvent(event);
  const name = (id: string): string => names.get(id) ?? `"${id}"`;
  const position = (value: Position): string => POSITION_WORDS[value];
  const streamName = name(parseStreamId(event.streamId)?.id ?? event.streamId);
  switch (decoded.type) {
    case 'OrganizationRegistered':
      names.set(decoded.data.organizationId, decoded.data.name);
      return `${decoded.data.name} was registered`;
    case 'CapabilityAssessed':
      return `${streamName} was assessed: ambition ${decoded.data.ambition}, realized ${decoded.data.realized}`;
    case 'GroupFounded':
      names.set(decoded.data.groupId, decoded.data.name);
      return `${decoded.data.name} was founded`;
    case 'OrganizationJoinedGroup':
      return `${name(decoded.data.organizationId)} joined ${streamName} in ${position(decoded.data.position)}`;
    case 'PositionChanged':
      return (
        `${name(decoded.data.organizationId)} moved from ${position(decoded.data.previousPosition)} ` +
        `to ${position(decoded.data.position)} of ${streamName}`
      );
    case 'OrganizationLeftGroup':
      return `${name(decoded.data.organizationId)} left ${streamName}`;
    case 'GroupDissolved':
      return `${streamName} was dissolved`;
    case 'PartnershipFormed': {
      const { partnershipId, groupId, partyIds, intendedEndAt } = decoded.data;
      names.set(partnershipId, decoded.data.name);
      const group = groupId === null ? '' : ` within ${name(groupId)}`;
      return (
        `${listed(partyIds.map(name))} formed the partnership ${decoded.data.name}${group}, ` +
        `intended to end ${day(intendedEndAt)}`
      );
    }
    case 'ArrangementAgreed': {
      const { title, commitments } = decoded.data;
      const by = commitments.map((commitment) => name(commitment.organizationId));
      return (
        `${streamName} agreed the arrangement "${title}"` +
        (by.length === 0 ? '' : `, with commitments by ${listed(by)}`)
      );
    }
    case 'PartnershipExtended':
      return `${streamName} was extended to ${day(decoded.data.intendedEndAt)}`;
    case 'PartnershipEnded':
      return `${streamName} ended (${decoded.data.reason.toLowerCase()})`;
    case 'InterventionRecorded':
      return `the intervention "${decoded.data.title}" was aimed at ${streamName}`;
    default:
      return assertNever(decoded);
  }
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
