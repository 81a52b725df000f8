import { join } from 'node:path';
import {
  CommandResult,
  clockPasses,
  daysFromNow,
  eventLog,
  ms,
  ok,
  query,
  streamHistory,
} from './support/commands';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

/** One view of the network with everything nested that must follow it. */
const VIEW = `query ($asOf: DateTime, $knownAt: DateTime) {
  network(asOf: $asOf, knownAt: $knownAt) {
    asOf knownAt
    organization(id: "acme") {
      name version
      memberships { group { id } position positions { position from until } }
      allMemberships: memberships(includeEnded: true) { position leftAt }
      partnerships { id status }
      capability { ambition realized gap }
      history { type revision }
    }
    globex: organization(id: "globex") { memberships { position } }
    latecomer: organization(id: "latecomer") { name }
    group(id: "river") {
      version
      history { type revision }
      members { organization { id } position }
      everyone: members(includeEnded: true) { organization { id } leftAt }
      partnerships { id }
    }
    lake: group(id: "lake") { name }
    partnership(id: "pact") {
      version termStatus status
      parties { id memberships { position } }
      group { id version }
      arrangements { id }
      history { type }
    }
    organizations { totalCount edges { node { id version } } }
    groups { totalCount edges { node { id } } }
    partnerships { totalCount edges { node { id } } }
    stats {
      organizations groups activeGroups activeMemberships
      membersByPosition { core ring freeSpace }
      activePartnerships endedPartnerships overduePartnerships
    }
  }
}`;

async function view(server: TestServer, asOf?: string, knownAt?: string): Promise<any> {
  return (await query(server, VIEW, { asOf, knownAt })).network;
}

async function recordedAtOf(server: TestServer, result: CommandResult): Promise<string> {
  const history = await streamHistory(server, result.streamId);
  const event = history.find((candidate) => candidate.id === result.eventIds[0]);
  expect(event).toBeDefined();
  return event!.recordedAt;
}

