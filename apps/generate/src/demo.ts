/**
 * npm run demo: the server on a demo store of its own (data/demo.db, never the real one),
 * filled once by the history generator with a few years of a small network, and the
 * address of the dashboard. Ctrl-C stops it; run it again and the same demo is there.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { parseCommandLine } from '../../admin/src/command-line';
import { NetworkSimulation } from './simulation';

const DAY = 24 * 60 * 60 * 1000;
const YEARS = 4;
/** About 35 organisations in 4-5 groups with some 150 partnerships over the years. */
const EVENTS = 5_000;

const USAGE = `usage: npm run demo

Starts the server on a demo store of its own, generated once with a few years of a small
network, and prints the dashboard's address; Ctrl-C stops it. It takes no arguments; the
environment sets it up:
  DEMO_FILE   the demo store (default data/demo.db; delete it for a fresh one)
  PORT        the port (default 3000)
  HOST        the address to listen on (default 127.0.0.1)
  LOG_LEVEL   the server's log level (default warn)`;

async function main(): Promise<void> {
  parseCommandLine({ usage: USAGE, options: {}, positionals: { min: 0, max: 0 } });
  const file = resolve(process.env['DEMO_FILE'] ?? join('data', 'demo.db'));
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // The history ends two months ago, so that facts recorded weeks late (the generator's
    // backdated ones) are all recorded by now.
    const end = Date.now() - 60 * DAY;
    const simulation = new NetworkSimulation({
      events: EVENTS,
      seed: 7,
      start: new Date(end - YEARS * 365 * DAY),
      years: YEARS,
    });
    const store = SqliteEventStore.open(file);
    try {
      for (const batch of simulation.batches(1_000)) await store.importRecorded!(batch);
    } finally {
      await store.close();
    }
    const { organizations, groups, partnerships } = simulation.stats;
    console.log(
      `demo: generated ${EVENTS} events into ${file}: ${organizations} organisations, ` +
        `${groups} groups, ${partnerships} partnerships over ${YEARS} years`,
    );
  } else {
    console.log(`demo: using ${file} (delete it for a fresh one)`);
  }
  // A demo needs a port a person can open: PORT, or 3000.
  const port = process.env['PORT'] && process.env['PORT'] !== '0' ? process.env['PORT'] : '3000';
  const host = process.env['HOST'] ?? '127.0.0.1';
  const server = spawn(
    process.execPath,
    ['--max-semi-space-size=64', join(__dirname, '..', '..', 'api', 'src', 'main.js')],
    {
      env: {
        ...process.env,
        PORT: port,
        HOST: host,
        EVENT_STORE_URL: `sqlite:${file}`,
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const base = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  void announceWhenReady(base, () => server.exitCode !== null);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => server.kill(signal));
  }
  server.on('exit', (code) => process.exit(code ?? 0));
}

/** Waits for the server's readiness probe, then prints where to go. */
async function announceWhenReady(base: string, exited: () => boolean): Promise<void> {
  while (!exited()) {
    try {
      if ((await fetch(`${base}/ready`)).status === 200) {
        console.log(
          `demo: the dashboard is at ${base}/ (GraphiQL at ${base}/graphiql); Ctrl-C stops it`,
        );
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
