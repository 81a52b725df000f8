import { deserialize, serialize } from 'node:v8';
import { ReadAllOptions, RecordedEvent } from '@partnerships/event-store/event-store';
import { NetworkProjection } from './network-projection';
import { NetworkView } from './network-view';
import { Page, logPage } from './paging';
import type { Connection } from './cursor';
import { openMembershipsOf } from './memberships';
import type { ListMaxima } from './list-maxima';

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse('2026-01-01T09:00:00Z');

/** A seeded history of every event type, with backdated and late-recorded events. */
class History {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private seed = 12345;
  private recorded = START;

  constructor(private readonly positionOf: (index: number) => string) {}

  random(below: number): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    // The high bits: the low bits of a power-of-two LCG repeat with short periods.
    return (this.seed >>> 16) % below;
  }

  record(streamId: string, type: string, data: Record<string, unknown>, backdateDays = 0): void {
    const revision = this.revisions.get(streamId) ?? 0;
    this.revisions.set(streamId, revision + 1);
    const index = this.events.length;
    this.recorded += DAY / 4;
    // Within a stream both times only move forward: a backdated event may not precede the
    // stream's previous one.
    const previous = this.events.findLast((event) => event.streamId === streamId);
    const effective = Math.max(
      this.recorded - backdateDays * DAY,
      previous?.effectiveAt.getTime() ?? -Infinity,
    );
    // Half the ids are UUIDs (as the store derives them), half not: both are kept.
    const hex = index.toString(16).padStart(12, '0');
    this.events.push({
      id: index % 2 === 0 ? `0000abcd-0000-4000-8000-${hex}` : `event-${index}`,
      streamId,
      revision,
      position: this.positionOf(index),
      type,
      data,
      effectiveAt: new Date(effective),
      recordedAt: new Date(this.recorded),
      metadata: {
        actor: null,
        commandId: `command-${index}`,
        correlationId: `command-${index}`,
        causationId: `command-${index}`,
        commandDigest: 'digest',
      },
      schemaVersion: type === 'ArrangementAgreed' ? 2 : 1,
    });
  }

  readStream(streamId: string): Promise<readonly RecordedEvent[]> {
    return Promise.resolve(this.events.filter((event) => event.streamId === streamId));
  }

  readAll({ after, limit }: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    const start = after === undefined ? 0 : this.events.findIndex((e) => e.position === after) + 1;
    return Promise.resolve(this.events.slice(start, start + limit));
  }
}

