import { join } from 'node:path';
import {
  CommandResult,
  EVENT_FIELDS,
  LoggedEvent,
  ms,
  query,
  streamHistory,
} from './support/commands';
import { Page, logEdges, pageAll, readLog } from './support/log-reader';
import { report, seedFrom, seededRandom } from './support/report';
import { FileEvent, idsByCommand, orderProblems, readEventFile } from './support/sqlite-file';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';
import { WriteLoad, sendMutation } from './support/write-load';

/**
 * The server killed with SIGKILL in the middle of a GraphQL write load, then started again
 * on the same file, a few rounds in a row: every mutation that was answered with a result is
 * there, and the read model the restarted server serves is the one the log determines.
 *
 * CRASH_API_SEED=<n> replays the clients' choices of a printed run.
 */

const CLIENTS = 32;
const ROUNDS = 3;
const SHARED_GROUPS = ['river', 'lake', 'delta'];
/** The server is killed once this many mutations (or a few more) have been answered. */
const KILL_AFTER = { min: 100, max: 250 };

const EVENT = `fragment Event on RecordedEvent { ${EVENT_FIELDS} }`;
const MEMBERSHIP = `fragment Membership on Membership {
  organization { id } group { id } position joinedAt positionSince leftAt
  positions { position from until }
}`;

/** Everything the read model serves, each connection paged through with nested fields. */
async function readEverything(server: TestServer): Promise<Everything> {
  const organizations = await pageAll<Everything['organizations']['edges'][number]['node']>(
    server,
    'organizations',
    `id name registeredAt version
     memberships(includeEnded: true) { ...Membership }
     partnerships { id status }
     capability { ambition realized gap notes assessedAt }
     capabilityHistory { ambition realized gap notes assessedAt }`,
    { pageSize: 8, fragments: MEMBERSHIP },
  );
  const groups = await pageAll<Everything['groups']['edges'][number]['node']>(
    server,
    'groups',
    `id name purpose foundedAt dissolvedAt version
     members { ...Membership }
     all: members(includeEnded: true) { ...Membership }
     core: members(position: CORE) { organization { id } }
     partnerships { id status }
     history { ...Event }`,
    { pageSize: 4, fragments: `${MEMBERSHIP} ${EVENT}` },
  );
  const partnerships = await pageAll<Everything['partnerships']['edges'][number]['node']>(
    server,
    'partnerships',
    `id name purpose parties { id } group { id } startedAt intendedEndAt endedAt endReason
     status termStatus version
     arrangements { id title terms agreedAt validUntil endedAt }
     history { ...Event }`,
    { pageSize: 20, fragments: EVENT },
  );
  const ended = await pageAll(server, 'partnerships', 'id', { args: 'status: ENDED,' });
  const { network } = await query<Pick<Everything, 'network'>>(
    server,
    `{ network { stats {
        organizations groups activeGroups activeMemberships
        membersByPosition { core ring freeSpace }
        activePartnerships endedPartnerships overduePartnerships
    } } }`,
  );
  return { organizations, groups, partnerships, ended, network, events: await logEdges(server) };
}

interface Everything {
  organizations: Page<{ id: string; name: string; version: number }>;
  groups: Page<{
    id: string;
    name: string;
    version: number;
    dissolvedAt: string | null;
    members: { organization: { id: string }; position: string }[];
  }>;
  partnerships: Page<{
    id: string;
    name: string;
    version: number;
    status: string;
    intendedEndAt: string;
    parties: { id: string }[];
    arrangements: { id: string }[];
  }>;
  ended: Page<unknown>;
  network: { stats: Record<string, unknown> };
  events: Page<LoggedEvent>;
}

