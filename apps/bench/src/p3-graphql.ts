/**
 * P3: the built server under load from autocannon (in this process, the server in its own):
 * durable mutations, a group of 50 members, and `{ __typename }` as the ceiling.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import { FigureResult } from './figure';
import { copyDatabase, removeDatabase } from './generated-files';
import { say } from './progress';
import {
  JoinGroupOptions,
  joinGroupRow,
  measureJoins,
  waitForLargeGroup,
  writeLargeGroup,
} from './p3-join-group';
import { SERVER_NODE_FLAGS, SERVER_START_ENV, ServerProcess } from './server-process';
import {
  Row,
  formatCount,
  formatMs,
  formatPercent,
  formatRate,
  formatSize,
  verdict,
} from './table';

export interface GraphqlOptions {
  readonly file: string;
  readonly events: number;
  readonly connections: number;
  readonly durationS: number;
  /** A run before each measured one, not counted: the JIT warms up, connections open. */
  readonly warmupS: number;
  /** The joinGroup row: joins measured on each group, and those before them. */
  readonly joins: JoinGroupOptions;
  readonly tempDir: string;
}

const GROUP_ID = 'bench-group';
const MEMBERS = 50;
/** Below the server's default alias limit (30). */
const ALIASES_PER_REQUEST = 25;
const POSITIONS = ['CORE', 'RING', 'FREE_SPACE'] as const;

const MUTATION =
  'mutation { registerOrganization(input: { name: "Bench organisation" }) { id version position } }';
const GROUP_QUERY = `{ group(id: "${GROUP_ID}") { id name purpose version members { position joinedAt positionSince organization { id name } } } }`;
const CEILING_QUERY = '{ __typename }';

export async function measureGraphql(options: GraphqlOptions): Promise<FigureResult> {
  const file = copyDatabase(options.file, join(options.tempDir, 'p3.db'));
  const size = formatSize(options.events);
  say(`P3 starting the built server on a copy of the ${size}-event history`);
  const server = await ServerProcess.start({
    file,
    logFile: join(options.tempDir, 'p3-server.log'),
  });
  try {
    await server.waitUntilReady();
    const run = (label: string, query: string, beforeRun?: () => Promise<void>): Promise<Load> =>
      load(server, label, JSON.stringify({ query }), options, beforeRun);

    // The ceiling is measured on both sides of the mutations, and the higher counts: the
    // ratio is never flattered by a ceiling measured while the server was still settling.
    const ceilingBefore = await run('P3 { __typename } (before the mutations)', CEILING_QUERY);
    let before = 0;
    const mutations = await run('P3 mutations', MUTATION, async () => {
      before = await organizationCount(server);
    });
    const recorded = (await organizationCount(server)) - before;
    const mutationsPerSecond = mutations['2xx'] / mutations.duration;

    say(`P3 creating group ${GROUP_ID} with ${MEMBERS} members through mutations`);
    await createGroup(server);
    const ceiling = await run('P3 { __typename }', CEILING_QUERY);
    const group = await run(`P3 group(id) with ${MEMBERS} members`, GROUP_QUERY);
    const groupRate = group['2xx'] / group.duration;
    const ceilingBeforeRate = ceilingBefore['2xx'] / ceilingBefore.duration;
    // Written last, while the server runs (it follows the file like any other writer's
    // commits), so that its 40,000 events do not weigh on the runs above.
    await writeLargeGroup(file, options.joins);
    await waitForLargeGroup(server);
    const joins = await measureJoins(server, options.joins);
    const ceilingRate = ceiling['2xx'] / ceiling.duration;

    const conditions = `${options.connections} connections, ${options.durationS} s after ${options.warmupS} s of warm-up, on a copy of the ${size}-event history`;
    const rows: Row[] = [
      {
        figure: `P3 durable mutations/s, ${options.connections} connections`,
        ours: `${formatRate(mutationsPerSecond)} ${latencies(mutations)}${failures(mutations)}`,
        baseline: '—',
        ratio: '—',
        target: '≥ 5,000/s',
        met: verdict(mutationsPerSecond, '>=', 5_000),
      },
      {
        figure: `P3 durable mutations/s vs the same server's \`{ __typename }\` (the higher of the runs before and after), ${options.connections} connections`,
        ours: `${formatRate(mutationsPerSecond)} ${latencies(mutations)}${failures(mutations)}`,
        baseline:
          `\`{ __typename }\`: before ${formatRate(ceilingBeforeRate)} ${latencies(ceilingBefore)}${failures(ceilingBefore)}; ` +
          `after ${formatRate(ceilingRate)} ${latencies(ceiling)}${failures(ceiling)}`,
        ratio: formatPercent(mutationsPerSecond / Math.max(ceilingRate, ceilingBeforeRate)),
        target: '≥ 75 %',
        met: verdict(mutationsPerSecond / Math.max(ceilingRate, ceilingBeforeRate), '>=', 0.75),
      },
      {
        figure: `P3 group(id) of ${MEMBERS} members, req/s, vs the same server's \`{ __typename }\`, ${options.connections} connections`,
        ours: `${formatRate(groupRate)} ${latencies(group)}${failures(group)}`,
        baseline: `\`{ __typename }\`: ${formatRate(ceilingRate)} ${latencies(ceiling)}${failures(ceiling)}`,
        ratio: formatPercent(groupRate / ceilingRate),
        target: '≥ 50 %',
        met: verdict(groupRate / ceilingRate, '>=', 0.5),
      },
      joinGroupRow(joins),
    ];
    const notes = [
      `P3: ${conditions}. Mutations are \`registerOrganization(input: { name })\` without id, so each records a new organisation ` +
        `(acknowledged once on disk); group(id) asks for the group and its ${MEMBERS} members with their organisations, ` +
        "the group made through mutations before the run. Latencies are autocannon's, with 1 ms resolution.",
      `P3, P4 and P5 run the built server as \`npm start\` does (\`${[...Object.entries(SERVER_START_ENV).map(([name, value]) => `${name}=${value}`), 'node', ...SERVER_NODE_FLAGS, 'dist/apps/api/src/main.js'].join(' ')}\`), open (no credentials), LOG_LEVEL=info, ` +
        'its log (a line per request) to a file; autocannon runs in the benchmark process on the same machine, so the two share its cores.',
    ];
    // Mutations in flight when autocannon stops (the warm-up's, the run's) are recorded
    // but never counted as answered: at most one per connection each time. Fewer recorded
    // than answered means some answers of 200 carried GraphQL errors.
    const unanswered = recorded - mutations['2xx'];
    if (unanswered < 0 || unanswered > 2 * options.connections) {
      notes.push(
        `P3 mutations: autocannon counted ${formatCount(mutations['2xx'])} answers of 200 while the network gained ` +
          `${formatCount(recorded)} organisations: ${unanswered < 0 ? 'some answers of 200 carried GraphQL errors' : 'more were recorded than were sent'}.`,
      );
    }
    return { rows, notes };
  } finally {
    try {
      await server.stop();
    } finally {
      removeDatabase(file);
    }
  }
}

