/**
 * P5 from a snapshot: the built server first writes the read model's snapshot of the whole
 * history (as it does after a start that rebuilt), then starts from it, spawn to GET /ready.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FigureResult } from './figure';
import { copyDatabase, removeDatabase } from './generated-files';
import { median, say, sleep } from './progress';
import { Memory, ServerProcess } from './server-process';
import { formatBytes, formatSize, verdict } from './table';
import { START_TIMEOUT_MS } from './p5-startup';

export interface SnapshotStartupOptions {
  readonly file: string;
  readonly events: number;
  readonly starts: number;
  readonly tempDir: string;
}

/** "snapshot written to …: N events, B bytes, in T ms (event loop held H ms[; by …])" */
const WRITTEN =
  /snapshot written to [^:]+: (\d+) events, (\d+) bytes, in (\d+) ms \(event loop held (\d+) ms(; by a separate process)?/;
const FROM_SNAPSHOT = /read model started from a snapshot of (\d+) events/;

/** The issue's targets: 2 s and 500 MiB at 1M events, 10 s and 3 GiB at 10M. */
function targets(events: number): { readyS: number; rssBytes: number; rss: string } {
  return events >= 10_000_000
    ? { readyS: 10, rssBytes: 3 * 2 ** 30, rss: '≤ 3 GiB' }
    : { readyS: 2, rssBytes: 500 * 2 ** 20, rss: '≤ 500 MiB' };
}

export async function measureSnapshotStartup(
  options: SnapshotStartupOptions,
): Promise<FigureResult> {
  const size = formatSize(options.events);
  const file = copyDatabase(options.file, join(options.tempDir, 'p5-snapshot.db'));
  const snapshot = `${file}.snapshot`;
  const env = { SNAPSHOT_FILE: snapshot, SNAPSHOT_EVERY_EVENTS: '100000000' };
  try {
    say(`P5 writing the read model's snapshot of the ${size}-event history`);
    const writer = await ServerProcess.start({
      file,
      logFile: join(options.tempDir, 'p5-snapshot-writer.log'),
      env,
      startTimeoutMs: START_TIMEOUT_MS,
    });
    let written: RegExpExecArray | null = null;
    try {
      await writer.waitUntilReady(START_TIMEOUT_MS);
      const logFile = join(options.tempDir, 'p5-snapshot-writer.log');
      for (let waited = 0; written === null; waited += 100) {
        written = WRITTEN.exec(readFileSync(logFile, 'utf8'));
        if (written === null && waited > 600_000) throw new Error('no snapshot written in 10 min');
        if (written === null) await sleep(100);
      }
    } finally {
      await writer.stop();
    }
    const [, , bytes, writeMs, heldMs] = written.map(Number);
    const by = written[5] === undefined ? 'by the server' : 'by a separate process';
    say(
      `P5 snapshot: ${formatBytes(bytes!)}, written ${by} in ${(writeMs! / 1000).toFixed(2)} s, ` +
        `event loop held ${(heldMs! / 1000).toFixed(2)} s`,
    );
    const starts: { readyS: number; memory: Memory }[] = [];
    for (let n = 1; n <= options.starts; n++) {
      say(`P5 start ${n} of ${options.starts} from the snapshot (${size} events)`);
      const logFile = join(options.tempDir, `p5-snapshot-${n}.log`);
      const server = await ServerProcess.start({
        file,
        logFile,
        env,
        startTimeoutMs: START_TIMEOUT_MS,
      });
      try {
        const readyAt = await server.waitUntilReady(START_TIMEOUT_MS);
        const start = { readyS: (readyAt - server.spawnedAt) / 1000, memory: server.memory() };
        if (!FROM_SNAPSHOT.test(readFileSync(logFile, 'utf8'))) {
          throw new Error(`the server did not start from the snapshot:\n${server.logTail()}`);
        }
        starts.push(start);
        say(
          `P5 start ${n} from the snapshot: ready after ${start.readyS.toFixed(2)} s, ` +
            `RSS ${formatBytes(start.memory.rssBytes)} (peak ${formatBytes(start.memory.peakRssBytes)})`,
        );
      } finally {
        await server.stop();
      }
    }
    const ready = median(starts.map((start) => start.readyS));
    const rss = median(starts.map((start) => start.memory.rssBytes));
    const peak = median(starts.map((start) => start.memory.peakRssBytes));
    const of = options.starts > 1 ? `, median of ${options.starts} starts` : '';
    const each =
      options.starts > 1
        ? ` (each: ${starts.map((s) => `${s.readyS.toFixed(2)} s`).join(', ')})`
        : '';
    const target = targets(options.events);
    return {
      rows: [
        {
          figure: `P5 start-up from a snapshot: spawn to GET /ready = 200, ${size} events${of}`,
          ours: `${ready.toFixed(2)} s${each}`,
          baseline: '—',
          ratio: '—',
          target: `≤ ${target.readyS} s`,
          met: verdict(ready, '<=', target.readyS),
        },
        {
          figure: `P5 memory from a snapshot: VmRSS when ready, ${size} events${of}`,
          ours: `${formatBytes(rss)} (peak VmHWM ${formatBytes(peak)})`,
          baseline: '—',
          ratio: '—',
          target: target.rss,
          met: verdict(rss, '<=', target.rssBytes),
        },
        {
          figure: `P5 writing the snapshot of ${size} events (information)`,
          ours:
            `${formatBytes(bytes!)} ${by} in ${(writeMs! / 1000).toFixed(2)} s; the server's event ` +
            `loop was held ${(heldMs! / 1000).toFixed(2)} s`,
          baseline: '—',
          ratio: '—',
          target: '—',
          met: '—',
        },
      ],
      notes: [
        'P5 from a snapshot: a server on a fresh copy of the history rebuilds it, writes its ' +
          'snapshot at once (as after any start that rebuilt; the time is from its log line) and is ' +
          'stopped; each start then loads that snapshot and follows the log from its checkpoint ' +
          '(nothing to follow here). The audit tree starts from its checkpoint beside the file.',
      ],
    };
  } finally {
    removeDatabase(file);
    rmSync(snapshot, { force: true });
  }
}
