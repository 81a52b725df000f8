/**
 * npm run restore -- <backup> [--replace]
 * Puts a backup in place of the event store named by EVENT_STORE_URL. Stop the server first.
 */
import { restoreSqlite } from '@partnerships/event-store/sqlite/sqlite-backup';
import { fail, sqliteFileOfEnvironment } from './sqlite-location';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const backup = args.find((arg) => !arg.startsWith('--'));
  if (backup === undefined || args.includes('--help')) {
    console.error(
      'usage: npm run restore -- <backup> [--replace]   (stop the server first; restores into EVENT_STORE_URL)',
    );
    process.exit(backup === undefined ? 1 : 0);
  }
  const target = sqliteFileOfEnvironment(process.env);
  const summary = await restoreSqlite(backup, target, { replace: args.includes('--replace') });
  console.log(`restored ${summary.events} events from ${backup} to ${target}`);
}

main().catch(fail);
