/* global process, __dirname */
'use strict';
/**
 * Runs the real app in a plain Node process for the end-to-end tests.
 *
 * Jest's CommonJS runtime cannot load what the app depends on: content-disposition 3 is
 * ESM-only and Mercurius loads quick-lru with a dynamic import(). Node itself can, so the
 * tests start the app here, compiling its TypeScript on the fly with swc (as the build does),
 * and talk to it over real HTTP and WebSocket only.
 *
 * Protocol with the parent (test-server.ts), over the fork IPC channel:
 *   child -> { type: 'listening', port } | { type: 'failed', error }
 *   parent -> { type: 'close' }; the child closes the app and exits.
 * When the parent goes away, the child closes itself.
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '..', '..');
const aliases = [
  ['@partnerships/domain/', 'libs/domain/src/'],
  ['@partnerships/event-store/', 'libs/event-store/src/'],
  ['@partnerships/projections/', 'libs/projections/src/'],
];

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [prefix, directory] of aliases) {
    if (request.startsWith(prefix)) {
      return resolveFilename.call(
        this,
        join(root, directory, request.slice(prefix.length)),
        ...rest,
      );
    }
  }
  return resolveFilename.call(this, request, ...rest);
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    sourceMaps: false,
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  });
  module._compile(code, filename);
};

const file = process.argv[2];
let app;
let closing;

function close() {
  closing ??= (async () => {
    try {
      if (app !== undefined) await app.close();
    } finally {
      process.exit(0);
    }
  })();
  return closing;
}

process.on('message', (message) => {
  if (message && message.type === 'close') void close();
});
process.on('disconnect', () => void close());

(async () => {
  require('reflect-metadata');
  const { createApp } = require(join(root, 'apps', 'api', 'src', 'app.ts'));
  app = await createApp(
    { port: 0, host: '127.0.0.1', eventStoreUrl: `sqlite:${file}` },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  process.send({ type: 'listening', port: address.port });
})().catch((error) => {
  process.send({ type: 'failed', error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});