describe('network(asOf, knownAt): valid time and transaction time', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  /** recordedAt of the last event recorded before the backdated position change. */
  let beforeChange = '';
  /** recordedAt of the backdated position change. */
  let changeRecorded = '';
  /** recordedAt of the first event of all. */
  let firstRecorded = '';
  const changeEffective = daysFromNow(-7);

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    const acme = await ok(server, 'registerOrganization', {
      id: 'acme',
      name: 'Acme',
      effectiveAt: daysFromNow(-30),
    });
    firstRecorded = await recordedAtOf(server, acme);
    await ok(server, 'registerOrganization', {
      id: 'globex',
      name: 'Globex',
      effectiveAt: daysFromNow(-30),
    });
    await ok(server, 'foundGroup', { id: 'river', name: 'River', effectiveAt: daysFromNow(-30) });
    await ok(server, 'joinGroup', {
      groupId: 'river',
      organizationId: 'acme',
      position: 'CORE',
      effectiveAt: daysFromNow(-20),
    });
    const globexJoined = await ok(server, 'joinGroup', {
      groupId: 'river',
      organizationId: 'globex',
      position: 'RING',
      effectiveAt: daysFromNow(-20),
    });
    beforeChange = await recordedAtOf(server, globexJoined);
    await clockPasses(beforeChange);
    // Decided last week, recorded only now.
    const changed = await ok(server, 'changePosition', {
      groupId: 'river',
      organizationId: 'acme',
      position: 'RING',
      reason: 'Stepped back',
      effectiveAt: changeEffective,
    });
    changeRecorded = await recordedAtOf(server, changed);
    await ok(server, 'formPartnership', {
      id: 'pact',
      name: 'Pact',
      partyIds: ['acme', 'globex'],
      groupId: 'river',
      intendedEndAt: daysFromNow(40),
      effectiveAt: daysFromNow(-6),
    });
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('takes a moment before the change from an earlier event, strictly before it', () => {
    expect(ms(beforeChange)).toBeLessThan(ms(changeRecorded));
  });

  it('shows a backdated change as of any time after it took effect', async () => {
    const now = await view(server);
    expect(now.organization.memberships).toEqual([expect.objectContaining({ position: 'RING' })]);
    const threeDaysAgo = await view(server, daysFromNow(-3));
    expect(threeDaysAgo.organization.memberships[0].position).toBe('RING');
    expect(threeDaysAgo.organization.memberships[0].positions).toEqual([
      { position: 'CORE', from: expect.any(String), until: expect.any(String) },
      { position: 'RING', from: expect.any(String), until: null },
    ]);
    expect(ms(threeDaysAgo.organization.memberships[0].positions[1].from)).toBe(
      ms(changeEffective),
    );
  });

  it('does not show it as of a time before it took effect', async () => {
    const tenDaysAgo = await view(server, daysFromNow(-10));
    expect(tenDaysAgo.organization.memberships).toEqual([
      {
        group: { id: 'river' },
        position: 'CORE',
        positions: [{ position: 'CORE', from: expect.any(String), until: null }],
      },
    ]);
    expect(tenDaysAgo.group.version).toBe(3);
    expect(tenDaysAgo.partnership).toBeNull();
  });

  it('does not show it as known at a moment before it was recorded', async () => {
    const asOf = daysFromNow(-3);
    const then = await view(server, asOf, beforeChange);
    expect(ms(then.asOf)).toBe(ms(asOf));
    expect(ms(then.knownAt)).toBe(ms(beforeChange));
    expect(then.organization.memberships).toEqual([
      {
        group: { id: 'river' },
        position: 'CORE',
        positions: [{ position: 'CORE', from: expect.any(String), until: null }],
      },
    ]);
  });

  it('makes every nested field follow the view', async () => {
    const asOf = daysFromNow(-3);
    const then = await view(server, asOf, beforeChange);
    expect(then.group).toEqual({
      version: 3,
      history: [
        { type: 'GroupFounded', revision: 0 },
        { type: 'OrganizationJoinedGroup', revision: 1 },
        { type: 'OrganizationJoinedGroup', revision: 2 },
      ],
      members: [
        { organization: { id: 'acme' }, position: 'CORE' },
        { organization: { id: 'globex' }, position: 'RING' },
      ],
      everyone: [
        { organization: { id: 'acme' }, leftAt: null },
        { organization: { id: 'globex' }, leftAt: null },
      ],
      partnerships: [],
    });
    expect(then.organization.partnerships).toEqual([]);
    expect(then.partnership).toBeNull();
    expect(then.partnerships).toEqual({ totalCount: 0, edges: [] });
    expect(then.stats).toEqual({
      organizations: 2,
      groups: 1,
      activeGroups: 1,
      activeMemberships: 2,
      membersByPosition: { core: 1, ring: 1, freeSpace: 0 },
      activePartnerships: 0,
      endedPartnerships: 0,
      overduePartnerships: 0,
    });

    const known = await view(server, asOf);
    expect(known.group.version).toBe(4);
    expect(known.group.history.map((event: { type: string }) => event.type)).toEqual([
      'GroupFounded',
      'OrganizationJoinedGroup',
      'OrganizationJoinedGroup',
      'PositionChanged',
    ]);
    expect(known.group.members).toEqual([
      { organization: { id: 'acme' }, position: 'RING' },
      { organization: { id: 'globex' }, position: 'RING' },
    ]);
    expect(known.group.partnerships).toEqual([{ id: 'pact' }]);
    expect(known.organization.partnerships).toEqual([{ id: 'pact', status: 'ACTIVE' }]);
    expect(known.partnership).toMatchObject({
      version: 1,
      status: 'ACTIVE',
      parties: [
        { id: 'acme', memberships: [{ position: 'RING' }] },
        { id: 'globex', memberships: [{ position: 'RING' }] },
      ],
      group: { id: 'river', version: 4 },
    });
    expect(known.stats).toMatchObject({
      membersByPosition: { core: 0, ring: 2, freeSpace: 0 },
      activePartnerships: 1,
    });
  });

  it('gives null for what did not yet exist as of the time asked', async () => {
    const before = await view(server, daysFromNow(-40));
    expect(before.organization).toBeNull();
    expect(before.group).toBeNull();
    expect(before.partnership).toBeNull();
    expect(before.organizations).toEqual({ totalCount: 0, edges: [] });
    expect(before.groups).toEqual({ totalCount: 0, edges: [] });
    expect(before.stats).toMatchObject({ organizations: 0, groups: 0, activeGroups: 0 });

    const founded = await view(server, daysFromNow(-25));
    expect(founded.organization).toMatchObject({ version: 1, memberships: [], partnerships: [] });
    expect(founded.group).toMatchObject({
      version: 1,
      members: [],
      history: [{ type: 'GroupFounded', revision: 0 }],
    });
  });

  it('gives an empty network as known before anything was recorded', async () => {
    const nothing = await view(server, undefined, new Date(ms(firstRecorded) - 1).toISOString());
    expect(nothing.organization).toBeNull();
    expect(nothing.group).toBeNull();
    expect(nothing.organizations).toEqual({ totalCount: 0, edges: [] });
    expect(nothing.stats.organizations).toBe(0);
  });

  it('takes a knownAt later than now as now, and shows the value used', async () => {
    const before = Date.now();
    const future = await view(server, undefined, daysFromNow(365));
    const after = Date.now();
    expect(ms(future.knownAt)).toBeGreaterThanOrEqual(before);
    expect(ms(future.knownAt)).toBeLessThanOrEqual(after);
    const now = await view(server);
    expect({ ...future, asOf: null, knownAt: null }).toEqual({ ...now, asOf: null, knownAt: null });
  });

  it('judges termStatus at an asOf in the future', async () => {
    const status = async (asOf?: string) =>
      (
        await query(
          server,
          `query ($asOf: DateTime) { network(asOf: $asOf) { asOf partnership(id: "pact") { termStatus } stats { overduePartnerships activePartnerships } } }`,
          { asOf },
        )
      ).network;
    expect((await status()).partnership.termStatus).toBe('RUNNING');
    const soon = daysFromNow(15);
    const inFifteenDays = await status(soon);
    expect(ms(inFifteenDays.asOf)).toBe(ms(soon));
    expect(inFifteenDays.partnership.termStatus).toBe('ENDING_SOON');
    const inFiftyDays = await status(daysFromNow(50));
    expect(inFiftyDays.partnership.termStatus).toBe('OVERDUE');
    expect(inFiftyDays.stats).toEqual({ overduePartnerships: 1, activePartnerships: 1 });
  });

  describe('an answer about the past', () => {
    const asOf = daysFromNow(-3);
    let knownAt = '';
    let answer: any;

    beforeAll(async () => {
      const log = await eventLog(server);
      knownAt = log[log.length - 1].recordedAt;
      answer = await view(server, asOf, knownAt);
      await clockPasses(knownAt);
      // More backdated facts, all effective before asOf, all recorded after knownAt.
      await ok(server, 'leaveGroup', {
        groupId: 'river',
        organizationId: 'globex',
        effectiveAt: daysFromNow(-5),
      });
      await ok(server, 'registerOrganization', {
        id: 'latecomer',
        name: 'Latecomer',
        effectiveAt: daysFromNow(-10),
      });
      await ok(server, 'foundGroup', { id: 'lake', name: 'Lake', effectiveAt: daysFromNow(-10) });
      await ok(server, 'agreeArrangement', {
        partnershipId: 'pact',
        arrangementId: 'late-deal',
        title: 'Late deal',
        terms: 'Signed on paper, typed in later.',
        effectiveAt: daysFromNow(-4),
      });
      await ok(server, 'assessCapability', {
        organizationId: 'acme',
        ambition: 5,
        realized: 3,
        effectiveAt: daysFromNow(-5),
      });
    });

    it('was complete before the later facts', () => {
      expect(answer.organization).toMatchObject({ version: 1, capability: null });
      expect(answer.partnership).toMatchObject({ version: 1, arrangements: [] });
      expect(answer.latecomer).toBeNull();
      expect(answer.lake).toBeNull();
      expect(answer.group.members).toHaveLength(2);
    });

    it('does not change when backdated facts are recorded later', async () => {
      expect(await view(server, asOf, knownAt)).toEqual(answer);
    });

    it('while the same asOf as known now does see them', async () => {
      const now = await view(server, asOf);
      expect(now.latecomer).toEqual({ name: 'Latecomer' });
      expect(now.lake).toEqual({ name: 'Lake' });
      expect(now.globex.memberships).toEqual([]);
      expect(now.group.members).toEqual([{ organization: { id: 'acme' }, position: 'RING' }]);
      expect(now.group.version).toBe(5);
      expect(now.partnership.arrangements).toEqual([{ id: 'late-deal' }]);
      expect(now.organization).toMatchObject({
        version: 2,
        capability: { ambition: 5, realized: 3, gap: 2 },
      });
      expect(now.stats).toMatchObject({ organizations: 3, groups: 2, activeMemberships: 1 });
    });
  });
});