function generate(positionOf: (index: number) => string): History {
  const history = new History(positionOf);
  const organizations = Array.from({ length: 12 }, (_, i) => `o${i}`);
  for (const id of organizations) {
    history.record(`organization-${id}`, 'OrganizationRegistered', {
      organizationId: id,
      name: id,
    });
  }
  const groups = ['g0', 'g1', 'g2'];
  for (const id of groups) {
    history.record(`group-${id}`, 'GroupFounded', { groupId: id, name: id, purpose: null });
  }
  const members = new Map(groups.map((id) => [id, new Set<string>()]));
  const partnerships: string[] = [];
  const positions = ['CORE', 'RING', 'FREE_SPACE'];
  for (let step = 0; step < 400; step++) {
    const group = groups[history.random(groups.length)]!;
    const organization = organizations[history.random(organizations.length)]!;
    const inGroup = members.get(group)!;
    const backdate = history.random(4) === 0 ? history.random(3) : 0;
    switch (history.random(8)) {
      case 0:
      case 1:
        if (inGroup.has(organization)) {
          history.record(`group-${group}`, 'PositionChanged', {
            groupId: group,
            organizationId: organization,
            position: positions[history.random(3)],
            previousPosition: 'RING',
            reason: null,
          });
        } else {
          inGroup.add(organization);
          history.record(
            `group-${group}`,
            'OrganizationJoinedGroup',
            {
              groupId: group,
              organizationId: organization,
              position: positions[history.random(3)],
            },
            backdate,
          );
        }
        break;
      case 2:
        if (inGroup.has(organization)) {
          inGroup.delete(organization);
          history.record(`group-${group}`, 'OrganizationLeftGroup', {
            groupId: group,
            organizationId: organization,
            reason: null,
          });
        }
        break;
      case 3: {
        const id = `p${partnerships.length}`;
        partnerships.push(id);
        const other = organizations[(organizations.indexOf(organization) + 1) % 12]!;
        history.record(
          `partnership-${id}`,
          'PartnershipFormed',
          {
            partnershipId: id,
            name: id,
            purpose: null,
            partyIds: [organization, other],
            groupId: history.random(2) === 0 ? group : null,
            intendedEndAt: new Date(START + (30 + history.random(90)) * DAY).toISOString(),
          },
          backdate,
        );
        break;
      }
      case 4: {
        const id = partnerships[history.random(Math.max(1, partnerships.length))];
        if (id === undefined) break;
        const kind = history.random(3);
        if (kind === 0) {
          history.record(`partnership-${id}`, 'ArrangementAgreed', {
            partnershipId: id,
            arrangementId: `a${step}`,
            title: `Arrangement ${step}`,
            terms: 'We share what we learn.',
            validUntil: history.random(2) === 0 ? null : new Date(START + 200 * DAY).toISOString(),
            commitments: [{ organizationId: organization, commitment: 'time' }],
          });
        } else if (kind === 1) {
          history.record(`partnership-${id}`, 'PartnershipExtended', {
            partnershipId: id,
            intendedEndAt: new Date(START + (120 + step) * DAY).toISOString(),
            previousIntendedEndAt: new Date(START).toISOString(),
          });
        } else {
          history.record(`partnership-${id}`, 'PartnershipEnded', {
            partnershipId: id,
            reason: 'COMPLETED',
            note: null,
          });
        }
        break;
      }
      case 5:
        history.record(`organization-${organization}`, 'CapabilityAssessed', {
          organizationId: organization,
          ambition: history.random(5) + 1,
          realized: history.random(5) + 1,
          notes: null,
        });
        break;
      case 6: {
        const target = history.random(2) === 0 ? `organization-${organization}` : `group-${group}`;
        history.record(target, 'InterventionRecorded', {
          interventionId: `i${step}`,
          organizationId: target.startsWith('organization') ? organization : null,
          groupId: target.startsWith('group') ? group : null,
          partnershipId: null,
          title: `Intervention ${step}`,
          aim: null,
        });
        break;
      }
      default:
        if (step === 390)
          history.record('group-g2', 'GroupDissolved', { groupId: 'g2', reason: null });
    }
  }
  return history;
}

/** Everything a view answers, as JSON (the nodes' links back to view and record left out). */
async function answers(
  projection: NetworkProjection,
  history: History,
  asOf: number,
  knownAt: number,
) {
  const view = new NetworkView(projection, new Date(asOf), new Date(knownAt), history);
  const organizations = view.organizations({ first: 500 });
  const groups = view.groups({ first: 500 });
  const partnerships = view.partnerships({}, { first: 500 });
  const histories = [];
  for (const { node } of groups.edges) histories.push(await view.history(node));
  const arrangements = [];
  for (const { node } of partnerships.edges) arrangements.push(await view.arrangements(node));
  const result = {
    stats: view.stats(),
    organizations: organizations.edges.map(({ cursor, node }) => ({
      cursor,
      node,
      memberships: view.memberships(node, true),
      partnerships: view.partnershipsOfOrganization(node, null),
      relations: view.relations(node),
      capabilityHistory: view.capabilityHistory(node),
      interventions: view.interventions(node),
    })),
    groups: groups.edges.map(({ cursor, node }) => ({
      cursor,
      node,
      members: view.members(node, null, true),
      partnerships: view.partnershipsOfGroup(node, null),
      interventions: view.interventions(node),
    })),
    partnerships: partnerships.edges.map(({ cursor, node }) => ({
      cursor,
      node,
      parties: view.parties(node),
      group: view.groupOf(node),
    })),
    histories,
    arrangements,
    streamHistory: await view.streamHistory('organization-o3'),
    log: await logPage(projection, history, { first: 500 }, null),
    typed: await logPage(projection, history, { first: 7, after: organizations.edges[2]?.cursor }, [
      'PositionChanged',
      'ArrangementAgreed',
    ]),
  };
  return JSON.stringify(result, (key, value: unknown) =>
    key === 'view' || key === 'record' ? undefined : value,
  );
}

