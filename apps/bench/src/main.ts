/**
 * npm run bench [-- --quick | --scale] [--seed 42] [--regenerate] [--only P1,P3] [--dry-run]
 *
 * Measures the figures side by side with their baselines in one run on this machine, and
 * writes the table (with the machine and the mode) to stdout and to bench/results.md
 * (bench/results-quick.md in quick mode).
 * Progress goes to stderr. Targets that are missed say so in the table; they do not fail
 * the run. A figure that cannot be measured does (exit code 1), so that CI notices rot.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseCommandLine } from '../../admin/src/command-line';
import { FigureResult } from './figure';
import { generatedFile, historyFile } from './generated-files';
import { describeMachine } from './machine';
import { measureAppend } from './p1-append';
import { measureRebuild } from './p2-rebuild';
import { measureGraphql } from './p3-graphql';
import { measureTimeTravel } from './p4-time-travel';
import { measureStartup } from './p5-startup';
import { measureRelations } from './p6-relations';
import { ensureAuditCheckpoint, measureAudit } from './p7-audit';
import { measureDashboard } from './p8-dashboard';
import { say } from './progress';
import { Report, Row, formatSize, notMeasured, renderReport } from './table';

const USAGE = `usage: npm run bench [-- --quick | --scale] [--seed <n>] [--regenerate] [--only P1,P2,...] [--dry-run]
  --quick       CI sizes: 20k/50k events, 2 s runs (under 2 minutes); the default is full mode
  --scale       P4 and P5 on a 10M-event history (against 1M for P4); not for CI: generating
                the 10M history alone takes minutes and several GB of disk
  --dry-run     print the plan (sizes, figures, histories cached or to generate) and stop
  --seed        the generator's seed for the histories (default 42)
  --regenerate  generate the histories again even when data/bench/ holds them
  --only        measure only these figures; bench/results.md is then left as it is`;

/** The sizes and durations of a mode. */
interface Plan {
  readonly mode: 'quick' | 'full' | 'scale';
  readonly writers: number;
  readonly appendMs: number;
  readonly emmettUnqueuedMs: number;
  readonly smallEvents: number;
  readonly largeEvents: number;
  readonly rebuildRepetitions: number;
  readonly connections: number;
  readonly loadS: number;
  readonly warmupS: number;
  readonly lookups: number;
  readonly lookupWarmup: number;
  readonly starts: number;
  /** P6: slider moves, and seconds of live events at 50/s. */
  readonly slides: number;
  readonly liveS: number;
}

const FULL: Plan = {
  mode: 'full',
  writers: 64,
  appendMs: 10_000,
  emmettUnqueuedMs: 5_000,
  smallEvents: 100_000,
  largeEvents: 1_000_000,
  rebuildRepetitions: 2,
  connections: 64,
  loadS: 10,
  warmupS: 2,
  lookups: 1_000,
  lookupWarmup: 100,
  starts: 3,
  slides: 50,
  liveS: 10,
};

const QUICK: Plan = {
  mode: 'quick',
  writers: 64,
  appendMs: 2_000,
  emmettUnqueuedMs: 1_000,
  smallEvents: 20_000,
  largeEvents: 50_000,
  rebuildRepetitions: 1,
  connections: 64,
  loadS: 2,
  warmupS: 1,
  lookups: 200,
  lookupWarmup: 20,
  starts: 1,
  slides: 20,
  liveS: 3,
};

/** Start-up and time travel where the history is ten times the full mode's. */
const SCALE: Plan = {
  ...FULL,
  mode: 'scale',
  smallEvents: 1_000_000,
  largeEvents: 10_000_000,
};
/** The figures --scale measures: the others do not depend on the history's length, or take hours. */
const SCALE_FIGURES: readonly FigureId[] = ['P4', 'P5'];

const FIGURES = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'] as const;
type FigureId = (typeof FIGURES)[number];

