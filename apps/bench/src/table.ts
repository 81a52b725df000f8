/** The benchmark's report: one Markdown table of figures measured side by side in one run. */

export type Verdict = 'yes' | 'no' | '—' | 'not measured';

export interface Row {
  readonly figure: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: Verdict;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramBytes: number;
  readonly os: string;
  /** The 1-minute load average when the run started: anything else running skews it all. */
  readonly loadAtStart: number;
  readonly node: string;
  readonly date: string;
  readonly commit: string;
  readonly tempDir: string;
}

export interface Report {
  readonly mode: 'quick' | 'full' | 'scale';
  /** What the mode measured: sizes and durations, in a line. */
  readonly sizes: string;
  readonly machine: Machine;
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
  readonly seconds: number;
}

const COLUMNS = ['figure', 'ours', 'baseline', 'ratio', 'target', 'met?'] as const;

/** Whether `value` is on the right side of `threshold`. */
export function verdict(value: number, comparison: '>=' | '<=', threshold: number): Verdict {
  if (!Number.isFinite(value)) return 'no';
  return (comparison === '>=' ? value >= threshold : value <= threshold) ? 'yes' : 'no';
}

/** A row for a figure that could not be measured, with the reason in place of a number. */
export function notMeasured(figure: string, target: string, reason: string): Row {
  return {
    figure,
    ours: `not measured: ${reason}`,
    baseline: '—',
    ratio: '—',
    target,
    met: 'not measured',
  };
}

export function renderTable(rows: readonly Row[], mark = ''): string {
  const cells = rows.map((row) => [
    row.figure,
    row.ours,
    row.baseline,
    row.ratio,
    row.target,
    row.met === 'yes' || row.met === 'no' ? `${row.met}${mark}` : row.met,
  ]);
  const lines = [
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...cells.map((line) => `| ${line.map(escapeCell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function renderReport(report: Report): string {
  const { machine } = report;
  const quick = report.mode === 'quick';
  const lines = [
    `# Benchmark (${report.mode} mode)`,
    '',
    `- mode: **${report.mode}**${quick ? ' (what CI runs; sizes scaled down, see below)' : ''}: ${report.sizes}`,
    `- machine: ${machine.cpu}, ${machine.cores} cores, ${formatBytes(machine.ramBytes)} RAM, ${machine.os}; ` +
      `load average ${machine.loadAtStart.toFixed(2)} (1 min) at the start`,
    `- Node ${machine.node}; date ${machine.date}; commit ${machine.commit}`,
    `- temporary files in ${machine.tempDir}; run time ${report.seconds.toFixed(0)} s`,
    '',
    renderTable(report.rows, quick ? '*' : ''),
    '',
  ];
  if (quick) {
    lines.push(
      '\\* judged against the full-mode targets at quick-mode sizes and durations: a hint, not the figure; run `npm run bench` for that.',
      '',
    );
  }
  if (report.notes.length > 0) {
    lines.push('Notes:', '', ...report.notes.map((note) => `- ${note}`), '');
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 1,234/s */
export function formatRate(value: number, unit = '/s'): string {
  return `${formatCount(value)}${unit}`;
}

export function formatMs(value: number): string {
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction >= 0.1 ? 0 : 1)} %`;
}

export function formatTimes(factor: number): string {
  return `${factor >= 10 ? factor.toFixed(0) : factor.toFixed(2)}×`;
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  if (gib >= 1) return `${gib.toFixed(2)} GiB`;
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** 20k, 1M: the sizes as the figures name them. */
export function formatSize(events: number): string {
  if (events >= 1_000_000 && events % 1_000_000 === 0) return `${events / 1_000_000}M`;
  if (events >= 1_000 && events % 1_000 === 0) return `${events / 1_000}k`;
  return formatCount(events);
}
