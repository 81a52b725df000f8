/**
 * The server's process: its configuration first, then its code. Loading that code is most
 * of a start (1.2-1.8 s on the 2-core bench machine); the files a start reads, the read
 * model's snapshot and the audit tree's checkpoint, are read meanwhile on the second core
 * (StartFiles), so this module loads only what that needs before it.
 */
import 'reflect-metadata';
import { loadConfig } from './config';
import { FINAL_FLUSH_MS, flushLogs } from './logging';
import { StartFiles } from './read-model/start-files';

// A reader of stdout or stderr that went away must not crash the process (EPIPE) before the
// store is closed: the lines are lost, the stop goes on.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const startFiles = StartFiles.readAside({
    snapshot: config.snapshot.file,
    auditTree: config.audit.treeFile,
  });
  const { serve } = await import('./serve');
  await serve(config, startFiles);
}

main().catch((error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  void flushLogs(FINAL_FLUSH_MS).then(() => process.exit(1));
});
