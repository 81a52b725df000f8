import { join } from 'node:path';
import {
  CommandResult,
  LoggedEvent,
  daysFromNow,
  eventLog,
  ms,
  ok,
  query,
  streamHistory,
} from './support/commands';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const ORGANIZATION = `query ($id: ID!) {
  organization(id: $id) {
    id name registeredAt version
    memberships { group { id } position joinedAt positionSince leftAt positions { position from until } }
    allMemberships: memberships(includeEnded: true) { group { id } position joinedAt leftAt }
    partnerships { id status }
    activePartnerships: partnerships(status: ACTIVE) { id }
    endedPartnerships: partnerships(status: ENDED) { id }
    capability { ambition realized gap notes assessedAt }
    capabilityHistory { ambition realized gap notes assessedAt }
    history { type revision }
  }
}`;

const GROUP = `query ($id: ID!) {
  group(id: $id) {
    id name purpose foundedAt dissolvedAt version
    core: members(position: CORE) { organization { id } }
    ring: members(position: RING) { organization { id } }
    freeSpace: members(position: FREE_SPACE) { organization { id } }
    members { organization { id } group { id } position joinedAt leftAt }
    everyone: members(includeEnded: true) { organization { id } position joinedAt leftAt }
    partnerships { id status }
    history { type revision }
  }
}`;

const PARTNERSHIP = `query ($id: ID!) {
  partnership(id: $id) {
    id name purpose parties { id } group { id } startedAt status termStatus
    intendedEndAt endedAt endReason
    arrangements { id title terms agreedAt endedAt validUntil }
    version
    history { type revision }
  }
}`;

const STATS = `{
  network {
    stats {
      organizations groups activeGroups activeMemberships
      membersByPosition { core ring freeSpace }
      activePartnerships endedPartnerships overduePartnerships
    }
  }
}`;

const ZERO_STATS = {
  organizations: 0,
  groups: 0,
  activeGroups: 0,
  activeMemberships: 0,
  membersByPosition: { core: 0, ring: 0, freeSpace: 0 },
  activePartnerships: 0,
  endedPartnerships: 0,
  overduePartnerships: 0,
};

async function organization(server: TestServer, id: string): Promise<any> {
  return (await query(server, ORGANIZATION, { id })).organization;
}
async function group(server: TestServer, id: string): Promise<any> {
  return (await query(server, GROUP, { id })).group;
}
async function partnership(server: TestServer, id: string): Promise<any> {
  return (await query(server, PARTNERSHIP, { id })).partnership;
}
async function stats(server: TestServer): Promise<any> {
  return (await query(server, STATS)).network.stats;
}
const ids = (items: ReadonlyArray<{ organization?: { id: string }; id?: string }>) =>
  items.map((item) => item.organization?.id ?? item.id);

/** The one event a command recorded, as the log shows it. */
async function recorded(server: TestServer, result: CommandResult): Promise<LoggedEvent> {
  expect(result.eventIds).toHaveLength(1);
  const event = (await streamHistory(server, result.streamId)).find(
    (candidate) => candidate.id === result.eventIds[0],
  );
  expect(event).toBeDefined();
  return event as LoggedEvent;
}

