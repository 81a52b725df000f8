/**
 * The server's process. Loading the server's code is most of a start (1.2-1.8 s on the
 * 2-core bench machine); the files a start reads, the read model's snapshot and the audit
 * tree's checkpoint, are read meanwhile on the second core (StartFiles). So this module,
 * bundled apart from the server (apps/api/scripts/bundle.js), loads only what knows where
 * those files are, starts reading them, and only then loads the server (server.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { parseCommandLine } from '../../admin/src/command-line';
import { requireWithCodeCache } from './code-cache';
import { startFileNames, startFilesThreadBytesOf } from './start-file-names';
import { StartFiles } from './read-model/start-files';

// No allocation-site pretenuring: V8 otherwise moves a site whose objects survive a young
// collection to the old generation for good. Under mutations the request's objects wait out
// a group commit, so the sites of the request path (Node's request, the GraphQL context, the
// command path's folds) went there, and every such object then took memory in the old
// generation until a full collection; on the 1M history that was a page the kernel had to
// zero for about every mutation (docs/performance-history.md, "last hour").
setFlagsFromString('--no-allocation-site-pretenuring');

// A reader of stdout or stderr that went away must not crash the process (EPIPE) before the
// store is closed: the lines are lost, the stop goes on.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const USAGE = `usage: npm start

Serves GraphQL at /graphql and the dashboard at / (http://localhost:3000 by default) on the
store EVENT_STORE_URL names (default sqlite:data/events.db). It takes no arguments;
it is configured by environment variables, each with its default in README.md,
"Configuration" (PORT, HOST, EVENT_STORE_URL, API_KEYS, JWT_SECRET, LOG_LEVEL, …).`;

async function main(): Promise<void> {
  parseCommandLine({ usage: USAGE, options: {}, positionals: { min: 0, max: 0 } });
  const startFiles = StartFiles.readAside(
    startFileNames(process.env),
    startFilesThreadBytesOf(process.env),
  );
  const server = requireWithCodeCache<typeof import('./server')>(
    require.resolve('./server'),
    module,
  );
  await server.exports.startServer(process.env, startFiles);
  // Once serving, with what the start compiled: the next start of this build reads it.
  setImmediate(() => {
    const saved = server.saveCodeCache();
    if (saved.kind === 'written') {
      server.exports.logFromMain(`compiled code cached for the next start in ${saved.file}`);
    } else if (saved.kind === 'failed') {
      server.exports.logFromMain(`no code cache for the next start: ${saved.why}`);
    }
  });
}

main().catch(async (error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  try {
    // The server's logger, if its code loaded: what it holds is written before the exit.
    const { FINAL_FLUSH_MS, flushLogs } = await import('./server');
    await flushLogs(FINAL_FLUSH_MS);
  } finally {
    process.exit(1);
  }
});
