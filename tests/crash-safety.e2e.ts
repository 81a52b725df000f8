import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { DomainError, RuleViolationError } from '@partnerships/domain/common/errors';
import { EventToAppend } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { CommandRecorder } from '../apps/api/src/commands/command-recorder';
import { ReadModel } from '../apps/api/src/read-model/read-model';
import { commandHandlers } from './support/command-handlers';
import { MutationName } from './support/commands';
import { report, seedFrom, seededRandom } from './support/report';
import { FileEvent, orderProblems, readEventFile } from './support/sqlite-file';
import { temporaryDirectory } from './support/test-server';

/**
 * Crash safety of the append path: a child process records real commands from many
 * concurrent loops (tests/support/crash-writer.js) and is killed with SIGKILL at a random
 * moment, again and again on the same file. After every kill the file is opened afresh and
 * must hold every acknowledged command exactly as acknowledged, no command in part, and
 * nothing a retry would record twice.
 *
 * SIGKILL ends the process, not the machine: what the kernel has accepted survives, so this
 * proves atomicity and recovery of the append path, not the fsync of synchronous=FULL.
 *
 * The workload is bounded so that the run time does not depend on luck: at most
 * ACKNOWLEDGEMENT_BUDGET acknowledgements over all cycles, and a fixed seed. CRASH_SOAK=1
 * draws a new seed every run (and CRASH_SEED=<n> replays the writers' choices of a printed
 * run; the kill moments follow the acknowledgements, so they differ by a few commands).
 */

const WRITER = join(__dirname, 'support', 'crash-writer.js');
const CYCLES = 10;
const LOOPS_PER_PROCESS = 24;
const SHARED_GROUPS = ['shared.g0', 'shared.g1', 'shared.g2'];
/** Each writer process is killed once it has acknowledged this many commands, or more. */
const KILL_AFTER = { min: 20, max: 700 };
/** Most acknowledgements over the whole run: each cycle resends all so far, so it bounds the time. */
const ACKNOWLEDGEMENT_BUDGET = 3_000;
/** The seed of every run but a soak run (CRASH_SOAK=1) or a replay (CRASH_SEED). */
const FIXED_SEED = 20261130;

interface Result {
  readonly id?: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: string;
  readonly eventIds: readonly string[];
  readonly arrangementId?: string | null;
}

type WriterLine =
  | { readonly k: 'ready' }
  | { readonly k: 'send'; readonly cid: string; readonly name: string; readonly input: Input }
  | { readonly k: 'ack'; readonly cid: string; readonly name: string; readonly result: Result }
  | { readonly k: 'refused'; readonly cid: string; readonly code: string; readonly rule: string }
  | { readonly k: 'fault'; readonly cid: string | null; readonly error: string };

type Input = Record<string, unknown>;

interface Sent {
  readonly name: string;
  /** As the writer wrote it: dates as {"$date": ...}. */
  readonly input: Input;
}

/** Everything the writers reported, over all cycles, and what was found wrong. */
class Ledger {
  readonly sent = new Map<string, Sent>();
  readonly acks = new Map<string, Result>();
  readonly refusals = new Map<string, string>();
  readonly problems: string[] = [];
  /** Commands sent in the current cycle, in the order they were sent. */
  cycleSent: string[] = [];
  cycleAcks = new Set<string>();

  take(line: WriterLine): 'new ack' | 'other' {
    switch (line.k) {
      case 'ready':
        return 'other';
      case 'send':
        if (!this.sent.has(line.cid)) {
          this.sent.set(line.cid, { name: line.name, input: line.input });
          this.cycleSent.push(line.cid);
        }
        return 'other';
      case 'ack': {
        const first = this.acks.get(line.cid);
        if (first !== undefined) {
          if (!sameResult(first, line.result)) {
            this.problem(
              `repeating ${line.cid} returned ${show(line.result)}, not the first result ${show(first)}`,
            );
          }
          return 'other';
        }
        this.acks.set(line.cid, line.result);
        this.cycleAcks.add(line.cid);
        return 'new ack';
      }
      case 'refused':
        if (this.acks.has(line.cid)) {
          this.problem(`repeating acknowledged ${line.cid} was refused: ${line.code}/${line.rule}`);
        }
        this.refusals.set(line.cid, `${line.code}/${line.rule ?? '-'}`);
        return 'other';
      case 'fault':
        this.problem(`a writer failed on ${line.cid}: ${line.error}`);
        return 'other';
    }
  }

