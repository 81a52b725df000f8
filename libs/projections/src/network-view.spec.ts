import { ReadAllOptions, RecordedEvent } from '@partnerships/event-store/event-store';
import { InvalidInputError } from '@partnerships/domain/common/errors';
import { NetworkProjection } from './network-projection';
import { NetworkView } from './network-view';
import { logPage } from './paging';

/**
 * Builds recorded events as a store would: revisions per stream, positions in order; and
 * reads them back as a store does (an in-memory log standing in for the store's reads).
 */
class Log {
  readonly projection = new NetworkProjection();
  private readonly revisions = new Map<string, number>();
  private readonly events: RecordedEvent[] = [];

  readStream(streamId: string): Promise<readonly RecordedEvent[]> {
    return Promise.resolve(this.events.filter((event) => event.streamId === streamId));
  }

  readAll({ after, limit }: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    const start = after === undefined ? 0 : this.events.findIndex((e) => e.position === after) + 1;
    return Promise.resolve(this.events.slice(start, start + limit));
  }

  record(
    streamId: string,
    type: string,
    data: Record<string, unknown>,
    times: { effectiveAt: string; recordedAt: string },
  ): RecordedEvent {
    const revision = this.revisions.get(streamId) ?? 0;
    this.revisions.set(streamId, revision + 1);
    const position = String(this.events.length + 1);
    const event: RecordedEvent = {
      id: `event-${position}`,
      streamId,
      revision,
      position,
      type,
      data,
      effectiveAt: new Date(times.effectiveAt),
      recordedAt: new Date(times.recordedAt),
      metadata: {
        actor: null,
        commandId: `command-${position}`,
        correlationId: `command-${position}`,
        causationId: `command-${position}`,
        commandDigest: 'digest',
      },
      schemaVersion: 1,
    };
    this.events.push(event);
    this.projection.apply(event);
    return event;
  }

  view(asOf: string, knownAt: string): NetworkView {
    return new NetworkView(this.projection, new Date(asOf), new Date(knownAt), this);
  }
}

const at = (day: string, recorded = day) => ({
  effectiveAt: `2026-${day}T09:00:00Z`,
  recordedAt: `2026-${recorded}T09:00:00Z`,
});

/** A small network: two organisations in a group, one partnership, a backdated change. */
function network(): Log {
  const log = new Log();
  log.record(
    'organization-a',
    'OrganizationRegistered',
    { organizationId: 'a', name: 'A' },
    at('01-01'),
  );
  log.record(
    'organization-b',
    'OrganizationRegistered',
    { organizationId: 'b', name: 'B' },
    at('01-02'),
  );
  log.record('group-g', 'GroupFounded', { groupId: 'g', name: 'G', purpose: null }, at('01-03'));
  log.record(
    'group-g',
    'OrganizationJoinedGroup',
    { groupId: 'g', organizationId: 'a', position: 'CORE' },
    at('01-04'),
  );
  log.record(
    'group-g',
    'OrganizationJoinedGroup',
    { groupId: 'g', organizationId: 'b', position: 'RING' },
    at('01-05'),
  );
  log.record(
    'partnership-p',
    'PartnershipFormed',
    {
      partnershipId: 'p',
      name: 'P',
      purpose: null,
      partyIds: ['a', 'b'],
      groupId: 'g',
      intendedEndAt: '2026-06-01T00:00:00Z',
    },
    at('01-06'),
  );
  // Effective on 1 February, recorded only on 1 March.
  log.record(
    'group-g',
    'PositionChanged',
    { groupId: 'g', organizationId: 'b', position: 'CORE', previousPosition: 'RING', reason: null },
    at('02-01', '03-01'),
  );
  return log;
}

