/** The side panel: details of the organisation, group or partnership clicked, seen at the
 * view's pair of times. */
import { useEffect, useState } from 'preact/hooks';
import {
  GroupDetailsDocument,
  GroupDetailsQuery,
  OrganizationDetailsDocument,
  OrganizationDetailsQuery,
  PartnershipDetailsDocument,
  PartnershipDetailsQuery,
} from '../graphql/generated';
import { request } from '../graphql/client';
import { Role } from '../graphql/role';
import { POSITION_LABEL, TERM_STYLE } from './palette';
import { TrendChart } from './trend-chart';
import { day } from './network-table';

export interface DetailsProps {
  readonly selected: string;
  readonly times: { asOf?: string; knownAt?: string };
  readonly role: Role;
  /** Changes whenever the network is reloaded, so the panel follows. */
  readonly revision: number;
  readonly onSelect: (selected: string | null) => void;
  readonly onFocusGroup: (groupId: string) => void;
}

type Loaded =
  | { kind: 'organization'; data: NonNullable<OrganizationDetailsQuery['network']['organization']> }
  | { kind: 'group'; data: NonNullable<GroupDetailsQuery['network']['group']> }
  | {
      kind: 'partnership';
      data: NonNullable<PartnershipDetailsQuery['network']['partnership']>;
      asOf: string;
    };

