/**
 * P4: latency of time-travel lookups, one request at a time over HTTP to the built server:
 * a group with its members and a partnership with its term status and arrangements, as
 * they stood at a random asOf, as known at a random knownAt, within the generated history.
 *
 * Both history sizes answer the same work: a random group and knownAt, an asOf at which that
 * group had exactly {@link MEMBERS} members as known then, and the first partnership from a
 * random place with exactly {@link ARRANGEMENTS} arrangement at those times (chosen beforehand with the same read model, built in this
 * process and not timed; each answer is checked).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { LogFollower } from '@partnerships/projections/log-follower';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { EventReader, NetworkView } from '@partnerships/projections/network-view';
import type { GroupRecord } from '@partnerships/projections/records';
import { countWhile } from '@partnerships/projections/revisions';
import { FigureResult } from './figure';
import { copyDatabase, removeDatabase } from './generated-files';
import { Ticker, percentile, say, sleep } from './progress';
import { ServerProcess } from './server-process';
import { START_TIMEOUT_MS } from './p5-startup';
import { Row, formatCount, formatMs, formatSize, formatTimes, verdict } from './table';

export interface History {
  readonly file: string;
  readonly events: number;
}

export interface TimeTravelOptions {
  readonly small: History;
  readonly large: History;
  readonly requests: number;
  /** Requests sent first and not counted. */
  readonly warmup: number;
  readonly seed: number;
  readonly tempDir: string;
}

const LOOKUP = `query TimeTravel($asOf: DateTime, $knownAt: DateTime, $group: ID!, $partnership: ID!) {
  network(asOf: $asOf, knownAt: $knownAt) {
    group(id: $group) {
      id name purpose version foundedAt dissolvedAt
      members { position joinedAt positionSince organization { id name } }
    }
    partnership(id: $partnership) {
      id name status termStatus startedAt intendedEndAt endedAt
      parties { id name }
      arrangements { id title terms agreedAt validUntil endedAt }
    }
  }
}`;

/** The dashboard's first page of groups (FIRST_OVERVIEW_PAGE in its network-data.ts). */
const OVERVIEW_GROUPS = 12;

/**
 * The dashboard's first request on a large network (its NetworkStats and GroupOverview
 * operations in one): the network's counts and the first page of groups with how many
 * members each has in each position, at a pair of times. Its work grows with the network.
 */
const OVERVIEW = `query Overview($asOf: DateTime, $knownAt: DateTime) {
  network(asOf: $asOf, knownAt: $knownAt) {
    stats {
      organizations groups activeGroups activeMemberships
      membersByPosition { core ring freeSpace }
      activePartnerships endedPartnerships overduePartnerships
    }
    groups(first: ${OVERVIEW_GROUPS}) {
      totalCount
      edges { node { id name foundedAt dissolvedAt membersByPosition { core ring freeSpace } } }
    }
  }
}`;

/** The answer size of every lookup counted, at both history sizes. */
const MEMBERS = 8;

const ARRANGEMENTS = 1;
/** Draws tried per lookup wanted before giving up on finding that many of the answer size. */
const DRAWS_PER_LOOKUP = 20;
/**
 * Mutations per second recorded during the second run at the larger size: a manager's
 * pace, as P8's live feed. Each new event is recorded now, after every drawn knownAt, so
 * the answers stay those of the first run.
 */
const WRITES_PER_SECOND = 50;
const WRITE = 'mutation { registerOrganization(input: { name: "P4 live organisation" }) { id } }';

interface Bounds {
  readonly groups: string[];
  readonly partnerships: string[];
  readonly effective: readonly [number, number];
  readonly recorded: readonly [number, number];
}

interface Latencies {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** The share of draws (group, knownAt) that gave a lookup of the answer size. */
  readonly drawnShare: number;
}