describe('the server killed with SIGKILL under a GraphQL write load', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  const servers: TestServer[] = [];

  async function start(): Promise<TestServer> {
    // Snapshots of the read model are written often, so that kills land among their writes
    // and restarts start from them.
    const server = await startServer(file, { SNAPSHOT_EVERY_EVENTS: '25' });
    servers.push(server);
    return server;
  }

  afterAll(async () => {
    for (const server of servers) {
      if (server.process.exitCode === null && server.process.signalCode === null) {
        server.process.kill('SIGKILL');
      }
      await server.close();
    }
    directory.remove();
  });

  it('loses no answered mutation, and the restarted read model is the one the log determines', async () => {
    const started = Date.now();
    // A fixed seed unless soaking (CRASH_SOAK=1) or replaying (CRASH_API_SEED), as crash-safety.
    const seed =
      process.env['CRASH_SOAK'] === '1' || (process.env['CRASH_API_SEED'] ?? '') !== ''
        ? seedFrom('CRASH_API_SEED')
        : 20261130;
    const random = seededRandom(seed);
    /** Every mutation answered with a result, over all rounds: none may go missing later. */
    const answeredSoFar = new Map<string, CommandResult>();
    let server = await start();
    let acknowledged = 0;
    let lostTotal = 0;
    let inFlightTotal = 0;
    let recordedInFlightTotal = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      const killAfter = KILL_AFTER.min + Math.floor(random() * (KILL_AFTER.max - KILL_AFTER.min));
      const target = server;
      let answeredAtKill = 0;
      const load: WriteLoad = new WriteLoad(target.url, `r${round}`, random, (answered) => {
        if (answered < killAfter || answeredAtKill > 0) return;
        answeredAtKill = answered;
        load.mark();
        target.process.kill('SIGKILL');
      });
      await load.run(CLIENTS, SHARED_GROUPS);
      await target.close();
      expect(target.process.signalCode).toBe('SIGKILL');

      // Before the kill, every mutation was answered with a result or a domain refusal.
      const sent = [...load.commands];
      const failedBeforeKill = sent.filter(
        ([, command]) =>
          (command.outcome?.kind === 'rejected' || command.outcome?.kind === 'unanswered') &&
          command.settledAfterMark !== true,
      );
      expect(failedBeforeKill).toEqual([]);
      expect(sent.filter(([, command]) => command.outcome?.kind === 'rejected')).toEqual([]);
      const answered = load.results();
      for (const [commandId, result] of answered) answeredSoFar.set(commandId, result);
      const inFlight = sent
        .filter(([, command]) => command.outcome?.kind === 'unanswered')
        .map(([commandId]) => commandId);

      // Restarted: every answered mutation is in the log and in its stream's history.
      const second = await start();
      const everything = await readEverything(second);
      const log = everything.events.edges.map((edge) => edge.node);
      const logged = idsByCommand(log);
      const lost = [...answeredSoFar].filter(
        ([commandId, result]) =>
          JSON.stringify(logged.get(commandId)) !== JSON.stringify(result.eventIds),
      );
      const streams = new Map<string, LoggedEvent[]>();
      for (const streamId of new Set([...answered.values()].map((result) => result.streamId))) {
        streams.set(streamId, await streamHistory(second, streamId));
      }
      const missingFromHistory = [...answered].filter(([, result]) => {
        const history = streams.get(result.streamId)!;
        const ids = new Set(history.map((event) => event.id));
        return (
          !result.eventIds.every((id) => ids.has(id)) ||
          history.some((event, revision) => event.revision !== revision) ||
          history.length < result.version
        );
      });
      const recordedInFlight = inFlight.filter((commandId) => logged.has(commandId));

      // The log served is the file's, and the read model is the one the file's log determines.
      const contents = readEventFile(file);

      // A second restart builds the very same answer.
      await second.close();
      const third = await start();
      const rebuilt = await readEverything(third);

      // Clients retry what got no answer: recorded at most once, and what the kill let
      // through already is answered with its first result.
      const retries = [];
      for (const commandId of inFlight) {
        const command = load.commands.get(commandId)!;
        const retried = await sendMutation(third.url, command.mutation, command.input);
        const again = await sendMutation(third.url, command.mutation, command.input);
        retries.push({ commandId, retried, again, before: logged.get(commandId) ?? null });
        if (retried.kind === 'ok') answeredSoFar.set(commandId, retried.result);
      }
      const after = idsByCommand(await readLog(third));
      const badRetries = retries.filter(
        ({ commandId, retried, again, before }) =>
          (retried.kind !== 'ok' && retried.kind !== 'refused') ||
          JSON.stringify(retried) !== JSON.stringify(again) ||
          (before !== null &&
            (retried.kind !== 'ok' ||
              JSON.stringify(retried.result.eventIds) !== JSON.stringify(before))) ||
          (retried.kind === 'ok' &&
            JSON.stringify(after.get(commandId)) !== JSON.stringify(retried.result.eventIds)),
      );

      acknowledged += answered.size;
      lostTotal += lost.length;
      inFlightTotal += inFlight.length;
      recordedInFlightTotal += recordedInFlight.length;
      report(
        `crash-api round ${round}/${ROUNDS}: killed after ${answeredAtKill} answers ` +
          `(target ${killAfter}), acknowledged=${answered.size}, lost=${lost.length}, ` +
          `in flight=${inFlight.length} (recorded before the kill: ${recordedInFlight.length}), ` +
          `log=${contents.events.length} events`,
      );
      expect(answered.size).toBeGreaterThanOrEqual(killAfter);
      expect(lost).toEqual([]);
      expect(missingFromHistory).toEqual([]);
      expect(contents.integrity).toBe('ok');
      expect(orderProblems(contents.events)).toEqual([]);
      expect(log.map(fromApi)).toEqual(contents.events.map(fromFile));
      expect(readModelOf(everything)).toEqual(expectedReadModel(contents.events));
      expect(rebuilt).toEqual(everything);
      expect(badRetries).toEqual([]);
      server = third;
    }
    await server.close();

    const fromSnapshot = servers.filter((s) =>
      /read model started from a snapshot of \d+ events/.test(s.output()),
    ).length;
    report(
      `crash-api: rounds=${ROUNDS} clients=${CLIENTS} acknowledged=${acknowledged} ` +
        `lost=${lostTotal} inFlightAtKill=${inFlightTotal} (recorded ${recordedInFlightTotal}) ` +
        `restarts=${ROUNDS * 2} (from a snapshot: ${fromSnapshot}) seed=${seed} time=${Date.now() - started}ms`,
    );
    expect(fromSnapshot).toBeGreaterThan(0);
    // Only bounds a hang: a full `npm test` runs this beside every other suite on 2 cores.
  }, 90_000);
});

