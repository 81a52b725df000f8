import { parseArgs } from 'node:util';

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly default?: string | boolean };

export interface CommandSpec<Options extends Record<string, OptionSpec>> {
  /** The whole help text; its first line is the usage line. */
  readonly usage: string;
  readonly options: Options;
  /** How many plain arguments (files) the command takes. */
  readonly positionals: { readonly min: number; readonly max: number };
}

export type Values<Options extends Record<string, OptionSpec>> = {
  [Name in keyof Options]: Options[Name]['type'] extends 'boolean'
    ? boolean
    : Options[Name] extends { default: string }
      ? string
      : string | undefined;
};

/** Exit status of a command line that is not understood (the shell's usage error). */
export const USAGE_ERROR = 2;

/**
 * The one way every command-line tool of the project reads its arguments (node:util's
 * parseArgs): `--help` prints the help and exits 0; an unknown flag, a flag without its
 * value or the wrong number of files is one line on stderr and exit 2, before anything
 * is read or written.
 */
export function parseCommandLine<Options extends Record<string, OptionSpec>>(
  spec: CommandSpec<Options>,
  argv: readonly string[] = process.argv.slice(2),
): { values: Values<Options>; positionals: string[] } {
  const options = { ...spec.options, help: { type: 'boolean' as const, short: 'h' } };
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  if (values['help'] === true) {
    console.log(spec.usage);
    process.exit(0);
  }
  const usageLine = spec.usage.split('\n')[0];
  const refuse = (problem: string): never => {
    console.error(`error: ${problem} (${usageLine})`);
    process.exit(USAGE_ERROR);
  };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = (spec.options as Record<string, OptionSpec>)[token.name];
    if (known === undefined) refuse(`unknown option ${token.rawName}`);
    else if (known.type === 'string' && token.value === undefined) {
      refuse(`${token.rawName} needs a value`);
    } else if (known.type === 'boolean' && token.value !== undefined) {
      refuse(`${token.rawName} takes no value`);
    }
  }
  if (positionals.length < spec.positionals.min) refuse('missing argument');
  if (positionals.length > spec.positionals.max) {
    refuse(`unexpected argument ${positionals[spec.positionals.max]}`);
  }
  return { values: values as unknown as Values<Options>, positionals };
}