export async function measureTimeTravel(options: TimeTravelOptions): Promise<FigureResult> {
  const small = await lookups(options.small, options, false);
  const large = await lookups(options.large, options, true);
  const whileWriting = large.whileWriting;
  const smallSize = formatSize(options.small.events);
  const largeSize = formatSize(options.large.events);
  const describe = (l: Latencies): string =>
    `p50 ${formatMs(l.p50)}, p95 ${formatMs(l.p95)} (p99 ${formatMs(l.p99)})`;
  const conditions = `${options.requests} sequential requests after ${options.warmup} of warm-up`;
  return {
    rows: [
      {
        figure: `P4 time-travel lookup latency at ${largeSize} events, sequential over HTTP`,
        ours: describe(large.quiet),
        baseline: `at ${smallSize}: ${describe(small.quiet)}`,
        ratio: '—',
        target: `p95 ≤ 10 ms at ${largeSize}`,
        met: verdict(large.quiet.p95, '<=', 10),
      },
      {
        figure: `P4 time-travel p95, ${largeSize} against ${smallSize} events`,
        ours: `p95 ${formatMs(large.quiet.p95)} at ${largeSize}`,
        baseline: `p95 ${formatMs(small.quiet.p95)} at ${smallSize}`,
        ratio: formatTimes(large.quiet.p95 / small.quiet.p95),
        target: '≤ 1.3×',
        met: verdict(large.quiet.p95 / small.quiet.p95, '<=', 1.3),
      },
      {
        figure: `P4 the dashboard's overview (network counts and ${OVERVIEW_GROUPS} groups' position counts) at the same pairs of times, ${largeSize} against ${smallSize} events (information)`,
        ours: `${describe(large.overview)} at ${largeSize}: ${formatCount(large.network.partnerships)} partnerships, ${formatCount(large.network.memberships)} active memberships`,
        baseline: `${describe(small.overview)} at ${smallSize}: ${formatCount(small.network.partnerships)} partnerships, ${formatCount(small.network.memberships)} active memberships`,
        ratio: formatTimes(large.overview.p95 / small.overview.p95),
        target: '—',
        met: '—',
      },
      ...(whileWriting === undefined
        ? []
        : ([
            {
              figure: `P4 time-travel lookups at ${largeSize} events while ${WRITES_PER_SECOND} mutations/s are recorded, against none (information)`,
              ours: `${describe(whileWriting)}; ${formatCount(whileWriting.writes)} mutations recorded`,
              baseline: `no writes: ${describe(large.quiet)}`,
              ratio: formatTimes(whileWriting.p95 / large.quiet.p95),
              target: '—',
              met: '—',
            },
          ] satisfies Row[])),
    ],
    notes: [
      `P4: \`network(asOf, knownAt) { group(id) { members { organization } } partnership(id) { parties termStatus arrangements } }\`, ` +
        `${conditions}, each size on its own server, rebuilt from the log without a snapshot of its read model ` +
        '(SNAPSHOT_FILE=off: the snapshot a start that rebuilt writes at once would take a second core, which P5 reports).',
      `P4's overview row asks the dashboard's first request on a large network (its counts and first page of groups) at the same drawn pairs of times, ` +
        'one at a time after the lookups, on the same quiet server: counting is one pass over the columns of every partnership and membership, ' +
        'so it grows with the network (the figures after each size say how large it is), while a lookup does not.',
      `P4 draws knownAt uniformly between the first and the last recordedAt of the history, ` +
        `a random group and then an asOf (within the group's history) at which it had exactly ${MEMBERS} members as known then, ` +
        `and from a random place the first partnership with ${ARRANGEMENTS} arrangement at those times (seeded; the same work at both sizes; checked on every answer); ` +
        `${percent(small.quiet.drawnShare)} of the draws at ${smallSize} and ${percent(large.quiet.drawnShare)} at ${largeSize} gave such a lookup. ` +
        'Latency is measured in the benchmark process around fetch and reading the body.',
      `P4 at ${largeSize} then asks the same lookups again on the same server while another loop records a new organisation every ` +
        `${1000 / WRITES_PER_SECOND} ms through the API (the events are recorded after every drawn knownAt, so every answer stays the same, and is checked): ` +
        'each lookup after a write meets a read model that has grown, as on a live server.',
    ],
  };
}

