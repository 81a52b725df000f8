/**
 * The server's code as main.ts loads it, once its start's files are being read: a bundle of
 * its own (apps/api/scripts/bundle.js), so that the thread reading them starts before this
 * code is read and compiled.
 */
import 'reflect-metadata';
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