/** The figure's name and target, for its row when it cannot be measured at all. */
const FALLBACK: Record<FigureId, { figure: string; target: string }> = {
  P1: { figure: 'P1 append', target: '≥ 50 % of raw 100 rows/tx; ≥ 75× Emmett' },
  P2: { figure: 'P2 rebuild', target: '≥ 50 % of the raw scan' },
  P3: {
    figure: 'P3 GraphQL',
    target:
      '≥ 5,000 mutations/s; mutations ≥ 75 % and group(id) ≥ 50 % of the ceiling; joinGroup on 20k members ≤ 1.2× a new group',
  },
  P4: { figure: 'P4 time travel', target: 'p95 ≤ 10 ms; ≤ 2× the smaller history' },
  P5: {
    figure: 'P5 start-up and memory',
    target: 'ready ≤ 5 s (≤ 2 s from a snapshot); RSS ≤ 500 MiB',
  },
  P6: { figure: 'P6 relations', target: 'p95 ≤ 10 ms for ~200 relations at 1M' },
  P7: { figure: 'P7 audit', target: 'verify ≥ 50 % of the raw scan; p95 ≤ 5 ms; start-up ≤ 110 %' },
  P8: {
    figure: 'P8 dashboard in Chromium',
    target: 'paint ≤ 2 s; slider p95 ≤ 300 ms; no task over 200 ms at 50 events/s',
  },
};