  problem(text: string): void {
    this.problems.push(text);
  }
}

interface Writer {
  readonly child: ChildProcess;
  /** Resolves once the process is gone and its output is read to the end. */
  readonly closed: Promise<void>;
  acknowledged: number;
}

interface CycleFigures {
  readonly events: number;
  readonly lost: number;
  readonly partial: number;
  readonly inFlight: number;
  readonly inFlightRecorded: number;
  readonly resent: number;
}

describe('the append path under SIGKILL', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  const children = new Set<ChildProcess>();
  let store: SqliteEventStore | undefined;
  let readModel: ReadModel | undefined;
  let raw: Database.Database | undefined;

  beforeAll(() => Logger.overrideLogger(false));

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    readModel?.onApplicationShutdown();
    raw?.close();
    await store?.close();
    directory.remove();
  });

  function startWriter(
    prefix: string,
    seed: number,
    killAfter: number,
    ledger: Ledger,
    problem: (text: string) => void,
  ): Writer {
    const child = spawn(
      process.execPath,
      [WRITER, file, prefix, String(LOOPS_PER_PROCESS), String(seed), SHARED_GROUPS.join(',')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    let pending = '';
    let stderr = '';
    const writer: Writer = {
      child,
      acknowledged: 0,
      closed: new Promise((resolve) =>
        child.once('close', (code, signal) => {
          children.delete(child);
          if (signal !== 'SIGKILL') {
            problem(
              `writer ${prefix} ended by itself (${code ?? signal}) before the kill:\n${stderr}`,
            );
          }
          resolve();
        }),
      ),
    };
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      // The last piece has no newline yet: it is complete only once its newline arrives,
      // and a line cut off by the kill never is.
      pending = lines.pop()!;
      for (const text of lines) {
        let line: WriterLine;
        try {
          line = JSON.parse(text) as WriterLine;
        } catch {
          problem(`writer ${prefix} wrote a line that is not JSON: ${text.slice(0, 200)}`);
          continue;
        }
        if (ledger.take(line) === 'new ack') writer.acknowledged++;
        const stop = line.k === 'fault' || writer.acknowledged >= killAfter;
        if (stop && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
    return writer;
  }

  /** Opens the file as a restarted server would and checks the log against the ledger. */
  async function inspect(ledger: Ledger, problem: (text: string) => void): Promise<CycleFigures> {
    store = SqliteEventStore.open(file);
    const { integrity, events: rows } = readEventFile(file);
    if (integrity !== 'ok') problem(`PRAGMA integrity_check: ${integrity}`);
    await compareWithStore(store, rows, problem);
    orderProblems(rows).forEach(problem);

    const byCommand = new Map<string, number[]>();
    rows.forEach((row, index) => {
      const indices = byCommand.get(row.commandId) ?? [];
      indices.push(index);
      byCommand.set(row.commandId, indices);
    });
    let partial = 0;
    for (const [commandId, indices] of byCommand) {
      const whole = checkCommand(commandId, indices, rows, ledger, problem);
      if (!whole) partial++;
    }

    let lost = 0;
    for (const [commandId, result] of ledger.acks) {
      const ids = (byCommand.get(commandId) ?? []).map((index) => rows[index]!.id);
      const last = rows[byCommand.get(commandId)?.at(-1) ?? -1];
      const intact =
        same(ids, result.eventIds) &&
        last !== undefined &&
        String(last.position) === result.position &&
        last.streamId === result.streamId &&
        last.revision + 1 === result.version;
      if (!intact) {
        lost++;
        problem(`acknowledged ${commandId} ${show(result)} is not in the log as acknowledged`);
      }
    }
    for (const [commandId, refusal] of ledger.refusals) {
      if (byCommand.has(commandId) && !ledger.acks.has(commandId)) {
        problem(`${commandId} was refused (${refusal}) but recorded`);
      }
    }

    // Clients retry after a crash: through the product's own command path on the reopened
    // file, every acknowledged command returns its first result and records nothing, and a
    // command that was in flight at the kill is recorded at most once.
    readModel = new ReadModel(store);
    await readModel.onModuleInit();
    const recorder = new CommandRecorder(store);
    const handlers = commandHandlers(recorder);
    const resend = async (commandId: string): Promise<Result | string> => {
      const { name, input: written } = ledger.sent.get(commandId)!;
      const input = withDates(written);
      try {
        if (name === 'appendBatch') {
          const appended = await store!.append(
            String(input['streamId']),
            rawBatch(commandId, Number(input['size'])),
            'any',
          );
          return batchResult(appended.events, appended.nextVersion);
        }
        return await handlers[name as MutationName](input);
      } catch (error) {
        if (error instanceof DomainError) {
          return `${error.code}/${error instanceof RuleViolationError ? error.rule : '-'}`;
        }
        problem(`resending ${commandId} failed: ${String(error)}`);
        return 'failed';
      }
    };

    const counter = new Database(file, { readonly: true, fileMustExist: true });
    raw = counter;
    const count = (): number =>
      counter.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
    const before = count();
    let resent = 0;
    for (const commandId of ledger.cycleAcks) {
      const again = await resend(commandId);
      resent++;
      const first = ledger.acks.get(commandId)!;
      if (typeof again === 'string' || !sameResult(first, again)) {
        problem(`resending ${commandId} gave ${show(again)}, not the first result ${show(first)}`);
      }
    }
    if (count() !== before) {
      problem(`resending acknowledged commands recorded ${count() - before} events`);
    }

    const inFlight = ledger.cycleSent.filter(
      (commandId) => !ledger.acks.has(commandId) && !ledger.refusals.has(commandId),
    );
    let inFlightRecorded = 0;
    for (const commandId of inFlight) {
      const recordedIds = (byCommand.get(commandId) ?? []).map((index) => rows[index]!.id);
      const retried = await resend(commandId);
      if (recordedIds.length > 0) {
        inFlightRecorded++;
        if (typeof retried === 'string' || !same(retried.eventIds, recordedIds)) {
          problem(
            `${commandId} was recorded before the kill as ${show(recordedIds)}, a retry gave ${show(retried)}`,
          );
        }
      }
      const afterRetry = count();
      const again = await resend(commandId);
      if (count() !== afterRetry || show(again) !== show(retried)) {
        problem(`retrying ${commandId} twice gave ${show(retried)}, then ${show(again)}`);
      }
      if (typeof retried === 'string') ledger.refusals.set(commandId, retried);
      else ledger.acks.set(commandId, retried);
    }

    readModel.onApplicationShutdown();
    readModel = undefined;
    counter.close();
    raw = undefined;
    await store.close();
    store = undefined;
    return {
      events: rows.length,
      lost,
      partial,
      inFlight: inFlight.length,
      inFlightRecorded,
      resent,
    };
  }

  it('keeps every acknowledged command, records none in part, and records nothing on a retry', async () => {
    const soak = process.env['CRASH_SOAK'] === '1';
    const seed =
      soak || (process.env['CRASH_SEED'] ?? '') !== '' ? seedFrom('CRASH_SEED') : FIXED_SEED;
    const random = seededRandom(seed);
    const started = Date.now();
    const ledger = new Ledger();
    let budget = ACKNOWLEDGEMENT_BUDGET;
    const problem = (text: string): void => ledger.problem(text);
    let acknowledged = 0;
    let lost = 0;
    let partial = 0;
    let inFlight = 0;
    let inFlightRecorded = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      ledger.cycleSent = [];
      ledger.cycleAcks = new Set();
      // Odd cycles run two writer processes on the one file, each killed at its own moment.
      const processes = cycle % 2 === 0 ? 1 : 2;
      // What is left of the budget is shared by the cycles still to come.
      const share = Math.max(KILL_AFTER.min, Math.floor(budget / (CYCLES - cycle) / processes));
      const targets = Array.from({ length: processes }, () =>
        Math.min(share, KILL_AFTER.min + Math.floor(random() * (KILL_AFTER.max - KILL_AFTER.min))),
      );
      const writers = targets.map((killAfter, index) =>
        startWriter(`k${cycle}p${index}`, seed + cycle * 8 + index, killAfter, ledger, problem),
      );
      await Promise.all(writers.map((writer) => writer.closed));

      const figures = await inspect(ledger, problem);
      acknowledged += ledger.cycleAcks.size;
      budget -= ledger.cycleAcks.size;
      lost = Math.max(lost, figures.lost);
      partial += figures.partial;
      inFlight += figures.inFlight;
      inFlightRecorded += figures.inFlightRecorded;
      report(
        `crash-safety cycle ${cycle + 1}/${CYCLES}: processes=${processes} ` +
          `killed after ${writers.map((writer) => writer.acknowledged).join('+')} acks ` +
          `(targets ${targets.join('+')}), log=${figures.events} events, ` +
          `acknowledged so far=${ledger.acks.size}, in flight=${figures.inFlight} ` +
          `(recorded before the kill: ${figures.inFlightRecorded}), resent=${figures.resent}, ` +
          `lost=${figures.lost}, partial=${figures.partial}`,
      );
    }

    report(
      `crash-safety: cycles=${CYCLES} acknowledged=${acknowledged} lost=${lost} ` +
        `partial=${partial} inFlightAtKill=${inFlight} (recorded ${inFlightRecorded}) ` +
        `refused=${ledger.refusals.size} seed=${seed} time=${Date.now() - started}ms`,
    );
    expect(acknowledged).toBeGreaterThan(CYCLES * KILL_AFTER.min);
    expect(ledger.problems.slice(0, 20)).toEqual([]);
    expect(lost).toBe(0);
    expect(partial).toBe(0);
  }, 60_000);
});

/** The port's view of the log must be the file's, in the same order. */
async function compareWithStore(
  store: SqliteEventStore,
  rows: readonly FileEvent[],
  problem: (text: string) => void,
): Promise<void> {
  const seen: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, limit: 5_000 });
    if (page.length === 0) break;
    for (const event of page) seen.push(`${event.position} ${event.id}`);
    after = page.at(-1)!.position;
  }
  const expected = rows.map((row) => `${row.position} ${row.id}`);
  if (!same(seen, expected)) {
    problem(
      `readAll gave ${seen.length} events, the file holds ${expected.length} (or in another order)`,
    );
  }
}

