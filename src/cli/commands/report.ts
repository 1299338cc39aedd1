import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EXIT_FAILURE } from '../../engine/errors.js';
import { parseDepLabel } from '../../engine/pipeline/label.js';
import type { CliIO } from '../io.js';
import { openSession } from './open.js';

const TEARSHEET = 'tearsheet.html';

/**
 * quanto report LABEL [--open]: where a backtest's or a report target's tearsheet is (the path
 * of its latest build), opened in the desktop's browser with --open where one is available.
 */
export async function reportCommand(
  io: CliIO,
  globals: GlobalOptions,
  label: string,
  opts: { open?: boolean },
): Promise<number> {
  const session = await openSession(io, globals);
  const name = parseDepLabel(label);
  if (!name || !session.pipeline.targets.has(name))
    throw new ConfigError(`${label} is not a target in quanto.pipeline.yaml`);
  const state = session.state.get(`//${name}`);
  if (!state) {
    io.err(`quanto report: //${name} has not been built yet: run quanto build //${name}`);
    return EXIT_FAILURE;
  }
  if (!(TEARSHEET in state.outputs)) {
    io.err(`quanto report: //${name} has no ${TEARSHEET} (backtests and //reports/ targets have one)`);
    return EXIT_FAILURE;
  }
  const path = join(session.workspace.outPathOf(name, null), TEARSHEET);
  if (!existsSync(path)) {
    io.err(`quanto report: ${path} is missing from the output tree: run quanto build //${name}`);
    return EXIT_FAILURE;
  }
  io.out(path);
  if (opts.open) {
    const opener = ['xdg-open', 'open'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
    if (!opener) io.err('quanto report: no xdg-open or open here: open the path above in a browser');
    else spawn(opener, [path], { detached: true, stdio: 'ignore' }).unref();
  }
  return 0;
}

/** Registers `quanto report`. */
export function registerReportCommand(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description("print where a backtest's or report target's HTML tearsheet is (--open opens it)")
    .argument('<label>')
    .option('--open', "open it in the desktop's browser")
    .action(ctx.run((label: string, opts: { open?: boolean }) => reportCommand(ctx.io, ctx.globals(), label, opts)));
}
