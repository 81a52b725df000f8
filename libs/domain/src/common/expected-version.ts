import { ConcurrencyConflictError } from './errors';
import { CommandOptions, StreamState } from './command';

/**
 * Checks the caller's expectedVersion against the addressed stream (step 4 of the
 * command order).
 */
export function checkExpectedVersion(
  streamId: string,
  options: CommandOptions,
  state: StreamState,
): void {
  if (options.expectedVersion !== undefined && options.expectedVersion !== state.version) {
    throw new ConcurrencyConflictError(streamId, options.expectedVersion, state.version);
  }
}
