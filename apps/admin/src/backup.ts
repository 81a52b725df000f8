/**
 * npm run backup -- <file>
 * Copies the event store named by EVENT_STORE_URL to <file> while the server runs.
 */
import { SingleBar } from 'cli-progress';
import { backupSqlite } from '@partnerships/event-store/sqlite/sqlite-backup';
import { fail, sqliteFileOfEnvironment } from './sqlite-location';

async function main(): Promise<void> {
  const [destination] = process.argv.slice(2);
  if (destination === undefined || destination === '--help') {
    console.error('usage: npm run backup -- <file>   (copies the store named by EVENT_STORE_URL)');
    process.exit(destination === undefined ? 1 : 0);
  }
  const source = sqliteFileOfEnvironment(process.env);
  const started = Date.now();
  const bar = new SingleBar({
    format: 'backup [{bar}] {percentage}% {value}/{total} pages',
    stream: process.stderr,
  });
  let begun = false;
  const summary = await backupSqlite(source, destination, ({ totalPages, remainingPages }) => {
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