interface WhileWriting extends Latencies {
  readonly writes: number;
}

interface SizeResult {
  readonly quiet: Latencies;
  readonly overview: Latencies;
  /** The size of the network the overview counts, as known at the end of the history. */
  readonly network: { readonly partnerships: number; readonly memberships: number };
  readonly whileWriting: WhileWriting | undefined;
}

/**
 * The lookups' and the overview's latencies on a quiet server and, with `alsoWhileWriting`,
 * the lookups' during writes.
 */
async function lookups(
  history: History,
  options: TimeTravelOptions,
  alsoWhileWriting: boolean,
): Promise<SizeResult> {
  const size = formatSize(history.events);
  const file = copyDatabase(history.file, join(options.tempDir, `p4-${history.events}.db`));
  try {
    const bounds = readBounds(file);
    const total = options.warmup + options.requests;
    say(`P4 choosing ${total} lookups of the same answer size in the ${size}-event history`);
    const { lookups: chosen, share } = await chooseLookups(file, bounds, options.seed, total);
    say(`P4 starting the built server on a copy of the ${size}-event history`);
    // A server rebuilds the whole history before it serves: minutes at 10M events.
    const server = await ServerProcess.start({
      file,
      logFile: join(options.tempDir, `p4-${history.events}-server.log`),
      startTimeoutMs: START_TIMEOUT_MS,
      // Without the snapshot a start that rebuilt writes at once: the process writing it
      // (P5 reports it) would take the second core during the lookups.
      env: { SNAPSHOT_FILE: 'off' },
    });
    try {
      await server.waitUntilReady(START_TIMEOUT_MS);
      const quiet = await measureLookups(server, chosen, options, `P4 at ${size}`, share);
      const overview = await measureOverview(server, chosen, options, `P4 overview at ${size}`);
      const network = await networkSize(server);
      if (!alsoWhileWriting) return { quiet, overview, network, whileWriting: undefined };
      const writer = new PacedWriter(server);
      let writing: Latencies;
      try {
        writing = await measureLookups(
          server,
          chosen,
          options,
          `P4 at ${size} while writing`,
          share,
        );
      } finally {
        await writer.stop();
      }
      return { quiet, overview, network, whileWriting: { ...writing, writes: writer.written } };
    } finally {
      await server.stop();
    }
  } finally {
    removeDatabase(file);
  }
}

