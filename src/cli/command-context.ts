import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliIO } from './io.js';

/** The options given before the command name, which every command may read. */
export interface GlobalOptions {
  workspace?: string;
}

/** What each command's registration gets from `main`: the output, the global options, and the exit status. */
export interface CommandContext {
  readonly io: CliIO;
  globals(): GlobalOptions;
  /** Wraps a handler for Commander, which passes (args..., options, command); the handler returns the exit status. */
  run<A extends unknown[]>(handler: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
}

/** A command module's entry point: it adds its command (or commands) to the program. */
export type RegisterCommands = (program: Command, ctx: CommandContext) => void;

/** An option whose value must be a whole number of at least `min` (of `unit`, when it has one). */
export function wholeNumberOption(
  flags: string,
  description: string,
  { min = 0, unit, defaultValue }: { min?: number; unit?: string; defaultValue?: number } = {},
): Option {
  const option = new Option(flags, description).argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number${unit ? ` of ${unit}` : ''} >= ${min}`);
    return n;
  });
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** -j/--jobs, shared by build, watch, verify and worker. */
export function jobsOption(): Option {
  return wholeNumberOption(
    '-j, --jobs <n>',
    'worker threads (0 runs actions on the main thread); default: the core count',
  );
}
