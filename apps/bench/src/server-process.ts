/**
 * The built server in a process of its own, configured as a user would (environment
 * variables), open (no credentials), on a SQLite file and a free loopback port.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { settlesWithin, sleep } from './progress';

/** The built server, exactly as `npm start` runs it. */
export const SERVER_ENTRY = join(__dirname, '..', '..', 'api', 'src', 'main.js');

/**
 * How `npm start` runs the server (`NAME=value … node --flag … dist/apps/api/src/main.js` in
 * package.json): its environment variables and Node.js flags, so that the benchmark runs it
 * the same way as they change.
 */
const START_SCRIPT = startScript(join(__dirname, '..', '..', '..', '..', 'package.json'));

/** The Node.js flags `npm start` gives the server. */
export const SERVER_NODE_FLAGS: readonly string[] = START_SCRIPT.flags;

/** The environment variables `npm start` sets for the server. */
export const SERVER_START_ENV: Readonly<Record<string, string>> = START_SCRIPT.env;

const POLL_MS = 10;
const SERVING = /serving GraphQL at http:\/\/[^:/]+:(\d+)\/graphql/;

export interface ServerOptions {
  /** The SQLite file it records in. */
  readonly file: string;
  /** Where its stdout and stderr go: a file costs neither process a pipe to drain. */
  readonly logFile: string;
  /** How long to wait for "serving GraphQL at" before giving up. */
  readonly startTimeoutMs?: number;
  /** More environment variables (they win over the defaults below). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface Memory {
  readonly rssBytes: number;
  readonly peakRssBytes: number;
}

export class ServerProcess {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly logFile: string,
    /** performance.now() just before the spawn. */
    readonly spawnedAt: number,
    /** performance.now() when its "serving GraphQL at" line was seen. */
    readonly servingAt: number,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** Spawns the server and resolves once it says where it serves GraphQL. */
  static async start(options: ServerOptions): Promise<ServerProcess> {
    const log = openSync(options.logFile, 'w');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...SERVER_START_ENV,
      PORT: '0',
      HOST: '127.0.0.1',
      EVENT_STORE_URL: `sqlite:${options.file}`,
      LOG_LEVEL: 'info',
      NO_COLOR: '1',
      // No snapshot of the read model unless a figure asks for one: writing it right after
      // a start that rebuilt would hold the event loop in the middle of other measurements,
      // and a start after it would no longer be from scratch (P5 measures both on purpose).
      SNAPSHOT_FILE: 'off',
      ...options.env,
    };
    // As `npm start` runs it: never production, which refuses to run open.
    delete env['NODE_ENV'];
    for (const name of ['API_KEYS', 'API_KEYS_FILE', 'JWT_SECRET']) delete env[name];
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY], {
      env,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = signal ?? `exit code ${code}`;
    });
    const deadline = spawnedAt + (options.startTimeoutMs ?? 120_000);
    for (;;) {
      // The line comes before any request is logged: the head of the log holds it.
      const match = SERVING.exec(readLog(options.logFile, 'head', 64 * 1024));
      if (match !== null) {
        return new ServerProcess(
          child,
          options.logFile,
          spawnedAt,
          performance.now(),
          Number(match[1]),
        );
      }
      if (exit !== undefined) {
        throw new Error(`the server ended (${exit}) before serving:\n${readTail(options.logFile)}`);
      }
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server did not serve in time:\n${readTail(options.logFile)}`);
      }
      await sleep(POLL_MS);
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get graphqlUrl(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  /** Polls GET /ready until it answers 200; resolves with performance.now() at that answer. */
  async waitUntilReady(timeoutMs = 120_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/ready`);
        await response.arrayBuffer();
        if (response.status === 200) return performance.now();
      } catch {
        // Not answering yet.
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the server ended before it was ready:\n${this.logTail()}`);
      }
      if (performance.now() > deadline) throw new Error('the server was not ready in time');
      await sleep(POLL_MS);
    }
  }

  /** Resident memory now, and its peak so far, as the kernel counts them. */
  memory(): Memory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string): number => {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      if (match === null) throw new Error(`no ${field} in /proc/${this.pid}/status`);
      return Number(match[1]) * 1024;
    };
    return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  }

  /** Posts one GraphQL operation; fails on an HTTP error or any GraphQL error. */
  async gql<Data>(query: string, variables?: Record<string, unknown>): Promise<Data> {
    const response = await fetch(this.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Data; errors?: unknown[] };
    if (response.status !== 200 || body.errors !== undefined || body.data === undefined) {
      throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
    }
    return body.data;
  }

  logTail(): string {
    return readTail(this.logFile);
  }

  /** SIGTERM: it finishes what is in flight, closes the store and exits. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    if (!(await settlesWithin(this.exited, timeoutMs))) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`the server did not stop within ${timeoutMs / 1000} s of SIGTERM`);
    }
    if (this.child.exitCode !== 0) {
      throw new Error(
        `the server exited with ${this.child.signalCode ?? this.child.exitCode}:\n${this.logTail()}`,
      );
    }
  }
}

function readTail(file: string): string {
  return readLog(file, 'tail', 4_000);
}

function readLog(file: string, end: 'head' | 'tail', bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const from = end === 'head' ? 0 : Math.max(0, fstatSync(fd).size - bytes);
    const buffer = Buffer.alloc(bytes);
    const length = readSync(fd, buffer, 0, bytes, from);
    return buffer.subarray(0, length).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function startScript(packageJson: string): {
  env: Record<string, string>;
  flags: string[];
} {
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const match =
    /((?:\b[A-Z_]+=\S+\s+)*)\bnode((?:\s+--\S+)*)\s+dist\/apps\/api\/src\/main\.js/.exec(
      scripts?.['start'] ?? '',
    );
  const words = (text: string | undefined): string[] =>
    text
      ?.trim()
      .split(/\s+/)
      .filter((word) => word !== '') ?? [];
  const env: Record<string, string> = {};
  for (const assignment of words(match?.[1])) {
    const equals = assignment.indexOf('=');
    env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  return { env, flags: words(match?.[2]) };
}
