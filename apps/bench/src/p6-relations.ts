/**
 * P6: latency of `Organization.relations` over HTTP, one request at a time, for the
 * organisation of the generated history whose number of relations lies closest to 200,
 * beside the same organisation asked for its name only (the cost of the request itself).
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FigureResult } from './figure';
import { copyDatabase, removeDatabase } from './generated-files';
import { Ticker, percentile, say } from './progress';
import { ServerProcess } from './server-process';
import { formatMs, formatSize, formatTimes, verdict } from './table';

export interface RelationsOptions {
  readonly file: string;
  readonly events: number;
  readonly requests: number;
  /** Requests sent first and not counted. */
  readonly warmup: number;
  readonly tempDir: string;
}

/** The size of the organisation's network the target is stated for. */
const WANTED_RELATIONS = 200;

const RELATIONS = `query Relations($id: ID!) {
  organization(id: $id) {
    id
    relations {
      organization { id name }
      partnerships { id status }
      groups { id name }
      since
    }
  }
}`;

const NAME_ONLY = `query Name($id: ID!) { organization(id: $id) { id name } }`;

// Small pages: at 1M events an organisation has thousands of relations, and a page of 500
// would be a 60 MB answer, over the server's response limit.
const COUNTS = `query Counts($after: String) {
  organizations(first: 20, after: $after) {
    edges { node { id relations { since } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const COUNT_ONE = `query Count($id: ID!) { organization(id: $id) { relations { since } } }`;

interface CountsPage {
  organizations: {
    edges: { node: { id: string; relations: unknown[] } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

interface Latencies {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export async function measureRelations(options: RelationsOptions): Promise<FigureResult> {
  const size = formatSize(options.events);
  const file = copyDatabase(options.file, join(options.tempDir, `p6-${options.events}.db`));
  try {
    say(`P6 starting the built server on a copy of the ${size}-event history`);
    const server = await ServerProcess.start({
      file,
      logFile: join(options.tempDir, `p6-${options.events}-server.log`),
    });
    try {
      await server.waitUntilReady();
      const chosen = await chosenOrganization(server, options.file);
      const relations = await latencies(server, RELATIONS, chosen.id, options, 'relations');
      const plain = await latencies(server, NAME_ONLY, chosen.id, options, 'name only');
      const describe = (l: Latencies): string =>
        `p50 ${formatMs(l.p50)}, p95 ${formatMs(l.p95)} (p99 ${formatMs(l.p99)})`;
      return {
        rows: [
          {
            figure: `P6 relations of an organisation with ${chosen.relations} relations at ${size} events, sequential over HTTP`,
            ours: describe(relations),
            baseline: `the same organisation's name only: ${describe(plain)}`,
            ratio: formatTimes(relations.p95 / plain.p95),
            target: `p95 ≤ 10 ms (${WANTED_RELATIONS} relations at 1M)`,
            met: verdict(relations.p95, '<=', 10),
          },
        ],
        notes: [
          `P6: \`organization(id) { relations { organization { id name } partnerships { id status } groups { id name } since } }\` ` +
            `for the organisation whose number of relations lies closest to ${WANTED_RELATIONS} (${chosen.id}: ${chosen.relations}; ` +
            "chosen once per generated history by counting every organisation's relations, kept beside it and its count checked at each run), " +
            `${options.requests} sequential requests after ${options.warmup} of warm-up; the baseline asks the same server for its name only.`,
        ],
      };
    } finally {
      await server.stop();
    }
  } finally {
    removeDatabase(file);
  }
}

/** The organisation P6 asks for, as kept beside the history (see {@link ChosenOrganization}). */
interface Choice {
  readonly id: string;
  readonly relations: number;
}

/**
 * Kept beside the generated history, because choosing means counting the relations of every
 * organisation: at 1M events about 3,400 organisations with thousands of relations each, some
 * four minutes of the run. The file's size and modification time say which history it was
 * made for; a history generated again is chosen for again.
 */
interface ChosenOrganization extends Choice {
  readonly history: { readonly size: number; readonly modifiedMs: number };
}

/** The choice kept for this history, checked against the server; else a new one, then kept. */
async function chosenOrganization(server: ServerProcess, history: string): Promise<Choice> {
  const keptIn = `${history}.p6-organization.json`;
  const { size, mtimeMs: modifiedMs } = statSync(history);
  const kept = readChoice(keptIn);
  if (kept !== undefined && kept.history.size === size && kept.history.modifiedMs === modifiedMs) {
    const relations = await relationCount(server, kept.id);
    if (relations === kept.relations) {
      say(`P6 organisation ${kept.id} has ${relations} relations (the choice kept in ${keptIn})`);
      return kept;
    }
    say(`P6 the choice kept in ${keptIn} does not hold (${relations} relations); choosing again`);
  }
  say('P6 choosing the organisation: counting the relations of every organisation');
  const chosen = await chooseOrganization(server);
  say(`P6 organisation ${chosen.id} has ${chosen.relations} relations`);
  const record: ChosenOrganization = { ...chosen, history: { size, modifiedMs } };
  // Written whole or not at all: a torn file would only be chosen again, but need not be.
  writeFileSync(`${keptIn}.partial`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${keptIn}.partial`, keptIn);
  return chosen;
}

function readChoice(file: string): ChosenOrganization | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<ChosenOrganization>;
    const { id, relations, history } = value;
    if (typeof id !== 'string' || typeof relations !== 'number') return undefined;
    if (typeof history?.size !== 'number' || typeof history.modifiedMs !== 'number') {
      return undefined;
    }
    return { id, relations, history };
  } catch {
    // Missing or not what this bench writes: chosen again.
    return undefined;
  }
}

/** How many relations the server lists for one organisation (-1: it does not know it). */
async function relationCount(server: ServerProcess, id: string): Promise<number> {
  const answer = await server.gql<{ organization: { relations: unknown[] } | null }>(COUNT_ONE, {
    id,
  });
  return answer.organization?.relations.length ?? -1;
}

/** Pages through every organisation once, counting its relations as the server serves them. */
async function chooseOrganization(
  server: ServerProcess,
): Promise<{ id: string; relations: number }> {
  let best: { id: string; relations: number } | undefined;
  let after: string | null = null;
  for (;;) {
    const page: CountsPage = await server.gql<CountsPage>(COUNTS, { after });
    for (const { node } of page.organizations.edges) {
      const distance = Math.abs(node.relations.length - WANTED_RELATIONS);
      if (best === undefined || distance < Math.abs(best.relations - WANTED_RELATIONS)) {
        best = { id: node.id, relations: node.relations.length };
      }
    }
    if (!page.organizations.pageInfo.hasNextPage) break;
    after = page.organizations.pageInfo.endCursor;
  }
  if (best === undefined) throw new Error('the history holds no organisation');
  return best;
}

async function latencies(
  server: ServerProcess,
  query: string,
  id: string,
  options: RelationsOptions,
  label: string,
): Promise<Latencies> {
  const samples: number[] = [];
  const ticker = new Ticker(`P6 ${label}`, 2_000);
  for (let i = 0; i < options.warmup + options.requests; i++) {
    const started = performance.now();
    const answer = await server.gql<{ organization: unknown }>(query, { id });
    const elapsed = performance.now() - started;
    if (answer.organization === null) throw new Error(`organisation ${id} was not found`);
    if (i < options.warmup) continue;
    samples.push(elapsed);
    ticker.tick(() => `${samples.length}/${options.requests} requests`);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
  };
}
