import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GraphQLResponse<Data = Record<string, any>> {
  readonly status: number;
  readonly data?: Data | null;
  readonly errors?: ReadonlyArray<{
    message: string;
    path?: ReadonlyArray<string | number>;
    extensions?: Record<string, any>;
  }>;
}

export interface TestServer {
  /** http://127.0.0.1:<port>/graphql */
  readonly url: string;
  readonly wsUrl: string;
  /** The SQLite file the server records in. */
  readonly file: string;
  gql<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/** A fresh temporary directory, removed by the returned function. */
export function temporaryDirectory(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'partnerships-e2e-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const APP_PROCESS = join(__dirname, 'app-process.cjs');

/**
 * Starts the real app on a SQLite file, listening on a free loopback port, in a Node
 * process of its own (see app-process.cjs for why not inside Jest).
 */
export async function startServer(file: string): Promise<TestServer> {
  const child = fork(APP_PROCESS, [file], { silent: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: { type: string; port?: number; error?: string }) => {
      if (message.type === 'listening' && message.port !== undefined) resolve(message.port);
      if (message.type === 'failed') reject(new Error(`the app did not start: ${message.error}`));
    });
    child.once('exit', (code) =>
      reject(new Error(`the app process exited (${code}) before listening:\n${output}`)),
    );
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    file,
    async gql(query, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<any>;
    },
    close: () => closeProcess(child, exited),
  };
}

async function closeProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.send({ type: 'close' });
  await exited;
}