/** The fields the API and the file both have, in one form. */
function fromApi(event: LoggedEvent): unknown {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    type: event.type,
    data: event.data,
    effectiveAt: ms(event.effectiveAt),
    recordedAt: ms(event.recordedAt),
    commandId: event.commandId,
  };
}

function fromFile(event: FileEvent): unknown {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: String(event.position),
    type: event.type,
    data: event.data,
    effectiveAt: event.effectiveAt,
    recordedAt: event.recordedAt,
    commandId: event.commandId,
  };
}

interface ReadModelSummary {
  organizations: { id: string; name: string; version: number }[];
  groups: { id: string; name: string; version: number; dissolved: boolean; members: string[] }[];
  partnerships: {
    id: string;
    name: string;
    version: number;
    status: string;
    intendedEndAt: number;
    parties: string[];
    arrangements: string[];
  }[];
  stats: Record<string, unknown>;
}

/** What the server answered, in the summary's form. */
function readModelOf(answer: Everything): ReadModelSummary {
  expect(answer.organizations.totalCount).toBe(answer.organizations.edges.length);
  expect(answer.groups.totalCount).toBe(answer.groups.edges.length);
  expect(answer.partnerships.totalCount).toBe(answer.partnerships.edges.length);
  return {
    organizations: answer.organizations.edges.map(({ node }) => ({
      id: node.id,
      name: node.name,
      version: node.version,
    })),
    groups: answer.groups.edges.map(({ node }) => ({
      id: node.id,
      name: node.name,
      version: node.version,
      dissolved: node.dissolvedAt !== null,
      members: node.members.map((member) => `${member.organization.id} ${member.position}`).sort(),
    })),
    partnerships: answer.partnerships.edges.map(({ node }) => ({
      id: node.id,
      name: node.name,
      version: node.version,
      status: node.status,
      intendedEndAt: ms(node.intendedEndAt),
      parties: node.parties.map((party) => party.id),
      arrangements: node.arrangements.map((arrangement) => arrangement.id),
    })),
    stats: answer.network.stats,
  };
}