const roundTrip = (projection: NetworkProjection): NetworkProjection =>
  NetworkProjection.fromState(deserialize(serialize(projection.exportState())));

describe.each([
  ['integer positions (SQLite)', (index: number) => String(index + 1)],
  ['other positions (EventStoreDB)', (index: number) => `${index * 100 + 50}:${index * 100}`],
])('NetworkProjection state, %s', (_name, positionOf) => {
  const history = generate(positionOf);
  const original = new NetworkProjection();
  for (const event of history.events) original.apply(event);
  const last = history.events.at(-1)!.recordedAt.getTime();
  const times: [number, number][] = [
    [START + 10 * DAY, START + 10 * DAY],
    [START + 40 * DAY, START + 60 * DAY],
    [START + 60 * DAY, START + 45 * DAY],
    [START + 300 * DAY, last],
  ];

  it('answers every query after v8 serialisation exactly as the projection it came from', async () => {
    const restored = roundTrip(original);
    expect(restored.length).toBe(original.length);
    expect(restored.checkpoint).toBe(original.checkpoint);
    expect(restored.horizon).toEqual(original.horizon);
    for (let index = 0; index < original.length; index++) {
      expect(restored.eventIdAt(index)).toBe(history.events[index]!.id);
    }
    for (const [asOf, knownAt] of times) {
      const expected = await answers(original, history, asOf, knownAt);
      expect(expected.length).toBeGreaterThan(1000);
      expect(await answers(restored, history, asOf, knownAt)).toBe(expected);
    }
  });

  it('follows the log on from its checkpoint like the original', async () => {
    const cut = Math.floor(history.events.length * 0.6);
    const early = new NetworkProjection();
    for (const event of history.events.slice(0, cut)) early.apply(event);
    const resumed = roundTrip(early);
    expect(resumed.checkpoint).toBe(history.events[cut - 1]!.position);
    for (const event of history.events.slice(cut)) resumed.apply(event);
    for (const [asOf, knownAt] of times) {
      expect(await answers(resumed, history, asOf, knownAt)).toBe(
        await answers(original, history, asOf, knownAt),
      );
    }
  });
});