interface Load extends autocannon.Result {
  /** Why requests failed, by error code, as autocannon reported them. */
  readonly reasons: Readonly<Record<string, number>>;
}

/** A warm-up run, then `beforeRun`, then the measured run. */
async function load(
  server: ServerProcess,
  label: string,
  body: string,
  options: GraphqlOptions,
  beforeRun: () => Promise<void> = async () => undefined,
): Promise<Load> {
  if (options.warmupS > 0) {
    await attack(server, `${label} (warm-up)`, body, options.connections, options.warmupS);
  }
  await beforeRun();
  const result = await attack(server, label, body, options.connections, options.durationS);
  say(
    `${label}: ${formatRate(result['2xx'] / result.duration)} ${latencies(result)}${failures(result)}`,
  );
  return result;
}

async function attack(
  server: ServerProcess,
  label: string,
  body: string,
  connections: number,
  durationS: number,
): Promise<Load> {
  const instance = autocannon({
    url: server.graphqlUrl,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    connections,
    duration: durationS,
    timeout: 30,
  });
  const reasons: Record<string, number> = {};
  instance.on('reqError', (error: Error & { code?: string }) => {
    const reason = error.code ?? error.message;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  });
  let seconds = 0;
  const every = Math.max(1, Math.round(durationS / 4));
  instance.on('tick', ({ counter }) => {
    seconds++;
    if (seconds <= durationS && seconds % every === 0) {
      say(`${label}: ${seconds}/${durationS} s, ${counter} answers in the last second`);
    }
  });
  return { ...(await instance), reasons };
}

async function organizationCount(server: ServerProcess): Promise<number> {
  const data = await server.gql<{ network: { stats: { organizations: number } } }>(
    '{ network { stats { organizations } } }',
  );
  return data.network.stats.organizations;
}

async function createGroup(server: ServerProcess): Promise<void> {
  await server.gql(
    `mutation { foundGroup(input: { id: "${GROUP_ID}", name: "Bench group", purpose: "Fifty members" }) { id } }`,
  );
  const members = Array.from({ length: MEMBERS }, (_, index) => index + 1);
  for (let from = 0; from < MEMBERS; from += ALIASES_PER_REQUEST) {
    const batch = members.slice(from, from + ALIASES_PER_REQUEST);
    await server.gql(
      `mutation { ${batch
        .map(
          (n) =>
            `r${n}: registerOrganization(input: { id: "bench-member-${n}", name: "Bench member ${n}" }) { id }`,
        )
        .join(' ')} }`,
    );
    await server.gql(
      `mutation { ${batch
        .map(
          (n) =>
            `j${n}: joinGroup(input: { groupId: "${GROUP_ID}", organizationId: "bench-member-${n}", position: ${POSITIONS[n % POSITIONS.length]} }) { version }`,
        )
        .join(' ')} }`,
    );
  }
  const { group } = await server.gql<{ group: { members: unknown[] } | null }>(GROUP_QUERY);
  if (group?.members.length !== MEMBERS) {
    throw new Error(
      `group ${GROUP_ID} has ${group?.members.length ?? 'no'} members, not ${MEMBERS}`,
    );
  }
}

function latencies(result: Load): string {
  return `(p50 ${formatMs(result.latency.p50)}, p99 ${formatMs(result.latency.p99)})`;
}

function failures(result: Load): string {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed === 0) return '';
  const reasons = Object.entries(result.reasons)
    .map(([reason, count]) => `${formatCount(count)}× ${reason}`)
    .join(', ');
  return (
    `; ${formatCount(result.non2xx)} non-2xx, ${formatCount(result.errors)} errors, ` +
    `${formatCount(result.timeouts)} timeouts${reasons === '' ? '' : ` (${reasons})`}`
  );
}