export function Details({ selected, times, role, revision, onSelect, onFocusGroup }: DetailsProps) {
  const [loaded, setLoaded] = useState<Loaded | null | 'missing'>(null);
  const [error, setError] = useState<string | null>(null);
  const audit = role !== 'viewer';
  const [kind, ...rest] = selected.split(':');
  const id = rest.join(':');
  useEffect(() => {
    const controller = new AbortController();
    const variables = { id, audit, ...times };
    const load = async (): Promise<Loaded | 'missing'> => {
      if (kind === 'organization') {
        const data = (await request(OrganizationDetailsDocument, variables, controller.signal))
          .network.organization;
        return data === null ? 'missing' : { kind, data };
      }
      if (kind === 'group') {
        const data = (await request(GroupDetailsDocument, variables, controller.signal)).network
          .group;
        return data === null ? 'missing' : { kind, data };
      }
      const { network } = await request(PartnershipDetailsDocument, variables, controller.signal);
      return network.partnership === null
        ? 'missing'
        : { kind: 'partnership', data: network.partnership, asOf: network.asOf };
    };
    load().then(
      (result) => {
        setLoaded(result);
        setError(null);
      },
      (failure: unknown) => {
        if (!controller.signal.aborted)
          setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    return () => controller.abort();
  }, [selected, times.asOf, times.knownAt, audit, revision]);

  return (
    <aside class="details" aria-label="Details">
      <button class="close" aria-label="Close details" onClick={() => onSelect(null)}>
        ×
      </button>
      {error !== null && <p class="error">{error}</p>}
      {loaded === 'missing' && <p>Nothing with id “{id}” existed at this time.</p>}
      {loaded !== null && loaded !== 'missing' && loaded.kind === 'organization' && (
        <OrganizationPanel data={loaded.data} onSelect={onSelect} />
      )}
      {loaded !== null && loaded !== 'missing' && loaded.kind === 'group' && (
        <GroupPanel data={loaded.data} onSelect={onSelect} onFocus={onFocusGroup} />
      )}
      {loaded !== null && loaded !== 'missing' && loaded.kind === 'partnership' && (
        <PartnershipPanel data={loaded.data} asOf={loaded.asOf} onSelect={onSelect} />
      )}
    </aside>
  );
}

function OrganizationPanel({
  data,
  onSelect,
}: {
  data: Extract<Loaded, { kind: 'organization' }>['data'];
  onSelect: (selected: string) => void;
}) {
  const assessments = data.capabilityHistory ?? (data.capability === null ? [] : [data.capability]);
  return (
    <section>
      <h2>{data.name}</h2>
      <p class="muted">
        Organisation <code>{data.id}</code>, registered {day(data.registeredAt)}
      </p>
      <h3>Groups and positions over time</h3>
      {data.memberships.length === 0 && <p class="muted">In no group.</p>}
      <ul>
        {data.memberships.map((membership) => (
          <li key={`${membership.group.id}-${membership.joinedAt}`}>
            <button class="link-button" onClick={() => onSelect(`group:${membership.group.id}`)}>
              {membership.group.name}
            </button>
            : {day(membership.joinedAt)} –{' '}
            {membership.leftAt === null ? 'now' : day(membership.leftAt)}
            <ul>
              {membership.positions.map((period) => (
                <li key={period.from}>
                  {POSITION_LABEL[period.position]} from {day(period.from)}
                  {period.until !== null && ` until ${day(period.until)}`}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <h3>Partnerships</h3>
      {data.partnerships.length === 0 && <p class="muted">None.</p>}
      <ul>
        {data.partnerships.map((partnership) => (
          <li key={partnership.id}>
            <button class="link-button" onClick={() => onSelect(`partnership:${partnership.id}`)}>
              {partnership.name}
            </button>{' '}
            ({TERM_STYLE[partnership.termStatus].label})
          </li>
        ))}
      </ul>
      <h3>Capability: ambition against realised</h3>
      {data.capabilityHistory === undefined && (
        <p class="muted">Only the latest assessment: the trend needs the auditor role.</p>
      )}
      <TrendChart assessments={assessments} />
      <h3>Interventions ({data.interventions.length})</h3>
      {data.interventions.length === 0 && <p class="muted">None recorded.</p>}
      <ul class="interventions">
        {data.interventions.map((intervention) => (
          <li key={intervention.id} data-intervention={intervention.id}>
            {day(intervention.at)}: <strong>{intervention.title}</strong>
            {intervention.aim !== null && <> — {intervention.aim}</>}
            <br />
            <span class="muted">{gapWords(intervention)}</span>
          </li>
        ))}
      </ul>
      <h3>Works with ({data.relations.length})</h3>
      {data.relations.length === 0 && (
        <p class="muted">No shared partnership or group at this time.</p>
      )}
      <ul class="relations">
        {data.relations.map((relation) => (
          <li key={relation.organization.id} data-organization={relation.organization.id}>
            <button
              class="link-button"
              onClick={() => onSelect(`organization:${relation.organization.id}`)}
            >
              {relation.organization.name}
            </button>{' '}
            <span class="muted">since {day(relation.since)}</span>
            {relation.groups.length > 0 && (
              <>
                {' '}
                · in{' '}
                {relation.groups.map((group, index) => (
                  <span key={group.id}>
                    {index > 0 && ', '}
                    <button class="link-button" onClick={() => onSelect(`group:${group.id}`)}>
                      {group.name}
                    </button>
                  </span>
                ))}
              </>
            )}
            {relation.partnerships.length > 0 && (
              <>
                {' '}
                · partners in{' '}
                {relation.partnerships.map((partnership, index) => (
                  <span key={partnership.id}>
                    {index > 0 && ', '}
                    <button
                      class="link-button"
                      onClick={() => onSelect(`partnership:${partnership.id}`)}
                    >
                      {partnership.name}
                    </button>
                  </span>
                ))}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

type Assessment = { ambition: number; realized: number; gap: number; assessedAt: string };

/** Whether the gap between ambition and what is realised closed after an intervention. */
export function gapWords(intervention: {
  capabilityBefore: Assessment | null;
  capabilityAfter: Assessment | null;
}): string {
  const { capabilityBefore: before, capabilityAfter: after } = intervention;
  const describe = (a: Assessment) =>
    `ambition ${a.ambition}, realised ${a.realized} (${day(a.assessedAt)})`;
  if (before === null && after === null) return 'No capability assessment before or after it.';
  if (after === null) return `Before: ${describe(before!)}; not assessed since.`;
  if (before === null) return `Not assessed before; after: ${describe(after)}.`;
  // The gap is ambition minus realised: below zero, more is realised than aimed for.
  const verdict =
    before.gap > 0 && after.gap <= 0
      ? `what is realised reached the ambition (the gap went from ${before.gap} to ${after.gap})`
      : Math.abs(after.gap) < Math.abs(before.gap)
        ? `the gap closed from ${before.gap} to ${after.gap}`
        : Math.abs(after.gap) > Math.abs(before.gap)
          ? `the gap widened from ${before.gap} to ${after.gap}`
          : `the gap stayed at ${after.gap}`;
  return `Before: ${describe(before)}; after: ${describe(after)}: ${verdict}.`;
}

function InterventionList({
  interventions,
}: {
  interventions: readonly { id: string; title: string; aim: string | null; at: string }[];
}) {
  return (
    <>
      <h3>Interventions ({interventions.length})</h3>
      {interventions.length === 0 ? (
        <p class="muted">None recorded.</p>
      ) : (
        <ul class="interventions">
          {interventions.map((intervention) => (
            <li key={intervention.id} data-intervention={intervention.id}>
              {day(intervention.at)}: <strong>{intervention.title}</strong>
              {intervention.aim !== null && <> — {intervention.aim}</>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function GroupPanel({
  data,
  onSelect,
  onFocus,
}: {
  data: Extract<Loaded, { kind: 'group' }>['data'];
  onSelect: (selected: string) => void;
  onFocus: (groupId: string) => void;
}) {
  const current = data.members.filter((member) => member.leftAt === null);
  const former = data.members.filter((member) => member.leftAt !== null);
  return (
    <section>
      <h2>{data.name}</h2>
      <p class="muted">
        Group <code>{data.id}</code>, founded {day(data.foundedAt)}
        {data.dissolvedAt !== null && `, dissolved ${day(data.dissolvedAt)}`}
      </p>
      {data.purpose !== null && <p>{data.purpose}</p>}
      <button onClick={() => onFocus(data.id)}>Show only this group</button>
      {(['CORE', 'RING', 'FREE_SPACE'] as const).map((position) => {
        const inPosition = current.filter((member) => member.position === position);
        return (
          <div key={position}>
            <h3>
              {POSITION_LABEL[position]} ({inPosition.length})
            </h3>
            <ul class="inline-list">
              {inPosition.map((member) => (
                <li key={member.organization.id}>
                  <button
                    class="link-button"
                    onClick={() => onSelect(`organization:${member.organization.id}`)}
                  >
                    {member.organization.name}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      {former.length > 0 && (
        <>
          <h3>Former members</h3>
          <ul>
            {former.map((member) => (
              <li key={`${member.organization.id}-${member.joinedAt}`}>
                {member.organization.name}: {day(member.joinedAt)} – {day(member.leftAt)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Partnerships in this group ({data.partnerships.length})</h3>
      <ul>
        {data.partnerships.map((partnership) => (
          <li key={partnership.id}>
            <button class="link-button" onClick={() => onSelect(`partnership:${partnership.id}`)}>
              {partnership.name}
            </button>{' '}
            ({TERM_STYLE[partnership.termStatus].label})
          </li>
        ))}
      </ul>
      <InterventionList interventions={data.interventions} />
      <h3>History</h3>
      {data.history === undefined ? (
        <p class="muted">The history needs the auditor role.</p>
      ) : (
        <HistoryList events={data.history} />
      )}
    </section>
  );
}

function PartnershipPanel({
  data,
  asOf,
  onSelect,
}: {
  data: Extract<Loaded, { kind: 'partnership' }>['data'];
  asOf: string;
  onSelect: (selected: string) => void;
}) {
  const daysLeft = Math.ceil((Date.parse(data.intendedEndAt) - Date.parse(asOf)) / 86_400_000);
  return (
    <section>
      <h2>{data.name}</h2>
      <p class="muted">
        Partnership <code>{data.id}</code>
        {data.group !== null && (
          <>
            {' '}
            in{' '}
            <button class="link-button" onClick={() => onSelect(`group:${data.group!.id}`)}>
              {data.group.name}
            </button>
          </>
        )}
      </p>
      {data.purpose !== null && <p>{data.purpose}</p>}
      <p class={`term term-${data.termStatus}`}>
        Term: <strong>{TERM_STYLE[data.termStatus].label}</strong>
        {data.status === 'ACTIVE' &&
          (daysLeft >= 0 ? `, ${daysLeft} days left` : `, ${-daysLeft} days past the intended end`)}
      </p>
      <p>
        Parties:{' '}
        {data.parties.map((party, index) => (
          <span key={party.id}>
            {index > 0 && ', '}
            <button class="link-button" onClick={() => onSelect(`organization:${party.id}`)}>
              {party.name}
            </button>
          </span>
        ))}
      </p>
      <h3>Arrangements ({data.arrangements.length})</h3>
      {data.arrangements.length === 0 && <p class="muted">None agreed.</p>}
      <ul class="arrangements">
        {data.arrangements.map((arrangement) => (
          <li key={arrangement.id} data-arrangement={arrangement.id}>
            <strong>{arrangement.title}</strong>{' '}
            <span class="muted">
              agreed {day(arrangement.agreedAt)}
              {arrangement.validUntil !== null && `, valid until ${day(arrangement.validUntil)}`}
              {arrangement.endedAt !== null && `, ended ${day(arrangement.endedAt)}`}
            </span>
            <p class="terms">{arrangement.terms}</p>
            {arrangement.commitments.length > 0 && (
              <ul class="commitment-list" aria-label={`Commitments under ${arrangement.title}`}>
                {arrangement.commitments.map((commitment) => (
                  <li key={commitment.organization.id}>
                    <button
                      class="link-button"
                      onClick={() => onSelect(`organization:${commitment.organization.id}`)}
                    >
                      {commitment.organization.name}
                    </button>
                    : {commitment.commitment}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <InterventionList interventions={data.interventions} />
      <h3>Timeline</h3>
      {data.history !== undefined ? (
        <HistoryList events={data.history} />
      ) : (
        <ol class="timeline">
          <li>
            {day(data.startedAt)}: formed, intended to end {day(data.intendedEndAt)}
          </li>
          {data.arrangements.map((arrangement) => (
            <li key={arrangement.id}>
              {day(arrangement.agreedAt)}: arrangement “{arrangement.title}” agreed
              {arrangement.validUntil !== null && `, valid until ${day(arrangement.validUntil)}`}
            </li>
          ))}
          {data.endedAt !== null && (
            <li>
              {day(data.endedAt)}: ended ({data.endReason?.toLowerCase()})
            </li>
          )}
        </ol>
      )}
    </section>
  );
}

const EVENT_WORDS: Record<string, string> = {
  OrganizationRegistered: 'registered',
  CapabilityAssessed: 'capability assessed',
  GroupFounded: 'founded',
  OrganizationJoinedGroup: 'joined',
  PositionChanged: 'changed position',
  OrganizationLeftGroup: 'left',
  GroupDissolved: 'dissolved',
  PartnershipFormed: 'formed',
  ArrangementAgreed: 'arrangement agreed',
  PartnershipExtended: 'extended',
  PartnershipEnded: 'ended',
  InterventionRecorded: 'intervention recorded',
};

export function eventWords(type: string): string {
  return EVENT_WORDS[type] ?? type;
}

function HistoryList({
  events,
}: {
  events: readonly { type: string; effectiveAt: string; recordedAt: string; data: unknown }[];
}) {
  return (
    <ol class="timeline">
      {events.map((event, index) => {
        const data = (event.data ?? {}) as Record<string, unknown>;
        const position = data['position'];
        const detail = [
          data['organizationId'],
          typeof position === 'string' && position in POSITION_LABEL
            ? POSITION_LABEL[position as keyof typeof POSITION_LABEL]
            : position,
          data['title'],
          typeof data['intendedEndAt'] === 'string'
            ? `intended end ${day(data['intendedEndAt'])}`
            : undefined,
          data['reason'],
        ]
          .filter((value) => typeof value === 'string')
          .join(', ');
        const late = Date.parse(event.recordedAt) - Date.parse(event.effectiveAt) > 86_400_000;
        return (
          <li key={index}>
            {day(event.effectiveAt)}: {eventWords(event.type)}
            {detail !== '' && ` (${detail})`}
            {late && <span class="muted"> — recorded {day(event.recordedAt)}</span>}
          </li>
        );
      })}
    </ol>
  );
}
