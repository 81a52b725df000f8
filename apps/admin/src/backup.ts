/**
 * npm run backup -- <file>
 * Copies the event store named by EVENT_STORE_URL to <file> while the server runs.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SingleBar } from 'cli-progress';
import { backupSqlite } from '@partnerships/event-store/sqlite/sqlite-backup';
import { parseCommandLine } from './command-line';
import { fail, sqliteFileOfEnvironment } from './sqlite-location';

const USAGE = `usage: npm run backup -- <file>
Copies the event store named by EVENT_STORE_URL (a SQLite file) to <file>, a new file,
while the server runs; its folder is created when missing.`;

async function main(): Promise<void> {
  const {
    positionals: [destination],
  } = parseCommandLine({ usage: USAGE, options: {}, positionals: { min: 1, max: 1 } });
  const source = sqliteFileOfEnvironment(process.env);
  mkdirSync(dirname(destination!), { recursive: true });
  const started = Date.now();
  const bar = new SingleBar({
    format: 'backup [{bar}] {percentage}% {value}/{total} pages',
    stream: process.stderr,
  });
  let begun = false;
  const summary = await backupSqlite(source, destination!, ({ totalPages, remainingPages }) => {
    if (!begun) bar.start(totalPages, 0);
    begun = true;
    bar.setTotal(totalPages);
    bar.update(totalPages - remainingPages);
  });
  if (begun) bar.stop();
  console.log(
    `backed up ${summary.events} events (${summary.bytes} bytes) from ${source} to ${destination} in ${Date.now() - started} ms`,
  );
}

main().catch(fail);
