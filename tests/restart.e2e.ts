import { join } from 'node:path';
import {
  CommandResult,
  EVENT_FIELDS,
  clockPasses,
  daysFromNow,
  eventLog,
  expectRefused,
  ok,
  query,
  send,
  streamHistory,
} from './support/commands';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const EVERYTHING = `
fragment Event on RecordedEvent { ${EVENT_FIELDS} }
fragment Organization on Organization {
  id name registeredAt version
  memberships(includeEnded: true) {
    group { id } position joinedAt positionSince leftAt positions { position from until }
  }
  current: memberships { group { id } position }
  partnerships { id status }
  capability { ambition realized gap notes assessedAt }
  capabilityHistory { ambition realized gap notes assessedAt }
  history { ...Event }
}
fragment Group on Group {
  id name purpose foundedAt dissolvedAt version
  members(includeEnded: true) {
    organization { id } position joinedAt positionSince leftAt positions { position from until }
  }
  current: members { organization { id } position }
  core: members(position: CORE) { organization { id } }
  partnerships { id status }
  history { ...Event }
}
fragment Partnership on Partnership {
  id name purpose parties { id } group { id } startedAt intendedEndAt endedAt endReason
  status termStatus
  arrangements { id title terms agreedAt validUntil endedAt }
  version
  history { ...Event }
}
fragment Stats on NetworkStats {
  organizations groups activeGroups activeMemberships
  membersByPosition { core ring freeSpace }
  activePartnerships endedPartnerships overduePartnerships
}
query ($asOf: DateTime!, $knownAt: DateTime!) {
  organizations(first: 500) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...Organization } }
  }
  groups(first: 500) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...Group } }
  }
  partnerships(first: 500) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...Partnership } }
  }
  ended: partnerships(status: ENDED) { totalCount edges { node { id } } }
  events(first: 500) { pageInfo { hasNextPage endCursor } edges { cursor node { ...Event } } }
  joins: events(types: ["OrganizationJoinedGroup"]) { edges { cursor node { id } } }
  history(streamId: "group-river") { ...Event }
  network { stats { ...Stats } }
  past: network(asOf: $asOf, knownAt: $knownAt) {
    asOf knownAt
    organizations { totalCount edges { cursor node { ...Organization } } }
    groups { totalCount edges { cursor node { ...Group } } }
    partnerships { totalCount edges { cursor node { ...Partnership } } }
    stats { ...Stats }
  }
}`;

/** The question above asks for everything at once: far past what a dashboard may ask. */
const DUMP_LIMITS = { GRAPHQL_MAX_COST: '100000000' };

