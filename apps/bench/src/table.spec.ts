import {
  Machine,
  Row,
  formatPercent,
  formatSize,
  formatTimes,
  notMeasured,
  renderReport,
  renderTable,
  verdict,
} from './table';

const machine: Machine = {
  cpu: 'Test CPU',
  cores: 2,
  ramBytes: 4 * 2 ** 30,
  os: 'Linux 6',
  loadAtStart: 0.1,
  node: 'v20.0.0',
  date: '2026-01-01T00:00:00Z',
  commit: 'abc1234',
  tempDir: '/tmp/x',
};

const row: Row = {
  figure: 'P9 something | with a pipe',
  ours: '10/s',
  baseline: '20/s',
  ratio: '50 %',
  target: '≥ 50 %',
  met: 'yes',
};

describe('the benchmark table', () => {
  it('judges a figure against its target on the right side', () => {
    expect(verdict(0.5, '>=', 0.5)).toBe('yes');
    expect(verdict(0.49, '>=', 0.5)).toBe('no');
    expect(verdict(10, '<=', 10)).toBe('yes');
    expect(verdict(10.1, '<=', 10)).toBe('no');
    expect(verdict(Number.NaN, '<=', 10)).toBe('no');
  });

  it('renders one Markdown row per figure, pipes escaped', () => {
    const lines = renderTable([row]).split('\n');
    expect(lines[0]).toBe('| figure | ours | baseline | ratio | target | met? |');
    expect(lines[2]).toBe('| P9 something \\| with a pipe | 10/s | 20/s | 50 % | ≥ 50 % | yes |');
  });

  it('says what could not be measured, and why', () => {
    const line = renderTable([notMeasured('P9', '≥ 1×', 'no baseline installed')]).split('\n')[2];
    expect(line).toBe('| P9 | not measured: no baseline installed | — | — | ≥ 1× | not measured |');
  });

  it('marks quick-mode verdicts as hints and names the machine and the mode', () => {
    const report = renderReport({
      mode: 'quick',
      sizes: '20k/50k events',
      machine,
      rows: [row, { ...row, met: '—' }],
      notes: ['a note'],
      seconds: 42,
    });
    expect(report).toContain('# Benchmark (quick mode)');
    expect(report).toContain('Test CPU, 2 cores, 4.00 GiB RAM');
    expect(report).toContain('Node v20.0.0');
    expect(report).toContain('| yes* |');
    expect(report).toContain('| — |');
    expect(report).toContain('- a note');
    const full = renderReport({
      mode: 'full',
      sizes: '',
      machine,
      rows: [row],
      notes: [],
      seconds: 1,
    });
    expect(full).toContain('| yes |');
    expect(full).not.toContain('yes*');
    expect(full).not.toContain('judged against');
  });

  it('formats ratios and sizes as the table shows them', () => {
    expect(formatPercent(0.672)).toBe('67 %');
    expect(formatPercent(0.034)).toBe('3.4 %');
    expect(formatTimes(81.2)).toBe('81×');
    expect(formatTimes(1.349)).toBe('1.35×');
    expect(formatSize(1_000_000)).toBe('1M');
    expect(formatSize(20_000)).toBe('20k');
    expect(formatSize(12_345)).toBe('12,345');
  });
});