describe('NetworkView connections', () => {
  const history = generate((index) => String(index + 1));
  const projection = new NetworkProjection();
  for (const event of history.events) projection.apply(event);
  const last = history.events.at(-1)!.recordedAt.getTime();
  const json = (value: unknown) =>
    JSON.stringify(value, (key, item: unknown) =>
      key === 'view' || key === 'record' ? undefined : item,
    );

  /** Every page of a connection, `first` at a time, each checked against the whole. */
  function walk<N>(
    pageAt: (page: Page) => Connection<N>,
    first: number,
    expected: readonly unknown[],
  ): void {
    const nodes: N[] = [];
    let after: string | null = null;
    for (;;) {
      const connection = pageAt({ first, after });
      expect(connection.totalCount).toBe(expected.length);
      nodes.push(...connection.edges.map((edge) => edge.node));
      expect(connection.pageInfo.hasNextPage).toBe(nodes.length < expected.length);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(json(nodes)).toBe(json(expected));
  }

  // The instant a partnership's first event took effect and was recorded: the boundary.
  const formed = history.events[projection.partnershipOrder[10]!.seq]!;

  it.each([
    ['the instant one was formed', formed.effectiveAt.getTime(), formed.recordedAt.getTime()],
    ['a past pair of times', START + 10 * DAY, START + 10 * DAY],
    ['a backdated past', START + 40 * DAY, START + 60 * DAY],
    ['late knowledge', START + 60 * DAY, START + 45 * DAY],
    ['every event', START + 300 * DAY, last],
  ])('pages and counts every list as the single lookups see it, at %s', (_name, asOf, knownAt) => {
    const view = new NetworkView(projection, new Date(asOf), new Date(knownAt), history);
    const organizations = projection.organizationOrder.flatMap(
      ({ id }) => view.organization(id) ?? [],
    );
    const groups = projection.groupOrder.flatMap(({ id }) => view.group(id) ?? []);
    const partnerships = projection.partnershipOrder.flatMap(
      ({ id }) => view.partnership(id) ?? [],
    );
    expect(organizations.length).toBeGreaterThan(0);
    expect(partnerships.length).toBeGreaterThan(0);
    const active = partnerships.filter((node) => node.status === 'ACTIVE');
    const members = groups.flatMap((node) => view.members(node, null, false));
    const holding = (position: string) =>
      members.filter((member) => member.position === position).length;
    expect(members.length).toBeGreaterThan(0);
    for (const group of groups) {
      const listed = view.members(group, null, false);
      const of = (position: string) => listed.filter((member) => member.position === position);
      expect(view.membersByPosition(group)).toEqual({
        core: of('CORE').length,
        ring: of('RING').length,
        freeSpace: of('FREE_SPACE').length,
      });
    }
    expect(view.stats()).toEqual({
      organizations: organizations.length,
      groups: groups.length,
      activeGroups: groups.filter((node) => node.dissolvedAt === null).length,
      activeMemberships: members.length,
      membersByPosition: {
        core: holding('CORE'),
        ring: holding('RING'),
        freeSpace: holding('FREE_SPACE'),
      },
      activePartnerships: active.length,
      endedPartnerships: partnerships.length - active.length,
      overduePartnerships: active.filter((node) => node.termStatus === 'OVERDUE').length,
    });
    for (const first of [1, 3, 500]) {
      walk((page) => view.organizations(page), first, organizations);
      walk((page) => view.groups(page), first, groups);
      for (const status of [null, 'ACTIVE', 'ENDED'] as const) {
        for (const organizationId of [null, 'o3', 'unknown']) {
          for (const groupId of [null, 'g1', 'unknown']) {
            const expected = partnerships.filter(
              (node) =>
                (status === null || node.status === status) &&
                (organizationId === null ||
                  node.record.parties.some((party) => party.id === organizationId)) &&
                (groupId === null || node.record.group?.id === groupId),
            );
            walk(
              (page) => view.partnerships({ status, organizationId, groupId }, page),
              first,
              expected,
            );
          }
        }
      }
    }
  });
});

describe('NetworkProjection state: long chains of links', () => {
  it('serialises a network whose memberships link every organisation to the next', () => {
    // Organisation i belongs to groups i - 1 and i: following the records' links from the
    // first organisation reaches every other, which a state of linked records made v8's
    // serializer recurse into until its stack overflowed (as it did at a million events).
    const chain = 20_000;
    const events: RecordedEvent[] = [];
    const at = new Date(START);
    const add = (streamId: string, revision: number, type: string, data: Record<string, unknown>) =>
      events.push({
        id: `event-${events.length}`,
        streamId,
        revision,
        position: String(events.length + 1),
        type,
        data,
        effectiveAt: at,
        recordedAt: at,
        metadata: {
          actor: null,
          commandId: `c${events.length}`,
          correlationId: `c${events.length}`,
          causationId: `c${events.length}`,
          commandDigest: 'd',
        },
        schemaVersion: 1,
      });
    for (let i = 0; i < chain; i++) {
      add(`organization-o${i}`, 0, 'OrganizationRegistered', {
        organizationId: `o${i}`,
        name: `O${i}`,
      });
      add(`group-g${i}`, 0, 'GroupFounded', { groupId: `g${i}`, name: `G${i}`, purpose: null });
    }
    for (let i = 0; i < chain; i++) {
      const join = (group: number, revision: number) =>
        add(`group-g${group}`, revision, 'OrganizationJoinedGroup', {
          groupId: `g${group}`,
          organizationId: `o${i}`,
          position: 'CORE',
        });
      join(i, 1);
      if (i > 0) join(i - 1, 2);
    }
    const projection = new NetworkProjection();
    for (const event of events) projection.apply(event);

    const copy = NetworkProjection.fromState(
      deserialize(serialize(projection.exportState())) as ReturnType<
        NetworkProjection['exportState']
      >,
    );

    const groupsOf = (p: NetworkProjection, id: string) =>
      [...p.organizations.get(id)!.memberships].map(
        (membership) => p.groupOrder[p.memberships.groupOf(membership)]!.id,
      );
    for (const id of ['o0', 'o1', `o${chain / 2}`, `o${chain - 1}`]) {
      expect(groupsOf(copy, id)).toEqual(groupsOf(projection, id));
    }
    const membersOf = (p: NetworkProjection, id: string) =>
      [...openMembershipsOf(p.groups.get(id)!, p.memberships).keys()].map(
        (order) => p.organizationOrder[order]!.id,
      );
    expect(membersOf(copy, `g${chain / 2}`)).toEqual([`o${chain / 2}`, `o${chain / 2 + 1}`]);
    expect(membersOf(copy, `g${chain / 2}`)).toEqual(membersOf(projection, `g${chain / 2}`));
  });
});

/** The longest list of each kind, walked over every record: what the projection keeps. */
function measureLists(projection: NetworkProjection): ListMaxima {
  const longest = (lengths: number[]) => Math.max(0, ...lengths);
  const { organizationOrder, groupOrder, partnershipOrder, memberships } = projection;
  return {
    history: longest([...projection.streams.values()].map(({ seqs }) => seqs.length)),
    organizationMemberships: longest(organizationOrder.map((o) => o.memberships.length)),
    organizationPartnerships: longest(organizationOrder.map((o) => o.partnerships.length)),
    assessments: longest(organizationOrder.map((o) => o.assessments.length)),
    interventions: longest(
      [...organizationOrder, ...groupOrder, ...partnershipOrder].map((r) => r.interventions.length),
    ),
    groupMemberships: longest(groupOrder.map((g) => g.memberships.length)),
    groupPartnerships: longest(groupOrder.map((g) => g.partnerships.length)),
    parties: longest(partnershipOrder.map((p) => p.parties.length)),
    arrangements: longest(partnershipOrder.map((p) => p.arrangements.length)),
    moves: longest(
      Array.from({ length: memberships.length }, (_, m) => memberships.movesOf(m)?.length ?? 0),
    ),
  };
}

describe('NetworkProjection list maxima', () => {
  const history = generate((index) => String(index + 1));

  it('equal a walk over every record after each event', () => {
    const projection = new NetworkProjection();
    for (const event of history.events) {
      projection.apply(event);
      expect(projection.listMaxima()).toEqual(measureLists(projection));
    }
  });

  it('cover every kind of list in the generated history', () => {
    const projection = new NetworkProjection();
    for (const event of history.events) projection.apply(event);
    for (const [list, longest] of Object.entries(projection.listMaxima())) {
      expect([list, longest > 1]).toEqual([list, true]);
    }
  });

  it('come with a projection restored from its state, and are kept as it follows the log', () => {
    const cut = Math.floor(history.events.length * 0.6);
    const early = new NetworkProjection();
    for (const event of history.events.slice(0, cut)) early.apply(event);
    const restored = roundTrip(early);
    expect(restored.listMaxima()).toEqual(measureLists(early));
    for (const event of history.events.slice(cut)) {
      restored.apply(event);
      expect(restored.listMaxima()).toEqual(measureLists(restored));
    }
  });
});
