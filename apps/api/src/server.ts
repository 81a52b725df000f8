/**
 * The server's code as main.ts loads it, once its start's files are being read: a bundle of
 * its own (apps/api/scripts/bundle.js), so that the thread reading them starts before this
 * code is read and compiled.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config';
import type { StartFiles } from './read-model/start-files';
import { serve } from './serve';

export { FINAL_FLUSH_MS, flushLogs } from './logging';

export async function startServer(
  env: NodeJS.ProcessEnv,
  startFiles: StartFiles | undefined,
): Promise<void> {
  await serve(loadConfig(env), startFiles);
}

/** A line of main's in the server's log (main.ts loads no logger of its own). */
export function logFromMain(message: string): void {
  new Logger('Main').log(message);
}
