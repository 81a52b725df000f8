import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/api/src/app';

// content-disposition 3 (pulled in by @fastify/static, which Mercurius loads for GraphiQL)
// is ESM-only, and Jest's CommonJS runtime cannot require it. The app never sends a file
// download, so a stand-in that refuses to be used is enough for end-to-end tests.
jest.mock('content-disposition', () => ({
  create: () => {
    throw new Error('content-disposition is not available under Jest');
  },
  parse: () => {
    throw new Error('content-disposition is not available under Jest');
  },
}));

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
  readonly app: NestFastifyApplication;
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

/** Starts the real app on a SQLite file, listening on a free loopback port. */
export async function startServer(file: string): Promise<TestServer> {
  const app = await createApp(
    { port: 0, host: '127.0.0.1', eventStoreUrl: `sqlite:${file}` },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const url = `http://127.0.0.1:${address.port}/graphql`;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    file,
    app,
    async gql(query, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<any>;
    },
    close: () => app.close(),
  };
}
