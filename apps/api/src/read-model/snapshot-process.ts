import { ChildProcess, fork } from 'node:child_process';
import { extname, join } from 'node:path';

/** What `npm run snapshot -- renew`, run by a server, sends it once the file is on disk. */
export interface RenewedSnapshot {
  readonly events: number;
  readonly bytes: number;
  /** When the state was taken (ms since the epoch). */
  readonly takenAt: number;
  /** From its start to the file on disk. */
  readonly durationMs: number;
  /** The events of the snapshot it started from; 0 when it rebuilt from the log. */
  readonly fromSnapshot: number;
  /** Why the snapshot it found was not used, when there was one. */
  readonly ignored: string | undefined;
}

/** The snapshot command, built beside the server (dist/apps/admin/src/snapshot.js). */
const SNAPSHOT_COMMAND = join(
  __dirname,
  '..',
  '..',
  '..',
  'admin',
  'src',
  `snapshot${extname(__filename)}`,
);

/**
 * Writes the read model's snapshot in a process of its own, so that the server's event loop
 * never waits for one: it runs `npm run snapshot -- renew` on the same store and file, which
 * loads the snapshot there, follows the log to its end and writes the new one durably. It
 * costs a second copy of the model in memory while it runs, and stops with the server.
 */
export class SnapshotProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly file: string,
    private readonly storeUrl: string,
  ) {}

  run(): Promise<RenewedSnapshot> {
    return new Promise((resolve, reject) => {
      const child = fork(SNAPSHOT_COMMAND, ['renew'], {
        env: Object.assign({}, process.env, {
          EVENT_STORE_URL: this.storeUrl,
          SNAPSHOT_FILE: this.file,
        }),
        // The server's heap settings, without a debugger port the server holds.
        execArgv: process.execArgv.filter((flag) => !flag.startsWith('--inspect')),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'json',
      });
      this.child = child;
      let errors = '';
      let renewed: RenewedSnapshot | undefined;
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => (errors = (errors + chunk).slice(-4000)));
      child.on('message', (message) => (renewed = message as RenewedSnapshot));
      child.once('error', (error) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`the snapshot process could not run: ${error.message}`));
      });
      child.once('close', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (renewed !== undefined) return resolve(renewed);
        const why = errors.trim().split('\n').at(-1) ?? '';
        reject(
          new Error(
            `the snapshot process ${signal === null ? `exited with code ${code}` : `was stopped (${signal})`}` +
              (why === '' ? '' : `: ${why.replace(/^error: /, '')}`),
          ),
        );
      });
    });
  }

  /** Stops a write under way: the previous snapshot stays, its temporary file is removed at the next start. */
  stop(): void {
    this.child?.kill();
  }
}
