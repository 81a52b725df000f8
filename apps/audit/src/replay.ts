import { upcast } from '@partnerships/domain/common/upcasters';
import { parseStreamId } from '@partnerships/domain/commands';
import type { RecordedEvent } from '@partnerships/event-store/event-store';

const POSITION_WORDS: Readonly<Record<string, string>> = {
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
  const data = upcast(event.type, event.schemaVersion, event.data);
  const text = (key: string): string => String(data[key] ?? '');
  const name = (id: unknown): string => names.get(String(id)) ?? `"${String(id)}"`;
  const streamName = name(parseStreamId(event.streamId)?.id ?? event.streamId);
  let words: string;
  switch (event.type) {
    case 'OrganizationRegistered':
      names.set(text('organizationId'), text('name'));
      words = `${text('name')} was registered`;
      break;
    case 'CapabilityAssessed':
      words = `${streamName} was assessed: ambition ${text('ambition')}, realized ${text('realized')}`;
      break;
    case 'GroupFounded':
      names.set(text('groupId'), text('name'));
      words = `${text('name')} was founded`;
      break;
    case 'OrganizationJoinedGroup':
      words = `${name(data['organizationId'])} joined ${streamName} in ${POSITION_WORDS[text('position')] ?? text('position')}`;
      break;
    case 'PositionChanged':
      words =
        `${name(data['organizationId'])} moved from ${POSITION_WORDS[text('previousPosition')] ?? text('previousPosition')} ` +
        `to ${POSITION_WORDS[text('position')] ?? text('position')} of ${streamName}`;
      break;
    case 'OrganizationLeftGroup':
      words = `${name(data['organizationId'])} left ${streamName}`;
      break;
    case 'GroupDissolved':
      words = `${streamName} was dissolved`;
      break;
    case 'PartnershipFormed': {
      names.set(text('partnershipId'), text('name'));
      const parties = Array.isArray(data['partyIds']) ? data['partyIds'].map(name) : [];
      const group = data['groupId'] == null ? '' : ` within ${name(data['groupId'])}`;
      words =
        `${listed(parties)} formed the partnership ${text('name')}${group}, ` +
        `intended to end ${day(text('intendedEndAt'))}`;
      break;
    }
    case 'ArrangementAgreed': {
      const commitments = Array.isArray(data['commitments'])
        ? (data['commitments'] as readonly { organizationId: string }[]).map((c) =>
            name(c.organizationId),
          )
        : [];
      words =
        `${streamName} agreed the arrangement "${text('title')}"` +
        (commitments.length === 0 ? '' : `, with commitments by ${listed(commitments)}`);
      break;
    }
    case 'PartnershipExtended':
      words = `${streamName} was extended to ${day(text('intendedEndAt'))}`;
      break;
    case 'PartnershipEnded':
      words = `${streamName} ended (${text('reason').toLowerCase()})`;
      break;
    case 'InterventionRecorded':
      words = `the intervention "${text('title')}" was aimed at ${streamName}`;
      break;
    default:
      words = `${event.type} in ${event.streamId}`;
  }
  const by = event.metadata.actor ?? 'an unauthenticated client';
  return `${day(event.effectiveAt)} ${words} — recorded ${day(event.recordedAt)} by ${by}`;
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