/** Records a new organisation every 1/WRITES_PER_SECOND s until stopped; throws what failed. */
class PacedWriter {
  written = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(server: ServerProcess) {
    this.done = (async () => {
      const started = performance.now();
      while (!this.stopped) {
        await server.gql(WRITE);
        this.written++;
        const due = started + (this.written * 1000) / WRITES_PER_SECOND;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
    })();
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

interface LookupAnswer {
  readonly network: {
    readonly group: { readonly members: unknown[] } | null;
    readonly partnership: { readonly arrangements: unknown[] } | null;
  };
}

async function measureLookups(
  server: ServerProcess,
  chosen: readonly Record<string, unknown>[],
  options: TimeTravelOptions,
  label: string,
  share: number,
): Promise<Latencies> {
  const samples = await timed(chosen, options, label, 'lookups', {
    ask: (variables) => server.gql<LookupAnswer>(LOOKUP, variables),
    check: ({ network: { group, partnership } }, variables) => {
      if (group?.members.length !== MEMBERS || partnership?.arrangements.length !== ARRANGEMENTS) {
        throw new Error(
          `P4: the server's answer to ${JSON.stringify(variables)} is not of the chosen size`,
        );
      }
    },
  });
  return latenciesOf(samples, share, label);
}

/** The overview at each drawn pair of times, one request at a time. */
async function measureOverview(
  server: ServerProcess,
  chosen: readonly Record<string, unknown>[],
  options: TimeTravelOptions,
  label: string,
): Promise<Latencies> {
  const samples = await timed(chosen, options, label, 'overviews', {
    ask: ({ asOf, knownAt }) =>
      server.gql<{ network: { groups: { edges: unknown[] } } }>(OVERVIEW, { asOf, knownAt }),
    check: (answer, { asOf, knownAt }) => {
      if (answer.network.groups.edges.length === 0) {
        throw new Error(`P4: the overview at ${JSON.stringify({ asOf, knownAt })} has no group`);
      }
    },
  });
  return latenciesOf(samples, 1, label);
}

/**
 * Asks with each drawn lookup's variables in turn, one request at a time, and times each
 * request (its answer checked after); the warm-up's times are not kept.
 */
async function timed<Answer>(
  chosen: readonly Record<string, unknown>[],
  options: TimeTravelOptions,
  label: string,
  unit: string,
  request: {
    readonly ask: (variables: Record<string, unknown>) => Promise<Answer>;
    readonly check: (answer: Answer, variables: Record<string, unknown>) => void;
  },
): Promise<number[]> {
  const total = options.warmup + options.requests;
  const samples: number[] = [];
  const ticker = new Ticker(label, 2_000);
  for (let i = 0; i < total; i++) {
    const variables = chosen[i]!;
    const started = performance.now();
    const answer = await request.ask(variables);
    const elapsed = performance.now() - started;
    request.check(answer, variables);
    if (i < options.warmup) continue;
    samples.push(elapsed);
    ticker.tick(() => `${samples.length}/${options.requests} ${unit}`);
  }
  return samples;
}

/** The network's partnerships and active memberships now, as the overview counts them. */
async function networkSize(
  server: ServerProcess,
): Promise<{ partnerships: number; memberships: number }> {
  const { network } = await server.gql<{
    network: {
      stats: { activePartnerships: number; endedPartnerships: number; activeMemberships: number };
    };
  }>('{ network { stats { activePartnerships endedPartnerships activeMemberships } } }');
  const { activePartnerships, endedPartnerships, activeMemberships } = network.stats;
  return {
    partnerships: activePartnerships + endedPartnerships,
    memberships: activeMemberships,
  };
}

function latenciesOf(samples: number[], share: number, label: string): Latencies {
  samples.sort((a, b) => a - b);
  const latencies: Latencies = {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    drawnShare: share,
  };
  say(
    `${label}: p50 ${formatMs(latencies.p50)}, p95 ${formatMs(latencies.p95)}, p99 ${formatMs(latencies.p99)}`,
  );
  return latencies;
}

function readBounds(file: string): Bounds {
  const db = new Database(file, { fileMustExist: true });
  try {
    const ids = (type: string, field: string): string[] =>
      db
        .prepare<[string], string>(
          `SELECT json_extract(data, '$.${field}') FROM events WHERE type = ? ORDER BY position`,
        )
        .pluck()
        .all(type);
    const times = db
      .prepare<[], { e0: number; e1: number; r0: number; r1: number }>(
        `SELECT MIN(effective_at) AS e0, MAX(effective_at) AS e1,
                MIN(recorded_at) AS r0, MAX(recorded_at) AS r1 FROM events`,
      )
      .get();
    const groups = ids('GroupFounded', 'groupId');
    const partnerships = ids('PartnershipFormed', 'partnershipId');
    if (times === undefined || groups.length === 0 || partnerships.length === 0) {
      throw new Error(`${file} holds no group or no partnership to look up`);
    }
    return {
      groups,
      partnerships,
      effective: [times.e0, times.e1],
      recorded: [times.r0, times.r1],
    };
  } finally {
    db.close();
  }
}

/**
 * Draws lookups (seeded) until `wanted` of them have the answer size, judged by the read
 * model built here from the same file.
 */
async function chooseLookups(
  file: string,
  bounds: Bounds,
  seed: number,
  wanted: number,
): Promise<{ lookups: Record<string, string>[]; share: number }> {
  const store = SqliteEventStore.open(file);
  try {
    const projection = new NetworkProjection();
    await new LogFollower(store, projection).start();
    return await drawLookups(projection, store, bounds, seed, wanted);
  } finally {
    await store.close();
  }
}

async function drawLookups(
  projection: NetworkProjection,
  reader: EventReader,
  bounds: Bounds,
  seed: number,
  wanted: number,
): Promise<{ lookups: Record<string, string>[]; share: number }> {
  const random = xoroshiro128plus(seed);
  const int = (min: number, max: number): number => unsafeUniformIntDistribution(min, max, random);
  const groups = projection.groupOrder;
  const partnerships = projection.partnershipOrder;
  const lookups: Record<string, string>[] = [];
  let draws = 0;
  while (lookups.length < wanted) {
    if (++draws > wanted * DRAWS_PER_LOOKUP) {
      throw new Error(
        `P4 found only ${lookups.length} lookups of the answer size in ${draws} draws`,
      );
    }
    const knownAt = new Date(int(...bounds.recorded));
    const group = groups[int(0, groups.length - 1)]!;
    // A valid time at which the group had exactly MEMBERS members, as known at knownAt.
    const at = timeWithMembers(projection, group, knownAt.getTime(), (low, high) => int(low, high));
    if (at === undefined) continue;
    const asOf = new Date(at);
    const view = new NetworkView(projection, asOf, knownAt, reader);
    // From a random place, the first partnership with ARRANGEMENTS arrangements then.
    const partnership = firstFrom(partnerships, int(0, partnerships.length - 1), (record) => {
      const seen = view.seen(record.stream);
      return seen > 0 && countWhile(record.arrangements, (r) => r < seen) === ARRANGEMENTS;
    });
    if (partnership === undefined) continue;
    // The answer as the server builds it, to be sure of the size.
    const node = view.group(group.id);
    const deal = view.partnership(partnership.id);
    if (node === null || view.members(node, null, false).length !== MEMBERS) continue;
    if (deal === null || (await view.arrangements(deal)).length !== ARRANGEMENTS) continue;
    lookups.push({
      asOf: asOf.toISOString(),
      knownAt: knownAt.toISOString(),
      group: group.id,
      partnership: partnership.id,
    });
  }
  return { lookups, share: lookups.length / draws };
}

/**
 * A valid time, drawn with `int`, at which the group's first events as known at `knownAt`
 * leave exactly MEMBERS members open; undefined when no prefix does. Within the stream
 * valid times only grow, so seeing the first n events is asOf in [time(n-1), time(n)).
 */
function timeWithMembers(
  projection: NetworkProjection,
  group: GroupRecord,
  knownAt: number,
  int: (low: number, high: number) => number,
): number | undefined {
  const seqs = group.stream.seqs;
  let known = 0;
  while (known < seqs.length && projection.recordedAt(seqs.at(known)) <= knownAt) known++;
  const change = new Int32Array(known + 1);
  const table = projection.memberships;
  for (const membership of group.memberships) {
    const joinRevision = table.joinRevisionOf(membership);
    if (joinRevision < known) change[joinRevision + 1]! += 1;
    const end = table.endRevisionOf(membership);
    if (end !== undefined && end < known) change[end + 1]! -= 1;
  }
  const prefixes: number[] = [];
  let open = 0;
  for (let n = 1; n <= known; n++) {
    open += change[n]!;
    const from = projection.effectiveAt(seqs.at(n - 1));
    const until = n < seqs.length ? projection.effectiveAt(seqs.at(n)) : from + 1;
    if (open === MEMBERS && until > from) prefixes.push(n);
  }
  if (prefixes.length === 0) return undefined;
  const n = prefixes[int(0, prefixes.length - 1)]!;
  const from = projection.effectiveAt(seqs.at(n - 1));
  const until = n < seqs.length ? projection.effectiveAt(seqs.at(n)) : from + 1;
  return int(from, until - 1);
}

function firstFrom<T>(
  items: readonly T[],
  start: number,
  holds: (item: T) => boolean,
): T | undefined {
  for (let k = 0; k < items.length; k++) {
    const item = items[(start + k) % items.length]!;
    if (holds(item)) return item;
  }
  return undefined;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)} %`;
}
