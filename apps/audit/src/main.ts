import { runAudit } from './audit-command';

/** `npm run audit -- <verb>`: see `npm run audit -- --help`. */

// A reader that stops early (`| head`) is not a failure of the audit.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
runAudit(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (status) => {
    process.exitCode = status;
    // The stores are closed; a client library's lingering connection must not hold the exit.
    setTimeout(() => process.exit(status), 2_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `audit: failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
