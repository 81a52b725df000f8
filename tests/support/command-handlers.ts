import { CommandRecorder, CommandResult } from '../../apps/api/src/commands/command-recorder';
import { COMMAND_NAMES, CommandName } from '../../apps/api/src/commands/command-table';

/** Runs one mutation's input through the command path, as the resolver does. */
export type Execute = (input: any) => Promise<CommandResult>;

/**
 * Every command of the table wired to one CommandRecorder without Nest: the path every
 * mutation takes below its resolver.
 */
export function commandHandlers(recorder: CommandRecorder): Record<CommandName, Execute> {
  return Object.fromEntries(
    COMMAND_NAMES.map((name): [CommandName, Execute] => [
      name,
      (input) => recorder.record({ name, input, actor: null }),
    ]),
  ) as Record<CommandName, Execute>;
}
