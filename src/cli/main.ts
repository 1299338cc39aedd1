import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { quantoPackageRoot } from '../engine/package-root.js';
import { EXIT_FAILURE, EXIT_USAGE, QuantoError } from '../engine/errors.js';
import { machineErrorMessage } from '../engine/store/fs-errors.js';
import type { CommandContext, GlobalOptions, RegisterCommands } from './command-context.js';
import { registerBuildCommand } from './commands/build.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerWatchCommand } from './commands/watch.js';
import { registerCalendarCommand } from './commands/calendar.js';
import { registerSqlCommand } from './commands/sql.js';
import { registerDevVendorsCommand } from './commands/dev-vendors.js';
import { registerFeaturesComputeCommand } from './commands/features-compute.js';
import { registerOptionsGreeksCommand } from './commands/options-greeks.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerShowCommand } from './commands/show.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerPromoteCommand } from './commands/promote.js';
import { registerReportCommand } from './commands/report.js';
import { registerExpCommands } from './commands/exp.js';
import { registerTradeCommand } from './commands/trade.js';
import { registerKillCommand } from './commands/kill.js';
import { registerCleanCommands } from './commands/clean.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerSchemasCommand } from './commands/schemas.js';
import { processIO, redactingIO, type CliIO } from './io.js';

/** Every command, in the order `quanto --help` lists them; each module registers its own. */
const COMMANDS: readonly RegisterCommands[] = [
  registerBuildCommand,
  registerWorkerCommand,
  registerWatchCommand,
  registerCalendarCommand,
  registerSqlCommand,
  registerDevVendorsCommand,
  registerFeaturesComputeCommand,
  registerOptionsGreeksCommand,
  registerMetricsCommand,
  registerGraphCommands,
  registerExplainCommand,
  registerShowCommand,
  registerVerifyCommand,
  registerPromoteCommand,
  registerReportCommand,
  registerExpCommands,
  registerTradeCommand,
  registerKillCommand,
  registerCleanCommands,
  registerDoctorCommand,
  registerSchemasCommand,
];

function quantoVersion(): string {
  return (JSON.parse(readFileSync(join(quantoPackageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the CLI and returns its exit status: 0 ok, 1 a build or check failed, 2 usage or config error. */
export async function main(argv: string[], rawIO: CliIO = processIO()): Promise<number> {
  const io = redactingIO(rawIO);
  let status = 0;
  const program = new Command('quanto')
    .description('Make/Bazel for quantitative research: build, cache and verify research artifacts')
    .option(
      '-C, --workspace <dir>',
      'the workspace directory (default: the nearest above the current directory with quanto.pipeline.yaml)',
    )
    .version(quantoVersion(), '-V, --version', "print Quanto's version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run quanto --help for usage)');
  const ctx: CommandContext = {
    io,
    globals: () => program.opts<GlobalOptions>(),
    run:
      (handler) =>
      async (...args) => {
        status = await handler(...args);
      },
  };
  for (const register of COMMANDS) register(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? 0
        : EXIT_USAGE;
    }
    if (err instanceof QuantoError) {
      io.err(`quanto: error: ${err.message}`);
      return err.exitCode;
    }
    const machine = machineErrorMessage(err, 'the cache');
    if (machine) {
      io.err(`quanto: error: ${machine}`);
      return EXIT_USAGE;
    }
    io.err(`quanto: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_FAILURE;
  }
}
