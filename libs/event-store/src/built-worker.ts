import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The script of a worker thread, compiled beside the module that starts it: its path when
 * the code runs built (the server, the command-line tools), undefined when the sources run
 * untranspiled (the unit tests), where the caller does the work on its own thread.
 */
export function builtWorker(directory: string, name: string): string | undefined {
  const file = join(directory, `${name}.js`);
  return existsSync(file) ? file : undefined;
}
