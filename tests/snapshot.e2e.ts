import { ChildProcess, execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { SNAPSHOT_QUERY } from '../apps/audit/src/snapshot';
import { ok, query } from './support/commands';
import { pageAll } from './support/log-reader';
import { parsePrometheusText } from './support/prometheus-text';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';

const run = promisify(execFile);
const DIST = join(__dirname, '..', 'dist', 'apps');
const GENERATE = join(DIST, 'generate', 'src', 'main.js');
const SNAPSHOT_CLI = join(DIST, 'admin', 'src', 'snapshot.js');
const HISTORY_EVENTS = 3000;
/** Several server starts each on 2 shared cores: only bounds a hang. */
const SLOW = 180_000;

/** Lifts the cost limit: these tests read every entity with its details in one page. */
const UNLIMITED = { GRAPHQL_MAX_COST: '100000000', GRAPHQL_MAX_RESPONSE_BYTES: '200000000' };

/** What each entity holds beyond the network snapshot's selection, at the view's times. */
const DETAILS = `query Details($asOf: DateTime, $knownAt: DateTime) {
  network(asOf: $asOf, knownAt: $knownAt) {
    organizations(first: 500) { pageInfo { hasNextPage } edges { node {
      id
      capabilityHistory { ambition realized gap notes assessedAt }
      relations { organization { id } partnerships { id } groups { id } since }
      interventions { id title aim at capabilityBefore { assessedAt } capabilityAfter { assessedAt } }
      history { id position revision type effectiveAt recordedAt data }
    } } }
    groups(first: 500) { pageInfo { hasNextPage } edges { node {
      id interventions { id title at } history { id position type data }
    } } }
    partnerships(first: 500) { pageInfo { hasNextPage } edges { node {
      id interventions { id title at } history { id position type data }
    } } }
  }
}`;

/** Waits until the server's output holds a line matching `pattern` (or the server exits). */
async function logged(server: TestServer, pattern: RegExp): Promise<string> {
  for (;;) {
    const line = server
      .output()
      .split('\n')
      .find((candidate) => pattern.test(candidate));
    if (line !== undefined) return line;
    if (server.process.exitCode !== null || server.process.signalCode !== null) {
      throw new Error(`the server ended before logging ${pattern}:\n${server.output()}`);
    }
    await new Promise((resolve) => server.process.stdout!.once('data', resolve));
  }
}

/** Every answer the tests compare: the network and every entity's details at each pair, and the log. */
async function answers(server: TestServer, pairs: readonly [string | null, string | null][]) {
  const views = [];
  for (const [asOf, knownAt] of pairs) {
    const network = await query(server, SNAPSHOT_QUERY, { asOf, knownAt });
    const details = await query(server, DETAILS, { asOf, knownAt });
    for (const list of ['organizations', 'groups', 'partnerships']) {
      expect(details['network'][list].pageInfo.hasNextPage).toBe(false);
    }
    // Both say when "now" was for a view without times: not part of the answer.
    if (knownAt === null) delete network['network'].knownAt;
    if (asOf === null) delete network['network'].asOf;
    views.push({ pair: [asOf, knownAt], network, details });
  }
  const events = await pageAll(server, 'events', 'id streamId revision position type data', {
    pageSize: 500,
  });
  // The audit tree too: the same root, and an early event found by its id (a start from a
  // snapshot holds only the ids of the events its tree took from its checkpoint).
  const audit = await query(
    server,
    `query Audit($id: ID!) {
      auditDigest { treeSize rootHash }
      auditInclusionProof(eventId: $id) { leafIndex treeSize leafHash path }
    }`,
    { id: (events.edges[1]!.node as { id: string }).id },
  );
  return { views, events, audit };
}

describe('snapshots of the read model', () => {
  const directory = temporaryDirectory();
  let history: string;
  /** Six pairs of times spread over the history, each asOf with an earlier and a later knownAt. */
  let pairs: [string | null, string | null][];

  beforeAll(async () => {
    history = join(directory.path, 'history.db');
    await run(process.execPath, [
      GENERATE,
      '--events',
      String(HISTORY_EVENTS),
      '--seed',
      '12',
      '--years',
      '4',
      '--out',
      history,
    ]);
    const db = new Database(history, { readonly: true });
    const rows = db
      .prepare('SELECT effective_at, recorded_at FROM events ORDER BY position')
      .all() as { effective_at: number; recorded_at: number }[];
    db.close();
    const at = (fraction: number) => rows[Math.floor(rows.length * fraction)]!;
    const iso = (ms: number) => new Date(ms).toISOString();
    pairs = [
      [null, null],
      [iso(at(0.3).effective_at), iso(at(0.3).recorded_at)],
      [iso(at(0.5).effective_at), iso(at(0.8).recorded_at)],
      [iso(at(0.8).effective_at), iso(at(0.5).recorded_at)],
      [iso(at(0.95).effective_at), null],
      [null, iso(at(0.6).recorded_at)],
    ];
  }, SLOW);
  afterAll(() => directory.remove());

  /** A fresh copy of the generated history, with the snapshot's path beside it. */
  function copy(name: string): { file: string; snapshot: string } {
    const file = join(directory.path, `${name}.db`);
    copyFileSync(history, file);
    return { file, snapshot: `${file}.snapshot` };
  }

  /** The answers of a server that rebuilds from the log (no snapshot) on `file`. */
  async function rebuiltAnswers(file: string) {
    const server = await startServer(file, { ...UNLIMITED, SNAPSHOT_FILE: 'off' });
    try {
      await logged(server, /read model rebuilt from \d+ events/);
      return await answers(server, pairs);
    } finally {
      await server.close();
    }
  }

  /** Records a few more facts, so that a start from the snapshot has to follow the log. */
  async function recordMore(server: TestServer): Promise<void> {
    await ok(server, 'registerOrganization', { id: 'late-org', name: 'Late' });
    await ok(server, 'foundGroup', { id: 'late-group', name: 'Late group' });
    await ok(server, 'joinGroup', {
      groupId: 'late-group',
      organizationId: 'late-org',
      position: 'CORE',
    });
  }

  it(
    'a start from a snapshot answers as a full rebuild: every entity, the network at six pairs of times, the log',
    async () => {
      const { file, snapshot } = copy('same');
      const env = { ...UNLIMITED, SNAPSHOT_EVERY_EVENTS: '1000000' };
      const first = await startServer(file, env);
      try {
        // A start that rebuilt from the first event writes one at once, in a process of its
        // own: the server's event loop is not held for it.
        expect(await logged(first, /snapshot written to .*: 3000 events/)).toMatch(
          /\(event loop held 0 ms; by a separate process, from the log\)/,
        );
        await recordMore(first);
        const metrics = parsePrometheusText(
          await (await fetch(first.url.replace('/graphql', '/metrics'))).text(),
        );
        const sample = (name: string) => metrics.find((s) => s.name === name)?.value;
        expect(sample('partnerships_snapshot_events')).toBe(HISTORY_EVENTS);
        expect(sample('partnerships_snapshot_age_seconds')).toBeGreaterThanOrEqual(0);
        expect(sample('partnerships_snapshot_last_bytes')).toBe(readFileSync(snapshot).length);
        expect(sample('partnerships_snapshot_last_write_seconds')).toBeGreaterThan(0);
        expect(sample('partnerships_snapshot_last_blocked_seconds')).toBe(0);
      } finally {
        await first.close();
      }
      // Its files read on the second thread, as a large history's are.
      const second = await startServer(file, { ...env, START_FILES_THREAD_BYTES: '0' });
      let fromSnapshot;
      try {
        expect(await logged(second, /snapshot .* loaded: 3000 events/)).toMatch(
          /read on a second thread .*, and checked there while it was decoded/,
        );
        await logged(second, /read model started from a snapshot of 3000 events, then 3 events/);
        fromSnapshot = await answers(second, pairs);
      } finally {
        await second.close();
      }
      expect(fromSnapshot).toEqual(await rebuiltAnswers(file));
    },
    SLOW,
  );

  it(
    'SNAPSHOT_WRITER=server takes the snapshot in the server; a separate process renews it from the last one and the log since',
    async () => {
      const { file } = copy('writers');
      const inServer = await startServer(file, {
        SNAPSHOT_WRITER: 'server',
        SNAPSHOT_EVERY_EVENTS: '1000000',
      });
      try {
        expect(await logged(inServer, /snapshot written to .*: 3000 events/)).toMatch(
          /\(event loop held \d+ ms\)/,
        );
      } finally {
        await inServer.close();
      }
      const server = await startServer(file, { SNAPSHOT_EVERY_EVENTS: '3' });
      try {
        await logged(server, /read model started from a snapshot of 3000 events, then 0 events/);
        await recordMore(server);
        expect(await logged(server, /snapshot written to .*: 3003 events/)).toMatch(
          /\(event loop held 0 ms; by a separate process, from the snapshot of 3000 events and the log since\)/,
        );
      } finally {
        await server.close();
      }
      const { stdout } = await run(process.execPath, [SNAPSHOT_CLI, 'verify'], {
        env: { ...process.env, EVENT_STORE_URL: `sqlite:${file}` },
      });
      expect(stdout).toMatch(/^matches: .*3003 events/m);
      /** Why a server with `env` does not start ('started' if it does). */
      const refusal = (env: Record<string, string>): Promise<string> =>
        startServer(file, env).then(
          async (started) => {
            await started.close();
            return 'started';
          },
          (error: Error) => error.message,
        );
      expect(await refusal({ SNAPSHOT_WRITER: 'fork' })).toMatch(
        /could not start: SNAPSHOT_WRITER must be process or server, not "fork"/,
      );
      expect(await refusal({ START_FILES_THREAD_BYTES: '32MiB' })).toMatch(
        /could not start: START_FILES_THREAD_BYTES must be a whole number of bytes \(0 or more\), not "32MiB"/,
      );
    },
    SLOW,
  );

  const damage = (bytes: Buffer) => {
    bytes[bytes.length - 100] ^= 0x01;
  };
  const damaged =
    /snapshot .* ignored: damaged, its checksum does not match; rebuilding from the log/;
  it.each([
    ['damaged', damage, damaged, {}],
    // Read on the second thread, which takes the checksum while this one decodes it.
    ['damaged, read on a thread of its own', damage, damaged, { START_FILES_THREAD_BYTES: '0' }],
    [
      'written by other projection code',
      (bytes: Buffer) => {
        const header = bytes.subarray(0, 400).toString('latin1');
        const at = header.indexOf('"schema":"') + '"schema":"'.length;
        bytes.write(bytes[at] === 0x30 ? '1' : '0', at, 'latin1');
      },
      /snapshot .* ignored: it does not match this version's projection code, written by other projection code/,
      {},
    ],
  ])(
    'a snapshot %s is ignored with one log line, and the answers are still right',
    async (_, spoil, line, env: Record<string, string>) => {
      const { file, snapshot } = copy(`spoilt-${Math.random().toString(36).slice(2)}`);
      const writer = await startServer(file, { SNAPSHOT_EVERY_EVENTS: '1000000' });
      try {
        await logged(writer, /snapshot written/);
        await recordMore(writer);
      } finally {
        await writer.close();
      }
      const bytes = readFileSync(snapshot);
      spoil(bytes);
      writeFileSync(snapshot, bytes);
      const server = await startServer(file, {
        ...UNLIMITED,
        SNAPSHOT_EVERY_EVENTS: '1000000',
        ...env,
      });
      let spoilt;
      try {
        await logged(server, /read model rebuilt from 3003 events/);
        expect(
          server
            .output()
            .split('\n')
            .filter((l) => line.test(l)),
        ).toHaveLength(1);
        spoilt = await answers(server, pairs);
        // It then writes a good one in its place.
        await logged(server, /snapshot written to .*: 3003 events/);
      } finally {
        await server.close();
      }
      expect(spoilt).toEqual(await rebuiltAnswers(file));
      const { stdout } = await run(process.execPath, [SNAPSHOT_CLI, 'verify'], {
        env: { ...process.env, EVENT_STORE_URL: `sqlite:${file}` },
      });
      expect(stdout).toMatch(/^matches:/m);
    },
    SLOW,
  );

  it(
    'a snapshot ahead of its store (restored from an older backup) is ignored, and the answers are those of the store',
    async () => {
      const { file, snapshot } = copy('restored');
      const backup = join(directory.path, 'restored-backup.db');
      copyFileSync(file, backup);
      const server = await startServer(file, { SNAPSHOT_EVERY_EVENTS: '1' });
      try {
        await recordMore(server);
        await logged(server, /snapshot written to .*: 3003 events/);
      } finally {
        await server.close();
      }
      // As `npm run restore` would: the store goes back to the backup, the snapshot stays.
      for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      copyFileSync(backup, file);
      const restored = await startServer(file, { ...UNLIMITED, SNAPSHOT_EVERY_EVENTS: '1000000' });
      let answered;
      try {
        await logged(restored, /read model rebuilt from 3000 events/);
        expect(restored.output()).toMatch(
          /snapshot .* ignored: the store does not hold its last event at its checkpoint/,
        );
        answered = await answers(restored, pairs);
        await logged(restored, /snapshot written to .*: 3000 events/);
      } finally {
        await restored.close();
      }
      expect(answered).toEqual(await rebuiltAnswers(file));
      expect(existsSync(snapshot)).toBe(true);
    },
    SLOW,
  );

  it(
    'a SIGKILL while a snapshot is written leaves the previous one usable',
    async () => {
      const { file, snapshot } = copy('killed');
      const folder = directory.path;
      // Snapshots after every event: a write load keeps one being written nearly all the time.
      const env = { SNAPSHOT_EVERY_EVENTS: '1' };
      let leftBehind = 0;
      // The first attempt kills the server alone: its writing process must end with it. Later
      // ones kill the writing process too, at once: a crash in the middle of its write, which
      // the server's kill alone leaves to chance (the process may finish before it notices).
      for (let attempt = 0; attempt < 10 && leftBehind === 0; attempt++) {
        const writers = new Set<number>();
        const server = await startServer(file, env);
        // One new event first: a snapshot is then due even when the last attempt's kill came
        // just after a snapshot of every event was whole (no write would follow otherwise).
        await server.gql(
          'mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }',
          { input: { name: `Org ${attempt}` } },
        );
        await logged(server, /snapshot written/);
        const killed = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
        // Killed the moment a temporary snapshot file appears: in the middle of a write.
        const watcher = watch(folder, (_, name) => {
          if (name !== null && name.startsWith('killed.db.snapshot.') && name.endsWith('.tmp')) {
            const writer = writerOf(name);
            writers.add(writer);
            if (attempt > 0 && isRunning(writer)) process.kill(writer, 'SIGKILL');
            server.process.kill('SIGKILL');
          }
        });
        try {
          for (let n = 0; server.process.signalCode === null && n < 200; n++) {
            await server
              .gql(
                'mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }',
                {
                  input: { name: `Org ${attempt}-${n}` },
                },
              )
              .catch(() => undefined);
          }
          server.process.kill('SIGKILL');
          await killed;
        } finally {
          watcher.close();
        }
        const temporary = readdirSync(folder).filter(
          (name) => name.startsWith('killed.db.snapshot.') && name.endsWith('.tmp'),
        );
        leftBehind = temporary.length;
        // The process that was writing (its pid names the file) ends with the server.
        for (const name of temporary) writers.add(writerOf(name));
        for (const pid of writers) {
          expect(pid).not.toBe(server.process.pid);
          for (let waited = 0; isRunning(pid); waited += 50) {
            if (waited > 10_000) throw new Error(`the snapshot process ${pid} outlived its server`);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
      // At least one kill landed while a snapshot was being written.
      expect(leftBehind).toBeGreaterThan(0);
      expect(existsSync(snapshot)).toBe(true);
      const { stdout } = await run(process.execPath, [SNAPSHOT_CLI, 'verify'], {
        env: { ...process.env, EVENT_STORE_URL: `sqlite:${file}` },
      });
      expect(stdout).toMatch(/^snapshot .*: whole and of this projection code/m);
      expect(stdout).toMatch(/^matches:/m);
      const server = await startServer(file, { ...UNLIMITED, SNAPSHOT_EVERY_EVENTS: '1000000' });
      let restarted;
      try {
        await logged(server, /read model started from a snapshot of \d+ events/);
        await logged(server, /removed 1 unfinished snapshot file/);
        expect(
          readdirSync(folder).filter((name) => name.startsWith('killed.db.snapshot.')),
        ).toEqual([]);
        restarted = await answers(server, [[null, null]]);
      } finally {
        await server.close();
      }
      const rebuilt = await startServer(file, { ...UNLIMITED, SNAPSHOT_FILE: 'off' });
      try {
        expect(restarted).toEqual(await answers(rebuilt, [[null, null]]));
      } finally {
        await rebuilt.close();
      }
    },
    SLOW,
  );

  describe('npm run snapshot', () => {
    const cli = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child: ChildProcess = spawn(process.execPath, [SNAPSHOT_CLI, ...args], {
          env: { ...process.env, ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });

    it(
      'answers --help, and refuses an unknown flag or verb in one line, writing nothing',
      async () => {
        const { file, snapshot } = copy('cli-usage');
        const env = { EVENT_STORE_URL: `sqlite:${file}` };
        const help = await cli(['--help'], env);
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(/^usage: npm run snapshot -- rebuild\|renew\|verify/);
        for (const args of [['rebuild', '--force'], ['rewrite'], []]) {
          const refused = await cli(args, env);
          expect(refused.code).toBe(2);
          expect(refused.stderr.trim().split('\n')).toHaveLength(1);
          expect(refused.stderr).toMatch(/^error: /);
        }
        const off = await cli(['rebuild'], { ...env, SNAPSHOT_FILE: 'off' });
        expect(off.code).toBe(2);
        expect(off.stderr).toMatch(/^error: no snapshot file for .*: set SNAPSHOT_FILE/);
        const missingStore = await cli(['rebuild'], {
          EVENT_STORE_URL: `sqlite:${join(directory.path, 'nothing-here.db')}`,
        });
        expect(missingStore.code).toBe(2);
        expect(missingStore.stderr).toMatch(/does not exist/);
        expect(existsSync(snapshot)).toBe(false);
        expect(existsSync(join(directory.path, 'nothing-here.db'))).toBe(false);
        expect(existsSync(join(directory.path, 'nothing-here.db.snapshot'))).toBe(false);
      },
      SLOW,
    );

    it(
      'rebuild writes a snapshot a server starts from; verify tells a usable one from a damaged one',
      async () => {
        const { file, snapshot } = copy('cli');
        const env = { EVENT_STORE_URL: `sqlite:${file}` };
        const none = await cli(['verify'], env);
        expect(none.code).toBe(1);
        expect(none.stdout).toMatch(/^not usable: no snapshot at /);
        const rebuilt = await cli(['rebuild'], env);
        expect(rebuilt.code).toBe(0);
        expect(rebuilt.stdout).toMatch(/^wrote the snapshot .*: 3000 events/);
        const verified = await cli(['verify'], env);
        expect(verified.stdout).toMatch(/^matches: .*3000 events, the whole network at 10 pairs/m);
        expect(verified.code).toBe(0);
        const server = await startServer(file, { SNAPSHOT_EVERY_EVENTS: '1000000' });
        try {
          await logged(server, /read model started from a snapshot of 3000 events, then 0 events/);
        } finally {
          await server.close();
        }
        const bytes = readFileSync(snapshot);
        bytes[bytes.length - 1] ^= 0x80;
        writeFileSync(snapshot, bytes);
        const damaged = await cli(['verify'], env);
        expect(damaged.code).toBe(1);
        expect(damaged.stdout).toMatch(/^not usable: snapshot .* ignored: damaged/);
        // renew: from a damaged one, a rebuild; from a usable one, it and the log since.
        const fromLog = await cli(['renew'], env);
        expect(fromLog.code).toBe(0);
        expect(fromLog.stdout).toMatch(/^snapshot .* ignored: damaged.*; rebuilt from the log$/m);
        expect(fromLog.stdout).toMatch(/^wrote the snapshot .*: 3000 events, \d+ bytes/m);
        const renewed = await cli(['renew'], env);
        expect(renewed.code).toBe(0);
        expect(renewed.stdout).toMatch(
          /^wrote the snapshot .*: 3000 events \(from the snapshot of 3000 and the log since\)/,
        );
        expect((await cli(['verify'], env)).stdout).toMatch(/^matches: .*3000 events/m);
      },
      SLOW,
    );
  });
});

/** The process that writes a temporary snapshot file, by the pid in its name. */
function writerOf(name: string): number {
  return Number(/\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)![1]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