/**
 * The events of one command are one commit: adjacent in the log, in one stream at
 * consecutive revisions, with one recordedAt, and as many as were appended.
 */
function checkCommand(
  commandId: string,
  indices: readonly number[],
  rows: readonly FileEvent[],
  ledger: Ledger,
  problem: (text: string) => void,
): boolean {
  const sent = ledger.sent.get(commandId);
  if (sent === undefined) {
    problem(`${commandId} is in the log but no writer sent it`);
    return false;
  }
  const first = rows[indices[0]!]!;
  const oneCommit = indices.every((rowIndex, index) => {
    const row = rows[rowIndex]!;
    return (
      rowIndex === indices[0]! + index &&
      row.streamId === first.streamId &&
      row.revision === first.revision + index &&
      row.recordedAt === first.recordedAt
    );
  });
  const size = sent.name === 'appendBatch' ? Number(sent.input['size']) : indices.length;
  if (!oneCommit || indices.length !== size) {
    problem(
      `${commandId} (${sent.name}) is in part or split: ${indices.length} of ${size} events at ` +
        show(indices.map((index) => `${rows[index]!.streamId}@${rows[index]!.revision}`)),
    );
    return false;
  }
  return true;
}

/** The raw batch the writer appends for a command id: ids derived from it, so a retry repeats it. */
function rawBatch(commandId: string, size: number): EventToAppend[] {
  return Array.from({ length: size }, (_, index) => ({
    id: `${commandId}.e${index}`,
    type: 'CrashProbeRecorded',
    data: { cid: commandId, index, of: size },
    schemaVersion: 1,
    metadata: {
      actor: null,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      commandDigest: 'raw-batch',
    },
  }));
}

function batchResult(
  events: readonly { streamId: string; position: string; id: string }[],
  nextVersion: number,
): Result {
  const last = events.at(-1)!;
  return {
    streamId: last.streamId,
    version: nextVersion,
    position: last.position,
    eventIds: events.map((event) => event.id),
  };
}

/** The writer's input with its {"$date": ...} values as Dates again, as the resolver gives them. */
function withDates(input: Input): Input {
  return JSON.parse(JSON.stringify(input), (_key, value: unknown) => {
    const date = (value as { $date?: unknown } | null)?.$date;
    return typeof date === 'string' ? new Date(date) : value;
  }) as Input;
}

function sameResult(a: Result, b: Result): boolean {
  const fields = (result: Result): unknown[] => [
    result.id,
    result.streamId,
    result.version,
    result.position,
    result.eventIds,
    result.arrangementId ?? null,
  ];
  return show(fields(a)) === show(fields(b));
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  return show(a) === show(b);
}

function show(value: unknown): string {
  return JSON.stringify(value);
}