describe("a partnership's whole life", () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  let initech = '';
  const at: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('starts empty', async () => {
    expect(await stats(server)).toEqual(ZERO_STATS);
    expect(await eventLog(server)).toEqual([]);
  });

  it('registers three organisations, one with a generated id', async () => {
    const acme = await ok(server, 'registerOrganization', { id: 'acme', name: '  Acme  ' });
    expect(acme).toMatchObject({
      id: 'acme',
      streamId: 'organization-acme',
      version: 1,
      arrangementId: null,
    });
    expect(acme.eventIds).toHaveLength(1);
    const registered = await recorded(server, acme);
    expect(registered).toMatchObject({
      streamId: 'organization-acme',
      revision: 0,
      position: acme.position,
      type: 'OrganizationRegistered',
    });
    at.acmeRegistered = registered.effectiveAt;

    await ok(server, 'registerOrganization', { id: 'globex', name: 'Globex' });
    const generated = await ok(server, 'registerOrganization', { name: 'Initech' });
    expect(generated.id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(generated.streamId).toBe(`organization-${generated.id}`);
    initech = generated.id;

    expect(await organization(server, 'acme')).toEqual({
      id: 'acme',
      name: 'Acme',
      registeredAt: at.acmeRegistered,
      version: 1,
      memberships: [],
      allMemberships: [],
      partnerships: [],
      activePartnerships: [],
      endedPartnerships: [],
      capability: null,
      capabilityHistory: [],
      history: [{ type: 'OrganizationRegistered', revision: 0 }],
    });
    expect((await organization(server, initech)).name).toBe('Initech');
    expect(await stats(server)).toEqual({ ...ZERO_STATS, organizations: 3 });
  });

  it('founds a group', async () => {
    const founded = await ok(server, 'foundGroup', {
      id: 'river',
      name: 'River Delta',
      purpose: 'Shared logistics along the river',
    });
    expect(founded).toMatchObject({ id: 'river', streamId: 'group-river', version: 1 });
    at.founded = (await recorded(server, founded)).effectiveAt;
    expect(await group(server, 'river')).toEqual({
      id: 'river',
      name: 'River Delta',
      purpose: 'Shared logistics along the river',
      foundedAt: at.founded,
      dissolvedAt: null,
      version: 1,
      core: [],
      ring: [],
      freeSpace: [],
      members: [],
      everyone: [],
      partnerships: [],
      history: [{ type: 'GroupFounded', revision: 0 }],
    });
    expect(await stats(server)).toEqual({
      ...ZERO_STATS,
      organizations: 3,
      groups: 1,
      activeGroups: 1,
    });
  });

  it('lets organisations join in the core, the ring and the free space', async () => {
    const acme = await ok(server, 'joinGroup', {
      groupId: 'river',
      organizationId: 'acme',
      position: 'CORE',
    });
    const globex = await ok(server, 'joinGroup', {
      groupId: 'river',
      organizationId: 'globex',
      position: 'RING',
    });
    const third = await ok(server, 'joinGroup', {
      groupId: 'river',
      organizationId: initech,
      position: 'FREE_SPACE',
    });
    expect([acme.version, globex.version, third.version]).toEqual([2, 3, 4]);
    expect(acme).toMatchObject({ id: 'river', streamId: 'group-river' });
    at.acmeJoined = (await recorded(server, acme)).effectiveAt;
    at.globexJoined = (await recorded(server, globex)).effectiveAt;

    const river = await group(server, 'river');
    expect(river.version).toBe(4);
    expect(ids(river.core)).toEqual(['acme']);
    expect(ids(river.ring)).toEqual(['globex']);
    expect(ids(river.freeSpace)).toEqual([initech]);
    expect(river.members).toEqual([
      {
        organization: { id: 'acme' },
        group: { id: 'river' },
        position: 'CORE',
        joinedAt: at.acmeJoined,
        leftAt: null,
      },
      {
        organization: { id: 'globex' },
        group: { id: 'river' },
        position: 'RING',
        joinedAt: at.globexJoined,
        leftAt: null,
      },
      expect.objectContaining({
        organization: { id: initech },
        position: 'FREE_SPACE',
        leftAt: null,
      }),
    ]);
    expect(river.history).toEqual([
      { type: 'GroupFounded', revision: 0 },
      { type: 'OrganizationJoinedGroup', revision: 1 },
      { type: 'OrganizationJoinedGroup', revision: 2 },
      { type: 'OrganizationJoinedGroup', revision: 3 },
    ]);

    const organizationAcme = await organization(server, 'acme');
    expect(organizationAcme.version).toBe(1);
    expect(organizationAcme.memberships).toEqual([
      {
        group: { id: 'river' },
        position: 'CORE',
        joinedAt: at.acmeJoined,
        positionSince: at.acmeJoined,
        leftAt: null,
        positions: [{ position: 'CORE', from: at.acmeJoined, until: null }],
      },
    ]);
    expect(await stats(server)).toMatchObject({
      activeMemberships: 3,
      membersByPosition: { core: 1, ring: 1, freeSpace: 1 },
    });
  });

  it('changes a position and records the reason', async () => {
    const reason = 'Took over the shared warehouse';
    const changed = await ok(server, 'changePosition', {
      groupId: 'river',
      organizationId: 'globex',
      position: 'CORE',
      reason,
    });
    expect(changed).toMatchObject({ id: 'river', streamId: 'group-river', version: 5 });
    const event = await recorded(server, changed);
    expect(event.type).toBe('PositionChanged');
    expect(Object.values(event.data)).toContain(reason);
    at.globexChanged = event.effectiveAt;

    const globex = await organization(server, 'globex');
    expect(globex.memberships).toEqual([
      {
        group: { id: 'river' },
        position: 'CORE',
        joinedAt: at.globexJoined,
        positionSince: at.globexChanged,
        leftAt: null,
        positions: [
          { position: 'RING', from: at.globexJoined, until: at.globexChanged },
          { position: 'CORE', from: at.globexChanged, until: null },
        ],
      },
    ]);
    const river = await group(server, 'river');
    expect(river.version).toBe(5);
    expect(ids(river.core)).toEqual(['acme', 'globex']);
    expect(river.ring).toEqual([]);
    expect(await stats(server)).toMatchObject({
      activeMemberships: 3,
      membersByPosition: { core: 2, ring: 0, freeSpace: 1 },
    });
  });

  it('forms a finite partnership in the group', async () => {
    at.bridgeIntendedEnd = daysFromNow(180);
    const formed = await ok(server, 'formPartnership', {
      id: 'bridge',
      name: 'Bridge',
      purpose: 'Joint transport',
      partyIds: ['acme', 'globex'],
      groupId: 'river',
      intendedEndAt: at.bridgeIntendedEnd,
    });
    expect(formed).toMatchObject({
      id: 'bridge',
      streamId: 'partnership-bridge',
      version: 1,
      arrangementId: null,
    });
    at.bridgeStarted = (await recorded(server, formed)).effectiveAt;

    const bridge = await partnership(server, 'bridge');
    expect(bridge).toMatchObject({
      id: 'bridge',
      name: 'Bridge',
      purpose: 'Joint transport',
      parties: [{ id: 'acme' }, { id: 'globex' }],
      group: { id: 'river' },
      startedAt: at.bridgeStarted,
      status: 'ACTIVE',
      termStatus: 'RUNNING',
      endedAt: null,
      endReason: null,
      arrangements: [],
      version: 1,
      history: [{ type: 'PartnershipFormed', revision: 0 }],
    });
    expect(ms(bridge.intendedEndAt)).toBe(ms(at.bridgeIntendedEnd));

    const acme = await organization(server, 'acme');
    expect(acme.partnerships).toEqual([{ id: 'bridge', status: 'ACTIVE' }]);
    expect(acme.activePartnerships).toEqual([{ id: 'bridge' }]);
    expect(acme.endedPartnerships).toEqual([]);
    expect((await organization(server, initech)).partnerships).toEqual([]);
    const river = await group(server, 'river');
    expect(river.partnerships).toEqual([{ id: 'bridge', status: 'ACTIVE' }]);
    expect(river.version).toBe(5);
    expect(await stats(server)).toMatchObject({
      activePartnerships: 1,
      endedPartnerships: 0,
      overduePartnerships: 0,
    });
  });

  it('agrees arrangements, with and without an id and a validUntil', async () => {
    at.a1ValidUntil = daysFromNow(90);
    const first = await ok(server, 'agreeArrangement', {
      partnershipId: 'bridge',
      arrangementId: 'a1',
      title: 'Joint transport',
      terms: 'Trucks are shared on weekdays.',
      validUntil: at.a1ValidUntil,
    });
    expect(first).toMatchObject({
      id: 'bridge',
      streamId: 'partnership-bridge',
      version: 2,
      arrangementId: 'a1',
    });
    const second = await ok(server, 'agreeArrangement', {
      partnershipId: 'bridge',
      title: 'Shared IT',
      terms: 'One helpdesk for both.',
    });
    expect(second.version).toBe(3);
    expect(second.arrangementId).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(second.arrangementId).not.toBe('a1');
    at.a2 = second.arrangementId as string;
    at.a1Agreed = (await recorded(server, first)).effectiveAt;

    const bridge = await partnership(server, 'bridge');
    expect(bridge.version).toBe(3);
    expect(bridge.arrangements).toEqual([
      {
        id: 'a1',
        title: 'Joint transport',
        terms: 'Trucks are shared on weekdays.',
        agreedAt: at.a1Agreed,
        endedAt: null,
        validUntil: expect.any(String),
      },
      expect.objectContaining({ id: at.a2, title: 'Shared IT', endedAt: null, validUntil: null }),
    ]);
    expect(ms(bridge.arrangements[0].validUntil)).toBe(ms(at.a1ValidUntil));
  });

  it('extends the intended end', async () => {
    at.bridgeExtendedEnd = daysFromNow(365);
    const extended = await ok(server, 'extendPartnership', {
      partnershipId: 'bridge',
      intendedEndAt: at.bridgeExtendedEnd,
    });
    expect(extended).toMatchObject({ id: 'bridge', version: 4 });
    const bridge = await partnership(server, 'bridge');
    expect(ms(bridge.intendedEndAt)).toBe(ms(at.bridgeExtendedEnd));
    expect(bridge).toMatchObject({ status: 'ACTIVE', termStatus: 'RUNNING', version: 4 });
  });

  it('ends the partnership, and every arrangement with it', async () => {
    const ended = await ok(server, 'endPartnership', {
      partnershipId: 'bridge',
      reason: 'COMPLETED',
      note: 'Everything was delivered',
    });
    expect(ended).toMatchObject({ id: 'bridge', streamId: 'partnership-bridge', version: 5 });
    at.bridgeEnded = (await recorded(server, ended)).effectiveAt;

    const bridge = await partnership(server, 'bridge');
    expect(bridge).toMatchObject({
      status: 'ENDED',
      termStatus: 'ENDED',
      endedAt: at.bridgeEnded,
      endReason: 'COMPLETED',
      version: 5,
    });
    expect(bridge.arrangements.map((a: { endedAt: string }) => a.endedAt)).toEqual([
      at.bridgeEnded,
      at.bridgeEnded,
    ]);
    expect(ms(bridge.arrangements[0].validUntil)).toBe(ms(at.a1ValidUntil));
    const acme = await organization(server, 'acme');
    expect(acme.partnerships).toEqual([{ id: 'bridge', status: 'ENDED' }]);
    expect(acme.activePartnerships).toEqual([]);
    expect(acme.endedPartnerships).toEqual([{ id: 'bridge' }]);
    expect(await stats(server)).toMatchObject({ activePartnerships: 0, endedPartnerships: 1 });

    const history = await streamHistory(server, 'partnership-bridge');
    expect(history.map((event) => [event.type, event.revision, event.streamId])).toEqual([
      ['PartnershipFormed', 0, 'partnership-bridge'],
      ['ArrangementAgreed', 1, 'partnership-bridge'],
      ['ArrangementAgreed', 2, 'partnership-bridge'],
      ['PartnershipExtended', 3, 'partnership-bridge'],
      ['PartnershipEnded', 4, 'partnership-bridge'],
    ]);
    expect(bridge.history).toEqual(history.map(({ type, revision }) => ({ type, revision })));
    expect(history[4]).toMatchObject({ id: ended.eventIds[0], position: ended.position });
  });

  it('assesses the capability to collaborate: gap = ambition - realized', async () => {
    const first = await ok(server, 'assessCapability', {
      organizationId: 'acme',
      ambition: 4,
      realized: 2,
      notes: 'Needs a shared planner',
    });
    expect(first).toMatchObject({ id: 'acme', streamId: 'organization-acme', version: 2 });
    const firstAt = (await recorded(server, first)).effectiveAt;
    const afterFirst = await organization(server, 'acme');
    expect(afterFirst.capability).toEqual({
      ambition: 4,
      realized: 2,
      gap: 2,
      notes: 'Needs a shared planner',
      assessedAt: firstAt,
    });
    expect(afterFirst.capabilityHistory).toEqual([afterFirst.capability]);

    const second = await ok(server, 'assessCapability', {
      organizationId: 'acme',
      ambition: 3,
      realized: 5,
    });
    expect(second.version).toBe(3);
    const secondAt = (await recorded(server, second)).effectiveAt;
    const acme = await organization(server, 'acme');
    const latest = { ambition: 3, realized: 5, gap: -2, notes: null, assessedAt: secondAt };
    expect(acme.capability).toEqual(latest);
    expect(acme.capabilityHistory).toEqual([afterFirst.capability, latest]);
    expect(acme.version).toBe(3);
    expect(acme.history).toEqual([
      { type: 'OrganizationRegistered', revision: 0 },
      { type: 'CapabilityAssessed', revision: 1 },
      { type: 'CapabilityAssessed', revision: 2 },
    ]);
  });

  it('leaving and joining again is a new membership period', async () => {
    const left = await ok(server, 'leaveGroup', {
      groupId: 'river',
      organizationId: initech,
      reason: 'Moved away',
    });
    expect(left.version).toBe(6);
    at.initechLeft = (await recorded(server, left)).effectiveAt;
    const afterLeaving = await organization(server, initech);
    expect(afterLeaving.memberships).toEqual([]);
    expect(afterLeaving.allMemberships).toEqual([
      expect.objectContaining({ position: 'FREE_SPACE', leftAt: at.initechLeft }),
    ]);

    const rejoined = await ok(server, 'joinGroup', {
      groupId: 'river',
      organizationId: initech,
      position: 'RING',
    });
    expect(rejoined.version).toBe(7);
    at.initechRejoined = (await recorded(server, rejoined)).effectiveAt;

    const third = await organization(server, initech);
    expect(third.allMemberships).toEqual([
      {
        group: { id: 'river' },
        position: 'FREE_SPACE',
        joinedAt: expect.any(String),
        leftAt: at.initechLeft,
      },
      { group: { id: 'river' }, position: 'RING', joinedAt: at.initechRejoined, leftAt: null },
    ]);
    expect(third.memberships).toEqual([
      expect.objectContaining({
        position: 'RING',
        joinedAt: at.initechRejoined,
        leftAt: null,
        positions: [{ position: 'RING', from: at.initechRejoined, until: null }],
      }),
    ]);

    const river = await group(server, 'river');
    expect(ids(river.members)).toEqual(['acme', 'globex', initech]);
    expect(ids(river.everyone)).toEqual(['acme', 'globex', initech, initech]);
    expect(river.everyone[2].leftAt).toBe(at.initechLeft);
    expect(river.everyone[3].leftAt).toBeNull();
    expect(await stats(server)).toMatchObject({
      activeMemberships: 3,
      membersByPosition: { core: 2, ring: 1, freeSpace: 0 },
    });
  });

  it('dissolving the group ends every membership; its partnerships go on', async () => {
    await ok(server, 'formPartnership', {
      id: 'canal',
      name: 'Canal',
      partyIds: ['acme', initech],
      groupId: 'river',
      intendedEndAt: daysFromNow(200),
    });
    const dissolved = await ok(server, 'dissolveGroup', { groupId: 'river', reason: 'Done' });
    expect(dissolved).toMatchObject({ id: 'river', streamId: 'group-river', version: 8 });
    const dissolvedAt = (await recorded(server, dissolved)).effectiveAt;

    const river = await group(server, 'river');
    expect(river.dissolvedAt).toBe(dissolvedAt);
    expect(river.members).toEqual([]);
    expect(river.core).toEqual([]);
    expect(river.everyone.map((m: { leftAt: string }) => m.leftAt)).toEqual([
      dissolvedAt,
      dissolvedAt,
      at.initechLeft,
      dissolvedAt,
    ]);
    expect(river.partnerships).toEqual([
      { id: 'bridge', status: 'ENDED' },
      { id: 'canal', status: 'ACTIVE' },
    ]);
    expect(river.history.map((event: { type: string }) => event.type)).toEqual([
      'GroupFounded',
      'OrganizationJoinedGroup',
      'OrganizationJoinedGroup',
      'OrganizationJoinedGroup',
      'PositionChanged',
      'OrganizationLeftGroup',
      'OrganizationJoinedGroup',
      'GroupDissolved',
    ]);

    const acme = await organization(server, 'acme');
    expect(acme.memberships).toEqual([]);
    expect(acme.allMemberships).toEqual([
      { group: { id: 'river' }, position: 'CORE', joinedAt: at.acmeJoined, leftAt: dissolvedAt },
    ]);

    const canal = await partnership(server, 'canal');
    expect(canal).toMatchObject({ status: 'ACTIVE', group: { id: 'river' } });
    const agreed = await ok(server, 'agreeArrangement', {
      partnershipId: 'canal',
      title: 'Keep going',
      terms: 'The partnership outlives its group.',
    });
    expect(agreed.version).toBe(2);

    expect(await stats(server)).toEqual({
      organizations: 3,
      groups: 1,
      activeGroups: 0,
      activeMemberships: 0,
      membersByPosition: { core: 0, ring: 0, freeSpace: 0 },
      activePartnerships: 1,
      endedPartnerships: 1,
      overduePartnerships: 0,
    });
  });

  it('keeps each stream history and the global log in step', async () => {
    const history = await streamHistory(server, 'group-river');
    expect(history.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(history.every((event) => event.streamId === 'group-river')).toBe(true);
    expect((await group(server, 'river')).history).toEqual(
      history.map(({ type, revision }) => ({ type, revision })),
    );

    const log = await eventLog(server);
    // acme 3 + globex 1 + initech 1, river 8, bridge 5, canal 2
    expect(log).toHaveLength(20);
    expect(new Set(log.map((event) => event.id)).size).toBe(20);
    expect(new Set(log.map((event) => event.position)).size).toBe(20);
    const byStream = new Map<string, LoggedEvent[]>();
    for (const event of log)
      byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
    for (const [streamId, events] of byStream) {
      expect(events.map((event) => event.revision)).toEqual(events.map((_, index) => index));
      expect(await streamHistory(server, streamId)).toEqual(events);
    }
    expect([...byStream.keys()].sort()).toEqual(
      [
        'organization-acme',
        'organization-globex',
        `organization-${initech}`,
        'group-river',
        'partnership-bridge',
        'partnership-canal',
      ].sort(),
    );
  });

  it('pages through the global log with cursors', async () => {
    const log = await eventLog(server);
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const data: any = await query(
        server,
        `query ($after: String) {
          events(first: 3, after: $after) {
            edges { cursor node { id } }
            pageInfo { hasNextPage endCursor }
          }
        }`,
        { after },
      );
      const { edges, pageInfo } = data.events;
      paged.push(...edges.map((edge: { node: { id: string } }) => edge.node.id));
      expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
      if (!pageInfo.hasNextPage) break;
      expect(edges).toHaveLength(3);
      after = pageInfo.endCursor;
    }
    expect(paged).toEqual(log.map((event) => event.id));
  });

  it('filters the global log by type; types: [] filters nothing', async () => {
    const log = await eventLog(server);
    const types = ['OrganizationJoinedGroup', 'PositionChanged'];
    const filtered = await query(
      server,
      `query ($types: [String!]) { events(first: 500, types: $types) { edges { node { id type } } pageInfo { hasNextPage } } }`,
      { types },
    );
    const expected = log.filter((event) => types.includes(event.type));
    expect(expected).toHaveLength(5);
    expect(filtered.events.edges.map((edge: any) => edge.node)).toEqual(
      expected.map(({ id, type }) => ({ id, type })),
    );
    expect(filtered.events.pageInfo.hasNextPage).toBe(false);

    const firstTwo = await query(
      server,
      `query ($types: [String!]) { events(first: 2, types: $types) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      { types },
    );
    expect(firstTwo.events.pageInfo.hasNextPage).toBe(true);
    const rest = await query(
      server,
      `query ($types: [String!], $after: String) { events(first: 500, types: $types, after: $after) { edges { node { id } } } }`,
      { types, after: firstTwo.events.pageInfo.endCursor },
    );
    expect(
      [...firstTwo.events.edges, ...rest.events.edges].map((edge: any) => edge.node.id),
    ).toEqual(expected.map((event) => event.id));

    const everything = await query(
      server,
      `{ events(first: 500, types: []) { edges { node { id } } } }`,
    );
    expect(everything.events.edges.map((edge: any) => edge.node.id)).toEqual(
      log.map((event) => event.id),
    );
    const none = await query(
      server,
      `{ events(first: 500, types: ["NoSuchEvent"]) { edges { node { id } } } }`,
    );
    expect(none.events.edges).toEqual([]);
  });

  it('counts every match in totalCount, whatever after says', async () => {
    const page = `query ($after: String) {
      organizations(first: 1, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount }
    }`;
    const one = (await query(server, page, { after: null })).organizations;
    expect(one.edges.map((edge: any) => edge.node.id)).toEqual(['acme']);
    expect(one).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const two = (await query(server, page, { after: one.pageInfo.endCursor })).organizations;
    expect(two.edges.map((edge: any) => edge.node.id)).toEqual(['globex']);
    expect(two.totalCount).toBe(3);
    const three = (await query(server, page, { after: two.pageInfo.endCursor })).organizations;
    expect(three.edges.map((edge: any) => edge.node.id)).toEqual([initech]);
    expect(three).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });

    const data = await query(
      server,
      `query ($initech: ID) {
        none: organizations(first: 0) { edges { node { id } } totalCount }
        groups(first: 1) { edges { node { id } } totalCount pageInfo { hasNextPage } }
        partnerships(first: 1) { edges { node { id } } totalCount pageInfo { hasNextPage } }
        active: partnerships(status: ACTIVE) { edges { node { id } } totalCount }
        ofInitech: partnerships(organizationId: $initech) { edges { node { id } } totalCount }
        inRiver: partnerships(groupId: "river") { totalCount }
      }`,
      { initech },
    );
    expect(data.none).toEqual({ edges: [], totalCount: 3 });
    expect(data.groups).toEqual({
      edges: [{ node: { id: 'river' } }],
      totalCount: 1,
      pageInfo: { hasNextPage: false },
    });
    expect(data.partnerships).toEqual({
      edges: [{ node: { id: 'bridge' } }],
      totalCount: 2,
      pageInfo: { hasNextPage: true },
    });
    expect(data.active).toEqual({ edges: [{ node: { id: 'canal' } }], totalCount: 1 });
    expect(data.ofInitech).toEqual({ edges: [{ node: { id: 'canal' } }], totalCount: 1 });
    expect(data.inRiver).toEqual({ totalCount: 2 });
  });
});

describe('termStatus', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  const termStatus = async (id: string): Promise<string> =>
    (await query(server, `query ($id: ID!) { partnership(id: $id) { termStatus } }`, { id }))
      .partnership.termStatus;

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    for (const id of ['north', 'south']) {
      await ok(server, 'registerOrganization', { id, name: id, effectiveAt: daysFromNow(-100) });
    }
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  const form = (id: string, intendedEndAt: string, effectiveAt?: string) =>
    ok(server, 'formPartnership', {
      id,
      name: id,
      partyIds: ['north', 'south'],
      intendedEndAt,
      ...(effectiveAt === undefined ? {} : { effectiveAt }),
    });

  it('is RUNNING more than 30 days before the intended end', async () => {
    await form('running', daysFromNow(31));
    expect(await termStatus('running')).toBe('RUNNING');
  });

  it('is ENDING_SOON within 30 days of the intended end', async () => {
    await form('soon', daysFromNow(29));
    expect(await termStatus('soon')).toBe('ENDING_SOON');
  });

  it('is OVERDUE once the intended end has passed (a backdated partnership)', async () => {
    await form('late', daysFromNow(-10), daysFromNow(-60));
    const late = await query(server, `{ partnership(id: "late") { status termStatus } }`);
    expect(late.partnership).toEqual({ status: 'ACTIVE', termStatus: 'OVERDUE' });
    expect((await query(server, STATS)).network.stats).toMatchObject({
      activePartnerships: 3,
      overduePartnerships: 1,
      endedPartnerships: 0,
    });
  });

  it('follows an extension', async () => {
    await ok(server, 'extendPartnership', {
      partnershipId: 'soon',
      intendedEndAt: daysFromNow(90),
    });
    expect(await termStatus('soon')).toBe('RUNNING');
    await ok(server, 'extendPartnership', { partnershipId: 'late', intendedEndAt: daysFromNow(5) });
    expect(await termStatus('late')).toBe('ENDING_SOON');
    expect((await query(server, STATS)).network.stats).toMatchObject({ overduePartnerships: 0 });
  });

  it('is ENDED once ended, whatever the intended end', async () => {
    await ok(server, 'endPartnership', { partnershipId: 'late', reason: 'TERMINATED' });
    expect(await termStatus('late')).toBe('ENDED');
    await form('gone', daysFromNow(-1), daysFromNow(-20));
    expect(await termStatus('gone')).toBe('OVERDUE');
    await ok(server, 'endPartnership', { partnershipId: 'gone', reason: 'EXPIRED' });
    const gone = await query(server, `{ partnership(id: "gone") { status termStatus endReason } }`);
    expect(gone.partnership).toEqual({
      status: 'ENDED',
      termStatus: 'ENDED',
      endReason: 'EXPIRED',
    });
    expect((await query(server, STATS)).network.stats).toMatchObject({
      activePartnerships: 2,
      endedPartnerships: 2,
      overduePartnerships: 0,
    });
  });
});