describe('NetworkView', () => {
  it('sees everything when asked about now', () => {
    const view = network().view('2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z');
    const group = view.group('g')!;
    expect(group.version).toBe(4);
    expect(view.members(group, null, false).map((m) => [m.organization.id, m.position])).toEqual([
      ['a', 'CORE'],
      ['b', 'CORE'],
    ]);
    expect(view.stats()).toMatchObject({
      organizations: 2,
      groups: 1,
      activeGroups: 1,
      activeMemberships: 2,
      membersByPosition: { core: 2, ring: 0, freeSpace: 0 },
      activePartnerships: 1,
    });
  });

  it('sees a backdated change as of its effective time once it is known', () => {
    const view = network().view('2026-02-15T00:00:00Z', '2026-03-15T00:00:00Z');
    const member = view
      .members(view.group('g')!, 'CORE', false)
      .find((m) => m.organization.id === 'b');
    expect(member?.positionSince.toISOString()).toBe('2026-02-01T09:00:00.000Z');
    expect(
      member?.positions.map((p) => [
        p.position,
        p.from.toISOString(),
        p.until?.toISOString() ?? null,
      ]),
    ).toEqual([
      ['RING', '2026-01-05T09:00:00.000Z', '2026-02-01T09:00:00.000Z'],
      ['CORE', '2026-02-01T09:00:00.000Z', null],
    ]);
  });

  it('does not see a backdated change before it was recorded', async () => {
    const view = network().view('2026-02-15T00:00:00Z', '2026-02-20T00:00:00Z');
    const group = view.group('g')!;
    expect(group.version).toBe(3);
    expect((await view.history(group)).map((event) => event.type)).toEqual([
      'GroupFounded',
      'OrganizationJoinedGroup',
      'OrganizationJoinedGroup',
    ]);
    expect(view.members(group, 'RING', false).map((m) => m.organization.id)).toEqual(['b']);
    expect(view.stats().membersByPosition).toEqual({ core: 1, ring: 1, freeSpace: 0 });
  });

  it('does not see what had not yet happened at asOf', () => {
    const view = network().view('2026-01-04T12:00:00Z', '2026-12-31T00:00:00Z');
    expect(view.partnership('p')).toBeNull();
    expect(view.organization('b')?.name).toBe('B');
    expect(
      network().view('2026-01-02T08:00:00Z', '2026-12-31T00:00:00Z').organization('b'),
    ).toBeNull();
    expect(view.members(view.group('g')!, null, false).map((m) => m.organization.id)).toEqual([
      'a',
    ]);
    expect(view.organizations({ first: 10 }).totalCount).toBe(2);
    expect(view.partnerships({}, { first: 10 }).totalCount).toBe(0);
  });

  it('gives the same answer for a past pair of times after later backdated facts', () => {
    const log = network();
    const before = JSON.stringify(log.view('2026-01-20T00:00:00Z', '2026-02-01T00:00:00Z').stats());
    log.record(
      'group-g',
      'OrganizationLeftGroup',
      { groupId: 'g', organizationId: 'a', reason: null },
      at('03-02', '03-05'),
    );
    expect(JSON.stringify(log.view('2026-01-20T00:00:00Z', '2026-02-01T00:00:00Z').stats())).toBe(
      before,
    );
  });

  it('judges termStatus at asOf and counts overdue partnerships', () => {
    const log = network();
    const status = (asOf: string) =>
      log.view(asOf, '2026-12-31T00:00:00Z').partnership('p')!.termStatus;
    expect(status('2026-03-01T00:00:00Z')).toBe('RUNNING');
    expect(status('2026-05-01T23:59:59Z')).toBe('RUNNING');
    expect(status('2026-05-02T00:00:00Z')).toBe('ENDING_SOON');
    expect(status('2026-06-01T00:00:00Z')).toBe('OVERDUE');
    expect(
      log.view('2026-07-01T00:00:00Z', '2026-12-31T00:00:00Z').stats().overduePartnerships,
    ).toBe(1);
    log.record(
      'partnership-p',
      'PartnershipEnded',
      { partnershipId: 'p', reason: 'COMPLETED', note: null },
      at('07-02'),
    );
    const view = log.view('2026-07-03T00:00:00Z', '2026-07-03T00:00:00Z');
    expect(view.partnership('p')).toMatchObject({
      status: 'ENDED',
      termStatus: 'ENDED',
      endReason: 'COMPLETED',
    });
    expect(view.stats()).toMatchObject({
      activePartnerships: 0,
      endedPartnerships: 1,
      overduePartnerships: 0,
    });
    expect(status('2026-07-01T00:00:00Z')).toBe('OVERDUE');
  });

  it('counts a partnership overdue by the extensions the view sees, none, some or all', () => {
    const log = network();
    const extend = (to: string, day: string) =>
      log.record(
        'partnership-p',
        'PartnershipExtended',
        { partnershipId: 'p', intendedEndAt: to, previousIntendedEndAt: '2026-06-01T00:00:00Z' },
        at(day),
      );
    // Formed to end on 1 June; extended on 1 March to 1 August, on 1 April to 1 October.
    extend('2026-08-01T00:00:00Z', '03-01');
    extend('2026-10-01T00:00:00Z', '04-01');
    const overdue = (asOf: string, knownAt: string) => {
      const view = log.view(asOf, knownAt);
      return [view.partnership('p')!.termStatus === 'OVERDUE', view.stats().overduePartnerships];
    };
    // 1 September: overdue by the first extension, not by the second.
    expect(overdue('2026-09-01T00:00:00Z', '2026-12-31T00:00:00Z')).toEqual([false, 0]);
    expect(overdue('2026-09-01T00:00:00Z', '2026-03-15T00:00:00Z')).toEqual([true, 1]);
    // 1 July: overdue by the end as formed only.
    expect(overdue('2026-07-01T00:00:00Z', '2026-02-15T00:00:00Z')).toEqual([true, 1]);
    expect(overdue('2026-07-01T00:00:00Z', '2026-03-15T00:00:00Z')).toEqual([false, 0]);
  });

  it('ends every membership when the group is dissolved; its partnerships go on', () => {
    const log = network();
    log.record('group-g', 'GroupDissolved', { groupId: 'g', reason: null }, at('04-01'));
    const view = log.view('2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z');
    const group = view.group('g')!;
    expect(group.dissolvedAt?.toISOString()).toBe('2026-04-01T09:00:00.000Z');
    expect(view.members(group, null, false)).toEqual([]);
    expect(view.members(group, null, true).map((m) => m.leftAt?.toISOString())).toEqual([
      '2026-04-01T09:00:00.000Z',
      '2026-04-01T09:00:00.000Z',
    ]);
    expect(view.partnershipsOfGroup(group, 'ACTIVE').map((p) => p.id)).toEqual(['p']);
    expect(view.stats()).toMatchObject({ groups: 1, activeGroups: 0, activeMemberships: 0 });
  });

  it('pages connections in first-recorded order with cursors it issued', () => {
    const view = network().view('2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z');
    const first = view.organizations({ first: 1 });
    expect(first.edges.map((edge) => edge.node.id)).toEqual(['a']);
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const second = view.organizations({ first: 1, after: first.pageInfo.endCursor });
    expect(second.edges.map((edge) => edge.node.id)).toEqual(['b']);
    expect(second).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false } });
    expect(() => view.organizations({ first: 1, after: 'garbage' })).toThrow(InvalidInputError);
    expect(() => view.organizations({ first: 501 })).toThrow(InvalidInputError);
  });

  it('pages the global log with a types filter', async () => {
    const log = network();
    const joined = await logPage(log.projection, log, { first: 1 }, [
      'OrganizationJoinedGroup',
      'PositionChanged',
    ]);
    expect(joined.edges.map((edge) => edge.node.position)).toEqual(['4']);
    const rest = await logPage(
      log.projection,
      log,
      { first: 10, after: joined.pageInfo.endCursor },
      ['OrganizationJoinedGroup', 'PositionChanged'],
    );
    expect(rest.edges.map((edge) => edge.node.type)).toEqual([
      'OrganizationJoinedGroup',
      'PositionChanged',
    ]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect((await logPage(log.projection, log, { first: 100 }, [])).edges).toHaveLength(7);
  });

  it('refuses malformed ids and stream ids, and gives null or nothing for unknown ones', async () => {
    const view = network().view('2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(() => view.organization('has space')).toThrow(InvalidInputError);
    expect(view.organization('unknown')).toBeNull();
    await expect(view.streamHistory('nonsense')).rejects.toThrow(InvalidInputError);
    expect(await view.streamHistory('group-unknown')).toEqual([]);
  });
});