describe('a restart rebuilds the read model from the log', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  let server: TestServer | undefined;
  let served: any;
  let variables: { asOf: string; knownAt: string };
  let joined: CommandResult;
  let logBefore: number;

  beforeAll(async () => {
    const first = await startServer(file, DUMP_LIMITS);
    server = first;
    for (const id of ['acme', 'globex', 'initech', 'umbrella']) {
      await ok(first, 'registerOrganization', {
        id,
        name: id.toUpperCase(),
        effectiveAt: daysFromNow(-60),
      });
    }
    await ok(first, 'assessCapability', {
      organizationId: 'acme',
      ambition: 5,
      realized: 2,
      notes: 'Aims high',
    });
    await ok(first, 'foundGroup', {
      id: 'river',
      name: 'River',
      purpose: 'Logistics',
      effectiveAt: daysFromNow(-50),
    });
    await ok(first, 'foundGroup', { id: 'lake', name: 'Lake', effectiveAt: daysFromNow(-50) });
    await ok(first, 'joinGroup', {
      groupId: 'river',
      organizationId: 'acme',
      position: 'CORE',
      effectiveAt: daysFromNow(-40),
    });
    await ok(first, 'joinGroup', {
      groupId: 'river',
      organizationId: 'globex',
      position: 'RING',
      effectiveAt: daysFromNow(-40),
    });
    joined = await ok(first, 'joinGroup', {
      groupId: 'river',
      organizationId: 'initech',
      position: 'FREE_SPACE',
      effectiveAt: daysFromNow(-40),
      commandId: 'cmd-join-initech',
    });
    await ok(first, 'joinGroup', { groupId: 'lake', organizationId: 'umbrella', position: 'CORE' });
    const log = await eventLog(first);
    const knownAt = log[log.length - 1].recordedAt;
    await clockPasses(knownAt);
    await ok(first, 'changePosition', {
      groupId: 'river',
      organizationId: 'globex',
      position: 'CORE',
      reason: 'Backdated',
      effectiveAt: daysFromNow(-30),
    });
    await ok(first, 'leaveGroup', {
      groupId: 'river',
      organizationId: 'initech',
      effectiveAt: daysFromNow(-20),
    });
    await ok(first, 'formPartnership', {
      id: 'bridge',
      name: 'Bridge',
      partyIds: ['acme', 'globex'],
      groupId: 'river',
      intendedEndAt: daysFromNow(200),
      effectiveAt: daysFromNow(-15),
    });
    await ok(first, 'agreeArrangement', {
      partnershipId: 'bridge',
      arrangementId: 'a1',
      title: 'Trucks',
      terms: 'Shared trucks',
      validUntil: daysFromNow(100),
    });
    await ok(first, 'formPartnership', {
      id: 'late',
      name: 'Late',
      partyIds: ['acme', 'initech'],
      intendedEndAt: daysFromNow(-5),
      effectiveAt: daysFromNow(-25),
    });
    await ok(first, 'formPartnership', {
      id: 'short',
      name: 'Short',
      partyIds: ['globex', 'umbrella'],
      intendedEndAt: daysFromNow(100),
    });
    await ok(first, 'endPartnership', { partnershipId: 'short', reason: 'MERGED', note: 'Merged' });
    await ok(first, 'dissolveGroup', { groupId: 'lake' });

    variables = { asOf: daysFromNow(-10), knownAt };
    served = await query(first, EVERYTHING, variables);
    logBefore = served.events.edges.length;
    await first.close();
    server = undefined;
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  it('served a full answer before the restart', () => {
    expect(served.organizations.totalCount).toBe(4);
    expect(served.groups.totalCount).toBe(2);
    expect(served.partnerships.totalCount).toBe(3);
    expect(logBefore).toBe(19);
    expect(served.events.pageInfo.hasNextPage).toBe(false);
    expect(served.past.stats).toMatchObject({ organizations: 4, activeMemberships: 3 });
    expect(served.past.partnerships.totalCount).toBe(0);
  });

  it('gives exactly the same answer after a restart on the same file', async () => {
    server = await startServer(file, DUMP_LIMITS);
    expect(await query(server, EVERYTHING, variables)).toEqual(served);
  });

  it('and after a second restart', async () => {
    await server?.close();
    server = await startServer(file, DUMP_LIMITS);
    expect(await query(server, EVERYTHING, variables)).toEqual(served);
  });

  it('still knows the commandIds recorded before the restart', async () => {
    const live = server as TestServer;
    const reused = await send(live, 'joinGroup', {
      groupId: 'river',
      organizationId: 'initech',
      position: 'RING',
      commandId: 'cmd-join-initech',
    });
    expectRefused(reused, { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' });
    expect((await eventLog(live)).length).toBe(logBefore);
  });

  it('returns the first result for a repeat sent before and after the restart', async () => {
    const live = server as TestServer;
    const history = await streamHistory(live, 'group-river');
    const event = history.find((candidate) => candidate.id === joined.eventIds[0]);
    expect(event).toBeDefined();
    const again = await ok(live, 'joinGroup', {
      groupId: 'river',
      organizationId: 'initech',
      position: 'FREE_SPACE',
      effectiveAt: event!.effectiveAt,
      commandId: 'cmd-join-initech',
    });
    expect(again).toEqual(joined);
    expect((await eventLog(live)).length).toBe(logBefore);
  });

  it('continues with the right versions and positions', async () => {
    const live = server as TestServer;
    const river = served.groups.edges.find((edge: any) => edge.node.id === 'river').node;
    const knownPositions = new Set(served.events.edges.map((edge: any) => edge.node.position));

    expectRefused(
      await send(live, 'joinGroup', {
        groupId: 'river',
        organizationId: 'umbrella',
        position: 'RING',
        expectedVersion: river.version - 1,
      }),
      {
        code: 'CONCURRENCY_CONFLICT',
        expectedVersion: river.version - 1,
        actualVersion: river.version,
      },
    );
    const next = await ok(live, 'joinGroup', {
      groupId: 'river',
      organizationId: 'umbrella',
      position: 'RING',
      expectedVersion: river.version,
    });
    expect(next).toMatchObject({ streamId: 'group-river', version: river.version + 1 });
    expect(knownPositions.has(next.position)).toBe(false);

    const log = await eventLog(live);
    expect(log).toHaveLength(logBefore + 1);
    expect(log.slice(0, logBefore)).toEqual(served.events.edges.map((edge: any) => edge.node));
    expect(log[logBefore]).toMatchObject({
      id: next.eventIds[0],
      streamId: 'group-river',
      revision: river.version,
      position: next.position,
      type: 'OrganizationJoinedGroup',
    });

    expectRefused(await send(live, 'registerOrganization', { id: 'acme', name: 'Acme again' }), {
      code: 'RULE_VIOLATION',
      rule: 'ORGANIZATION_EXISTS',
    });
    const extended = await ok(live, 'extendPartnership', {
      partnershipId: 'bridge',
      intendedEndAt: daysFromNow(300),
    });
    expect(extended.version).toBe(3);
  });
});
