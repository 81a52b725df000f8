/**
 * npm run restore -- <backup> [--replace]
 * Puts a backup in place of the event store named by EVENT_STORE_URL. Stop the server first.
 */
import { restoreSqlite } from '@partnerships/event-store/sqlite/sqlite-backup';
import { parseCommandLine } from './command-line';
import { fail, sqliteFileOfEnvironment } from './sqlite-location';

const USAGE = `usage: npm run restore -- <backup> [--replace]
Puts <backup> in place of the event store named by EVENT_STORE_URL (a SQLite file).
  --replace   overwrite a store that exists; refused while a server holds it open:
              stop the server first`;

async function main(): Promise<void> {
  const {
    values,
    positionals: [backup],
  } = parseCommandLine({
    usage: USAGE,
    options: { replace: { type: 'boolean', default: false } },
    positionals: { min: 1, max: 1 },
  });
  const target = sqliteFileOfEnvironment(process.env);
  const summary = await restoreSqlite(backup!, target, { replace: values.replace });
  console.log(`restored ${summary.events} events from ${backup} to ${target}`);
}

main().catch(fail);
