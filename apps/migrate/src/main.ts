import { runMigrate } from './migrate-command';

/**
 * `npm run migrate -- --from <url> --to <url>`: moves the recorded history from one event
 * store into another (e.g. from SQLite onto EventStoreDB). The first Ctrl-C stops after
 * the page being written, so that a new run goes on from there; a second one ends at once.
 */
function main(): void {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write(
      '\nmigrate: stopping after the page being written (Ctrl-C again ends now)\n',
    );
    controller.abort();
    process.once('SIGINT', () => process.exit(1));
  });
  runMigrate(process.argv.slice(2), process, controller.signal).then(
    (status) => exit(status),
    (error: unknown) => {
      process.stderr.write(`migrate: failed: ${error instanceof Error ? error.message : error}\n`);
      exit(1);
    },
  );
}

function exit(status: number): void {
  process.exitCode = status;
  // The stores are closed; should a client library still hold a connection open, the
  // command is done regardless.
  setTimeout(() => process.exit(status), 2_000).unref();
}

main();
