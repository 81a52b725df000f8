/**
 * Writes the built server's code cache (apps/api/src/code-cache.ts) ahead of its first
 * start, for an installation whose dist/ the server cannot write (the Docker image runs
 * as `node` over a dist/ owned by root): starts the server once on an in-memory store,
 * with the node flags given here, which must be those the server will run with (V8 takes
 * a cache only under the same flags), and stops it once the cache is written.
 *
 * usage: node apps/api/scripts/warm-code-cache.js [node flags...]
 *   e.g. node apps/api/scripts/warm-code-cache.js --max-semi-space-size=64
 */
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { clearTimeout, setTimeout } = require('node:timers');

const ENTRY = join(__dirname, '..', '..', '..', 'dist', 'apps', 'api', 'src', 'main.js');
const DEADLINE_MS = 60_000;

const server = spawn(process.execPath, [...process.argv.slice(2), ENTRY], {
  env: {
    ...process.env,
    EVENT_STORE_URL: 'sqlite::memory:',
    PORT: '0',
    HOST: '127.0.0.1',
    SNAPSHOT_FILE: 'off',
    AUDIT_TREE_FILE: 'off',
    LOG_LEVEL: 'info',
    NO_COLOR: '1',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});

let output = '';
let outcome;
const finish = (code, line) => {
  if (outcome !== undefined) return;
  outcome = code;
  clearTimeout(deadline);
  clearTimeout(usedTimer);
  (code === 0 ? process.stdout : process.stderr).write(`${line}\n`);
  server.kill('SIGTERM');
};
const deadline = setTimeout(
  () => finish(1, `warm-code-cache: no word on the code cache after ${DEADLINE_MS / 1000} s`),
  DEADLINE_MS,
);
const onData = (chunk) => {
  output += chunk.toString('utf8');
  const written = /compiled code cached for the next start in ([^"\n]+)/.exec(output);
  if (written !== null) finish(0, `warm-code-cache: wrote ${written[1]}`);
  const failed = /no code cache for the next start: ([^"\n]+)/.exec(output);
  if (failed !== null) finish(1, `warm-code-cache: ${failed[1]}`);
  // A start that used a cache says nothing of it once serving.
  if (/serving GraphQL at/.test(output) && usedTimer === undefined) {
    usedTimer = setTimeout(() => finish(0, 'warm-code-cache: the cache is there already'), 2000);
  }
};
let usedTimer;
server.stdout.on('data', onData);
server.stderr.on('data', onData);
server.once('exit', (code) => {
  if (outcome === undefined) finish(1, `warm-code-cache: the server exited (${code}) first`);
  process.exitCode = outcome;
});