describe('NetworkView.relations', () => {
  /**
   * a and b: partnership p from 03-01; both in group g (a from 01-04, b from 02-01, b left
   * 02-10 and joined again 02-20). a and c: in group h from 01-10 to c's leaving on 04-01.
   * a and d: only in group g, d joined 05-01 (recorded a month later).
   */
  function relatedNetwork(): Log {
    const log = new Log();
    for (const id of ['a', 'b', 'c', 'd']) {
      log.record(
        `organization-${id}`,
        'OrganizationRegistered',
        { organizationId: id, name: id.toUpperCase() },
        at('01-01'),
      );
    }
    const join = (group: string, organizationId: string, day: string, recorded = day) =>
      log.record(
        `group-${group}`,
        'OrganizationJoinedGroup',
        { groupId: group, organizationId, position: 'CORE' },
        at(day, recorded),
      );
    const leave = (group: string, organizationId: string, day: string) =>
      log.record(
        `group-${group}`,
        'OrganizationLeftGroup',
        { groupId: group, organizationId, reason: null },
        at(day),
      );
    log.record('group-g', 'GroupFounded', { groupId: 'g', name: 'G', purpose: null }, at('01-02'));
    log.record('group-h', 'GroupFounded', { groupId: 'h', name: 'H', purpose: null }, at('01-02'));
    join('g', 'a', '01-04');
    join('h', 'a', '01-10');
    join('h', 'c', '01-10');
    join('g', 'b', '02-01');
    leave('g', 'b', '02-10');
    join('g', 'b', '02-20');
    log.record(
      'partnership-p',
      'PartnershipFormed',
      {
        partnershipId: 'p',
        name: 'P',
        purpose: null,
        partyIds: ['a', 'b'],
        groupId: null,
        intendedEndAt: '2027-01-01T00:00:00Z',
      },
      at('03-01'),
    );
    leave('h', 'c', '04-01');
    join('g', 'd', '05-01', '06-01');
    return log;
  }

  const day = (date: string) => `2026-${date}T12:00:00Z`;
  const relationsOf = (view: NetworkView, id: string) => {
    const organization = view.organization(id);
    if (organization === null) throw new Error(`${id} is not seen`);
    return view.relations(organization).map((relation) => ({
      id: relation.organization.id,
      partnerships: relation.partnerships.map((partnership) => partnership.id),
      groups: relation.groups.map((group) => group.id),
      since: relation.since.toISOString().slice(5, 10),
    }));
  };

  it('lists shared partnerships and groups, since the earliest overlap, by since then id', () => {
    expect(relationsOf(relatedNetwork().view(day('07-01'), day('07-01')), 'a')).toEqual([
      // The first period in g (02-01 to 02-10) counts: g is shared now.
      { id: 'b', partnerships: ['p'], groups: ['g'], since: '02-01' },
      { id: 'd', partnerships: [], groups: ['g'], since: '05-01' },
    ]);
  });

  it('is symmetric', () => {
    expect(relationsOf(relatedNetwork().view(day('07-01'), day('07-01')), 'b')).toEqual([
      { id: 'a', partnerships: ['p'], groups: ['g'], since: '02-01' },
      { id: 'd', partnerships: [], groups: ['g'], since: '05-01' },
    ]);
  });

  it('sees a group only while both are members at asOf', () => {
    expect(relationsOf(relatedNetwork().view(day('03-15'), day('07-01')), 'a')).toEqual([
      { id: 'c', partnerships: [], groups: ['h'], since: '01-10' },
      { id: 'b', partnerships: ['p'], groups: ['g'], since: '02-01' },
    ]);
    expect(relationsOf(relatedNetwork().view(day('02-15'), day('07-01')), 'a')).toEqual([
      { id: 'c', partnerships: [], groups: ['h'], since: '01-10' },
    ]);
  });

  it('does not show what was recorded after knownAt', () => {
    expect(
      relationsOf(relatedNetwork().view(day('07-01'), day('05-15')), 'a').map((r) => r.id),
    ).toEqual(['b']);
  });

  it('orders equal since by organisation id, not by the order recorded', () => {
    const log = relatedNetwork();
    log.record('group-k', 'GroupFounded', { groupId: 'k', name: 'K', purpose: null }, at('06-01'));
    for (const organizationId of ['c', 'd', 'b']) {
      log.record(
        'group-k',
        'OrganizationJoinedGroup',
        { groupId: 'k', organizationId, position: 'RING' },
        at('06-02'),
      );
    }
    expect(relationsOf(log.view(day('07-01'), day('07-01')), 'c')).toEqual([
      { id: 'b', partnerships: [], groups: ['k'], since: '06-02' },
      { id: 'd', partnerships: [], groups: ['k'], since: '06-02' },
    ]);
  });
});