async function main(): Promise<number> {
  const { values } = parseCommandLine({
    usage: USAGE,
    options: {
      quick: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
      regenerate: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
    positionals: { min: 0, max: 0 },
  });
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 1)
    throw new Error(`--seed must be a positive integer\n${USAGE}`);
  if (values.quick && values.scale)
    throw new Error(`--quick and --scale exclude each other\n${USAGE}`);
  const plan = values.scale ? SCALE : values.quick ? QUICK : FULL;
  let only = values.only === undefined ? undefined : parseOnly(values.only);
  if (plan.mode === 'scale') {
    const outside = only?.filter((id) => !SCALE_FIGURES.includes(id)) ?? [];
    if (outside.length > 0) {
      throw new Error(
        `--scale measures only ${SCALE_FIGURES.join(', ')}, not ${outside.join(', ')}`,
      );
    }
    only ??= [...SCALE_FIGURES];
  }

  const root = join(__dirname, '..', '..', '..', '..');
  if (values['dry-run']) {
    console.log(describeDryRun(root, plan, seed, only));
    return 0;
  }
  const tempDir = mkdtempSync(join(tmpdir(), 'partnerships-bench-'));
  const machine = describeMachine(root, tempDir);
  const started = performance.now();
  say(`${plan.mode} mode on ${machine.cpu}, ${machine.cores} cores; temporary files in ${tempDir}`);
  if (machine.loadAtStart > 0.5) {
    say(
      `the load average is ${machine.loadAtStart.toFixed(2)}: other work on this machine lowers every figure`,
    );
  }

  const histories = new Map<number, Promise<string>>();
  const history = (events: number): Promise<string> => {
    let file = histories.get(events);
    if (file === undefined) {
      // With the audit tree's checkpoint, as a server that ran on it leaves it.
      file = generatedFile(root, events, seed, values.regenerate).then(async (generated) => {
        await ensureAuditCheckpoint(generated);
        return generated;
      });
      histories.set(events, file);
    }
    return file;
  };
  const large = plan.largeEvents;
  const measure: Record<FigureId, () => Promise<FigureResult>> = {
    P1: () =>
      measureAppend({
        writers: plan.writers,
        durationMs: plan.appendMs,
        unqueuedMs: plan.emmettUnqueuedMs,
        tempDir,
      }),
    P2: async () =>
      measureRebuild({
        file: await history(large),
        events: large,
        repetitions: plan.rebuildRepetitions,
        tempDir,
      }),
    P3: async () =>
      measureGraphql({
        file: await history(large),
        events: large,
        connections: plan.connections,
        durationS: plan.loadS,
        warmupS: plan.warmupS,
        joins: plan.mode === 'quick' ? { joins: 100, warmup: 20 } : { joins: 400, warmup: 50 },
        tempDir,
      }),
    P4: async () =>
      measureTimeTravel({
        small: { file: await history(plan.smallEvents), events: plan.smallEvents },
        large: { file: await history(large), events: large },
        requests: plan.lookups,
        warmup: plan.lookupWarmup,
        seed,
        tempDir,
      }),
    P5: async () =>
      measureStartup({ file: await history(large), events: large, starts: plan.starts, tempDir }),
    P6: async () =>
      measureRelations({
        file: await history(large),
        events: large,
        requests: plan.lookups,
        warmup: plan.lookupWarmup,
        tempDir,
      }),
    P7: async () =>
      measureAudit({
        file: await history(large),
        events: large,
        requests: plan.lookups,
        warmup: plan.lookupWarmup,
        seed,
        starts: plan.starts,
        tempDir,
      }),
    P8: async () =>
      measureDashboard({
        file: await history(large),
        events: large,
        slides: plan.slides,
        liveS: plan.liveS,
        tempDir,
      }),
  };

  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    for (const id of FIGURES) {
      if (only !== undefined && !only.includes(id)) continue;
      const figureStarted = performance.now();
      say(`${id} …`);
      try {
        const result = await measure[id]();
        rows.push(...result.rows);
        notes.push(...result.notes);
      } catch (error) {
        console.error(error);
        rows.push(notMeasured(FALLBACK[id].figure, FALLBACK[id].target, describe(error)));
      }
      say(`${id} done in ${((performance.now() - figureStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  const unmeasured = rows.filter((row) => row.met === 'not measured').length;

  const report: Report = {
    mode: plan.mode,
    sizes: describePlan(plan),
    machine,
    rows,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
  const text = renderReport(report);
  console.log(text);
  if (only === undefined || plan.mode === 'scale') {
    // The quick run (CI's) never overwrites the figures people read.
    const out = join(root, 'bench', RESULTS_FILE[plan.mode]);
    mkdirSync(join(root, 'bench'), { recursive: true });
    writeFileSync(out, text);
    say(`written to ${relative(process.cwd(), out) || out}`);
  } else {
    say('--only: bench/results.md left as it is');
  }
  say(`${plan.mode} mode took ${report.seconds.toFixed(0)} s`);
  return unmeasured > 0 ? 1 : 0;
}

const RESULTS_FILE: Record<Plan['mode'], string> = {
  quick: 'results-quick.md',
  full: 'results.md',
  scale: 'results-scale.md',
};

/** What a run would do, without generating or measuring anything. */
function describeDryRun(
  root: string,
  plan: Plan,
  seed: number,
  only: readonly FigureId[] | undefined,
): string {
  const figures = FIGURES.filter((id) => only === undefined || only.includes(id));
  const sizes = [...new Set([plan.smallEvents, plan.largeEvents])].filter(
    (events) => events === plan.largeEvents || figures.includes('P4'),
  );
  const lines = [
    `dry run: ${plan.mode} mode, seed ${seed}; nothing generated or measured`,
    `figures: ${figures.join(', ')}`,
    `sizes: ${describePlan(plan)}`,
    ...sizes.map((events) => {
      const file = historyFile(root, events, seed);
      return `history ${formatSize(events)} events: ${file} (${existsSync(file) ? 'cached' : 'to generate'})`;
    }),
    `table: bench/${RESULTS_FILE[plan.mode]}`,
  ];
  return lines.join('\n');
}

function describePlan(plan: Plan): string {
  const small = formatSize(plan.smallEvents);
  const large = formatSize(plan.largeEvents);
  if (plan.mode === 'scale') {
    return (
      `P4 ${small} and ${large} events, ${plan.lookups} lookups each; ` +
      `P5 ${large} events, ${plan.starts} start${plan.starts > 1 ? 's' : ''}`
    );
  }
  return (
    `P1 ${plan.writers} writers, ${plan.appendMs / 1000} s per store (Emmett unqueued ${plan.emmettUnqueuedMs / 1000} s); ` +
    `P2 ${large} events${plan.rebuildRepetitions > 1 ? `, best of ${plan.rebuildRepetitions}` : ''}; ` +
    `P3 ${large} events, ${plan.connections} connections, ${plan.loadS} s per run after ${plan.warmupS} s warm-up; ` +
    `P4 ${small} and ${large} events, ${plan.lookups} lookups each; ` +
    `P5 ${large} events, ${plan.starts} start${plan.starts > 1 ? 's' : ''}; ` +
    `P6 ${large} events, ${plan.lookups} requests; ` +
    `P7 ${large} events, ${plan.lookups} requests of each kind, ${plan.starts} rebuild${plan.starts > 1 ? 's' : ''} of each start-up kind; ` +
    `P8 ${large} events in Chromium, ${plan.slides} slider moves, ${plan.liveS} s of live events` +
    (plan.mode === 'quick' ? ` (full mode: 100k/1M events, 10 s runs)` : '')
  );
}

function parseOnly(list: string): FigureId[] {
  const ids = list.split(',').map((id) => id.trim().toUpperCase());
  for (const id of ids) {
    if (!(FIGURES as readonly string[]).includes(id)) {
      throw new Error(`--only takes ${FIGURES.join(', ')}, not ${id}\n${USAGE}`);
    }
  }
  return ids as FigureId[];
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
