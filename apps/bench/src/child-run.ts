import { fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs a script of the benchmark in a process of its own (with this process's Node.js
 * flags): sends it one request and resolves with its one answer once the process is gone,
 * killed if it has not ended by itself (what it left running must not go on while the
 * caller measures). Its stdout is ignored, its stderr is this process's.
 */
export async function askChild<Answer>(
  script: string,
  request: unknown,
  what: string,
): Promise<Answer> {
  const child = fork(join(__dirname, script), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await new Promise<Answer>((resolve, reject) => {
      child.once('message', (message) => resolve(message as Answer));
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`${what} ended (${signal ?? code}) without an answer`)),
      );
      child.send(request as object);
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}