/**
 * The same summary folded here from the file's rows, independently of the product's
 * projections: organisations, groups and partnerships in the order first recorded.
 */
function expectedReadModel(events: readonly FileEvent[]): ReadModelSummary {
  const organizations = new Map<string, ReadModelSummary['organizations'][number]>();
  const groups = new Map<
    string,
    { summary: ReadModelSummary['groups'][number]; members: Map<string, string> }
  >();
  const partnerships = new Map<string, ReadModelSummary['partnerships'][number]>();
  const now = Date.now();
  for (const event of events) {
    const data = event.data as Record<string, any>;
    const [category, ...rest] = event.streamId.split('-');
    const id = rest.join('-');
    if (category === 'organization') {
      if (event.type === 'OrganizationRegistered')
        organizations.set(id, { id, name: data['name'], version: 0 });
      organizations.get(id)!.version++;
    } else if (category === 'group') {
      if (event.type === 'GroupFounded') {
        groups.set(id, {
          summary: { id, name: data['name'], version: 0, dissolved: false, members: [] },
          members: new Map(),
        });
      }
      const group = groups.get(id)!;
      group.summary.version++;
      if (event.type === 'OrganizationJoinedGroup' || event.type === 'PositionChanged') {
        group.members.set(data['organizationId'], data['position']);
      } else if (event.type === 'OrganizationLeftGroup') {
        group.members.delete(data['organizationId']);
      } else if (event.type === 'GroupDissolved') {
        group.summary.dissolved = true;
        group.members.clear();
      }
    } else if (category === 'partnership') {
      if (event.type === 'PartnershipFormed') {
        partnerships.set(id, {
          id,
          name: data['name'],
          version: 0,
          status: 'ACTIVE',
          intendedEndAt: Date.parse(data['intendedEndAt']),
          parties: data['partyIds'],
          arrangements: [],
        });
      }
      const partnership = partnerships.get(id)!;
      partnership.version++;
      if (event.type === 'ArrangementAgreed') partnership.arrangements.push(data['arrangementId']);
      if (event.type === 'PartnershipExtended')
        partnership.intendedEndAt = Date.parse(data['intendedEndAt']);
      if (event.type === 'PartnershipEnded') partnership.status = 'ENDED';
    }
  }
  const members = [...groups.values()].flatMap((group) => [...group.members.values()]);
  const active = [...partnerships.values()].filter(
    (partnership) => partnership.status === 'ACTIVE',
  );
  return {
    organizations: [...organizations.values()],
    groups: [...groups.values()].map(({ summary, members: current }) => ({
      ...summary,
      members: [...current].map(([organization, position]) => `${organization} ${position}`).sort(),
    })),
    partnerships: [...partnerships.values()],
    stats: {
      organizations: organizations.size,
      groups: groups.size,
      activeGroups: [...groups.values()].filter((group) => !group.summary.dissolved).length,
      activeMemberships: members.length,
      membersByPosition: {
        core: members.filter((position) => position === 'CORE').length,
        ring: members.filter((position) => position === 'RING').length,
        freeSpace: members.filter((position) => position === 'FREE_SPACE').length,
      },
      activePartnerships: active.length,
      endedPartnerships: partnerships.size - active.length,
      overduePartnerships: active.filter((partnership) => partnership.intendedEndAt <= now).length,
    },
  };
}
