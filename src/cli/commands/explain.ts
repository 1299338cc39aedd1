import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { explain, formatExplanation } from '../../engine/incremental/explain.js';
import type { CliIO } from '../io.js';
import { openSession } from './open.js';

export async function explainCommand(
  io: CliIO,
  globals: GlobalOptions,
  label: string,
  opts: { json?: boolean },
): Promise<number> {
  const session = await openSession(io, globals);
  const explanations = await explain(session, label);
  if (opts.json) io.out(JSON.stringify(explanations, null, 2));
  else io.out(explanations.map((e) => formatExplanation(e)).join('\n'));
  return 0;
}

/** Registers `quanto explain`. */
export function registerExplainCommand(program: Command, ctx: CommandContext): void {
  program
    .command('explain')
    .description('why a target would rebuild: what changed in its key since its last build')
    .argument('<label>')
    .option('--json', 'machine-readable')
    .action(ctx.run((label: string, opts: { json?: boolean }) => explainCommand(ctx.io, ctx.globals(), label, opts)));
}
