import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { quantoPackageRoot } from '../engine/package-root.js';
import { EXIT_FAILURE, EXIT_USAGE, QuantoError } from '../engine/errors.js';
import { machineErrorMessage } from '../engine/store/fs-errors.js';
import type { CommandContext, GlobalOptions, RegisterCommands } from './command-context.js';
import { processIO, redactingIO, type CliIO } from './io.js';

/**
 * Every command module, in the order `quanto --help` lists them, with the top-level names it
 * registers. A module is imported only when its command runs (or for --help): each pulls in
 * what its command needs (a TUI, DuckDB, a broker client), and `quanto build` on a large cached
 * pipeline should not wait for the others to load.
 */
const COMMANDS: readonly { names: readonly string[]; load: () => Promise<RegisterCommands> }[] = [
  { names: ['build'], load: async () => (await import('./commands/build.js')).registerBuildCommand },
  { names: ['worker'], load: async () => (await import('./commands/worker.js')).registerWorkerCommand },
  { names: ['watch'], load: async () => (await import('./commands/watch.js')).registerWatchCommand },
  { names: ['calendar'], load: async () => (await import('./commands/calendar.js')).registerCalendarCommand },
  { names: ['sql'], load: async () => (await import('./commands/sql.js')).registerSqlCommand },
  { names: ['dev'], load: async () => (await import('./commands/dev-vendors.js')).registerDevVendorsCommand },
  {
    names: ['features'],
    load: async () => (await import('./commands/features-compute.js')).registerFeaturesComputeCommand,
  },
  { names: ['options'], load: async () => (await import('./commands/options-greeks.js')).registerOptionsGreeksCommand },
  { names: ['metrics'], load: async () => (await import('./commands/metrics.js')).registerMetricsCommand },
  { names: ['ls', 'graph', 'query'], load: async () => (await import('./commands/graph.js')).registerGraphCommands },
  { names: ['explain'], load: async () => (await import('./commands/explain.js')).registerExplainCommand },
  { names: ['show'], load: async () => (await import('./commands/show.js')).registerShowCommand },
  { names: ['verify'], load: async () => (await import('./commands/verify.js')).registerVerifyCommand },
  { names: ['promote'], load: async () => (await import('./commands/promote.js')).registerPromoteCommand },
  { names: ['report'], load: async () => (await import('./commands/report.js')).registerReportCommand },
  { names: ['exp'], load: async () => (await import('./commands/exp.js')).registerExpCommands },
  { names: ['trade'], load: async () => (await import('./commands/trade.js')).registerTradeCommand },
  { names: ['kill'], load: async () => (await import('./commands/kill.js')).registerKillCommand },
  { names: ['clean', 'gc'], load: async () => (await import('./commands/clean.js')).registerCleanCommands },
  { names: ['doctor'], load: async () => (await import('./commands/doctor.js')).registerDoctorCommand },
  { names: ['schemas'], load: async () => (await import('./commands/schemas.js')).registerSchemasCommand },
];

/** The command an argument list runs: its first word that is not a global option (or its value). */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-C' || a === '--workspace') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

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
  // Only the module of the command asked for; all of them for help, a bare `quanto` or an unknown word (so commander can suggest one).
  const word = commandWord(argv);
  const versionOnly = word === undefined && (argv.includes('-V') || argv.includes('--version'));
  const wanted = COMMANDS.filter((c) => word !== undefined && c.names.includes(word));
  if (!versionOnly) for (const command of wanted.length > 0 ? wanted : COMMANDS) (await command.load())(program, ctx);

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
