import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { report, seedFrom, seededRandom } from './support/report';
import { loggedFailures } from './support/server-log';
import { idsByCommand, orderProblems, readEventFile } from './support/sqlite-file';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';
import { Outcome, WriteLoad, sendMutation } from './support/write-load';

/**
 * SIGTERM (what `docker stop` and Kubernetes send) while clients are writing: the server
 * finishes what it has taken on, answers or refuses what comes after, closes the SQLite
 * file and exits 0 on its own.
 *
 * SHUTDOWN_SEED=<n> replays the clients' choices of a printed run.
 */

const CLIENTS = 16;
const SHARED_GROUPS = ['harbour', 'canal'];
/** SIGTERM is sent once this many mutations have been answered. */
const SIGNAL_AFTER = { min: 40, max: 200 };
const LATE_COMMANDS = Array.from({ length: 8 }, (_, index) => `late.${index}`);
/** Far more than a drain of a few dozen mutations needs; only bounds a hang. */
const EXIT_DEADLINE_MS = 15_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

describe('SIGTERM with mutations in flight', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  let server: TestServer | undefined;

  afterAll(async () => {
    if (server !== undefined) {
      if (server.process.exitCode === null && server.process.signalCode === null) {
        server.process.kill('SIGKILL');
      }
      await server.close();
    }
    directory.remove();
  });

  it('answers what it took on, refuses what came after, closes the file and exits 0', async () => {
    const seed = seedFrom('SHUTDOWN_SEED');
    const random = seededRandom(seed);
    const signalAfter =
      SIGNAL_AFTER.min + Math.floor(random() * (SIGNAL_AFTER.max - SIGNAL_AFTER.min));
    const running = await startServer(file);
    server = running;
    const exited = new Promise<Exit>((resolve) =>
      running.process.once('exit', (code, signal) => resolve({ code, signal })),
    );

    let signalledAt = 0;
    /** Mutations sent once the server no longer accepts connections. */
    let late: Promise<Outcome[]> = Promise.resolve([]);
    const started = Date.now();
    const load: WriteLoad = new WriteLoad(running.url, 'sd', random, (answered) => {
      if (answered < signalAfter || signalledAt > 0) return;
      signalledAt = Date.now();
      load.mark();
      running.process.kill('SIGTERM');
      late = untilRefused(Number(new URL(running.url).port)).then(() =>
        Promise.all(
          LATE_COMMANDS.map((commandId) =>
            sendMutation(running.url, 'registerOrganization', {
              id: commandId,
              name: 'Too late',
              commandId,
            }),
          ),
        ),
      );
    });
    const clients = load.run(CLIENTS, SHARED_GROUPS);

    // The process must end by itself; the deadline only turns a hang into a failure.
    let deadline: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      exited,
      new Promise<'still running'>((resolve) => {
        deadline = setTimeout(() => resolve('still running'), EXIT_DEADLINE_MS);
      }),
    ]);
    clearTimeout(deadline);
    if (exit === 'still running') running.process.kill('SIGKILL');
    load.stop();
    await clients;
    const lateOutcomes = await late;
    const drainedIn = Date.now() - signalledAt;

    // What SQLite leaves behind is looked at before anything opens the file again.
    const wal = `${file}-wal`;
    const walBytes = existsSync(wal) ? statSync(wal).size : 0;
    const contents = readEventFile(file);
    const logged = idsByCommand(contents.events);

    const sent = [...load.commands];
    const kinds = (after: boolean): Record<string, number> =>
      countKinds(
        sent
          .filter(([, command]) => command.sentAfterMark === after)
          .map(([, command]) => command.outcome!),
      );
    const answered = load.results();
    const lost = [...answered].filter(
      ([commandId, result]) =>
        JSON.stringify(logged.get(commandId)) !== JSON.stringify(result.eventIds),
    );
    // Nothing is recorded that its client was not told about: a request the server took on
    // is answered before it closes, one it did not take on leaves no trace.
    const recordedUnanswered = [...logged.keys()].filter(
      (commandId) => !answered.has(commandId) && load.commands.has(commandId),
    );
    const foreign = [...logged.keys()].filter(
      (commandId) => !load.commands.has(commandId) && !LATE_COMMANDS.includes(commandId),
    );
    const failedBeforeSignal = sent.filter(
      ([, command]) =>
        !command.settledAfterMark &&
        (command.outcome?.kind === 'rejected' || command.outcome?.kind === 'unanswered'),
    );
    // Once the server has stopped listening it takes on nothing new: a mutation sent then,
    // on a connection still open or a new one, is refused or cut, never carried out.
    const lateCarriedOut = lateOutcomes.filter((outcome) => outcome.kind === 'ok');
    const lateRecorded = LATE_COMMANDS.filter((commandId) => logged.has(commandId));
    const badRefusals = sent.filter(
      ([, command]) =>
        command.outcome?.kind === 'rejected' &&
        !(command.settledAfterMark && command.outcome.status === 503),
    );

    report(
      `shutdown: SIGTERM after ${signalAfter} answers; exit=${JSON.stringify(exit)} ` +
        `in ${drainedIn} ms; wal=${walBytes} bytes; integrity=${contents.integrity}; ` +
        `sent before the signal: ${JSON.stringify(kinds(false))}; ` +
        `after: ${JSON.stringify(kinds(true))}; answered=${answered.size} lost=${lost.length} ` +
        `recordedUnanswered=${recordedUnanswered.length} ` +
        `after the listener closed: ${JSON.stringify(countKinds(lateOutcomes))} ` +
        `seed=${seed} ` +
        `time=${Date.now() - started} ms`,
    );
    expect(answered.size).toBeGreaterThanOrEqual(signalAfter);
    expect(lost).toEqual([]);
    expect(recordedUnanswered).toEqual([]);
    expect(lateOutcomes).toHaveLength(LATE_COMMANDS.length);
    expect(lateCarriedOut).toEqual([]);
    expect(lateRecorded).toEqual([]);
    expect(foreign).toEqual([]);
    expect(failedBeforeSignal).toEqual([]);
    expect(badRefusals).toEqual([]);
    expect(contents.integrity).toBe('ok');
    expect(orderProblems(contents.events)).toEqual([]);
    expect(loggedFailures(running.output())).toEqual([]);
    // Closed cleanly: the last connection's close checkpoints the WAL into the file.
    expect(walBytes).toBe(0);
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

/** Resolves once the port refuses a new connection: the server has stopped listening. */
async function untilRefused(port: number): Promise<void> {
  const accepts = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  while (await accepts());
}

function countKinds(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const kind = describeKind(outcome);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

function describeKind(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'ok':
      return 'answered';
    case 'refused':
      return `refused ${outcome.code}`;
    case 'rejected':
      return `HTTP ${outcome.status}`;
    case 'unanswered':
      return `no answer (${outcome.error})`;
  }
}
