import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { temporaryDirectory } from './support/test-server';

const run = promisify(execFile);
const WRITER = join(__dirname, 'support', 'fsync-writer.js');
const APPENDS = 20;

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The trace's calls one per line with the thread that made each: strace splits a call that
 * another thread's call interrupts into `<unfinished ...>` and `<... resumed>`.
 */
function wholeCalls(trace: string): { readonly thread: string; readonly call: string }[] {
  const started = new Map<string, string>();
  const calls: { thread: string; call: string }[] = [];
  for (const line of trace.split('\n')) {
    const [, thread = '', call = line] = /^(\d+)\s+(.*)$/.exec(line) ?? [];
    if (call.endsWith(' <unfinished ...>')) {
      started.set(thread, call.slice(0, -' <unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(call);
    calls.push({ thread, call: resumed ? `${started.get(thread) ?? ''}${resumed[1]}` : call });
    if (resumed) started.delete(thread);
  }
  return calls;
}

/**
 * Which acknowledgements were written to stdout with no fsync/fdatasync of the WAL by the
 * same thread since its previous one (another thread's checkpoint syncs the WAL too): read
 * from an strace of the writer (openat, the syncs, and writes to fd 1).
 */
function acksWithoutWalSync(trace: string): number[] {
  const walFds = new Set<string>();
  const syncedSinceAck = new Set<string>();
  const unsynced: number[] = [];
  for (const { thread, call } of wholeCalls(trace)) {
    const opened = /openat\(.*"([^"]+)-wal".*\)\s*=\s*(\d+)/.exec(call);
    if (opened) walFds.add(opened[2]);
    const synced = /\b(?:fsync|fdatasync)\((\d+)\)\s*=\s*0/.exec(call);
    if (synced && walFds.has(synced[1])) syncedSinceAck.add(thread);
    const ack = /write\(1, "ack (\d+)\\n"/.exec(call);
    if (ack) {
      if (!syncedSinceAck.has(thread)) unsynced.push(Number(ack[1]));
      syncedSinceAck.delete(thread);
    }
  }
  return unsynced;
}

async function traceWriter(directory: string, mode: 'store' | 'normal'): Promise<string> {
  const file = join(directory, `${mode}.db`);
  const trace = join(directory, `${mode}.trace`);
  await run('strace', [
    '-f',
    '-qq',
    '-e',
    'trace=openat,fsync,fdatasync,write',
    '-o',
    trace,
    process.execPath,
    WRITER,
    file,
    mode,
    String(APPENDS),
  ]);
  return readFileSync(trace, 'utf8');
}

/**
 * synchronous=FULL, proven by what the process asks of the kernel: every acknowledgement of
 * an append is written only after an fsync/fdatasync of the WAL that holds it. The control
 * run (WAL with synchronous=NORMAL) shows the check tells them apart: there SQLite does not
 * sync the WAL at a commit, and the check finds acknowledgements without one. The crash
 * tests kill the process, not the machine, so they cannot see this.
 */
const describeWithStrace = hasStrace() ? describe : describe.skip;
if (!hasStrace()) {
  console.warn(
    'durability (fsync) check skipped: strace is not installed (apt-get install strace)',
  );
}

describeWithStrace('every acknowledgement follows an fsync of the WAL', () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  it('holds for the SQLite store (synchronous=FULL)', async () => {
    const trace = await traceWriter(directory.path, 'store');
    expect(trace).toMatch(/-wal"/);
    expect((trace.match(/write\(1, "ack /g) ?? []).length).toBe(APPENDS);
    expect(acksWithoutWalSync(trace)).toEqual([]);
  });

  it('fails for WAL with synchronous=NORMAL (the check can tell)', async () => {
    const trace = await traceWriter(directory.path, 'normal');
    expect((trace.match(/write\(1, "ack /g) ?? []).length).toBe(APPENDS);
    expect(acksWithoutWalSync(trace).length).toBeGreaterThan(APPENDS / 2);
  });
});
