import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, QuantoError } from '../engine/errors.js';
import { machineErrorMessage } from '../engine/fs-errors.js';
import { buildCommand, type BuildFlags } from './commands/build.js';
import { workerCommand, type WorkerFlags } from './commands/worker.js';
import { calendarSessionsCommand } from './commands/calendar.js';
import { cleanCommand, gcCommand } from './commands/clean.js';
import { devVendorsCommand } from './commands/dev-vendors.js';
import { doctorCommand, type DoctorFlags } from './commands/doctor.js';
import { explainCommand } from './commands/explain.js';
import { featuresComputeCommand } from './commands/features-compute.js';
import { metricsCommand } from './commands/metrics.js';
import { optionsGreeksCommand } from './commands/options-greeks.js';
import { graphCommand, lsCommand, queryCommand } from './commands/graph.js';
import { showCommand } from './commands/show.js';
import { sqlCommand } from './commands/sql.js';
import { verifyCommand } from './commands/verify.js';
import { promoteCommand } from './commands/promote.js';
import { killCommand } from './commands/kill.js';
import { reportCommand } from './commands/report.js';
import { watchCommand, type WatchFlags } from './commands/watch.js';
import { processIO, redactingIO, type CliIO } from './io.js';

export interface GlobalOptions {
  workspace?: string;
}

function jobsOption(): Option {
  return new Option(
    '-j, --jobs <n>',
    'worker threads (0 runs actions on the main thread); default: the core count',
  ).argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
    return n;
  });
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
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run quanto --help for usage)');
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  // Commander passes (args..., options, command); each handler returns its exit status.
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      status = await fn(...args);
    };

  program
    .command('build')
    .description('build targets and everything they depend on')
    .argument('[labels...]', 'labels or patterns (//name, //prefix/..., //..., //name@dim=value)', ['//...'])
    .addOption(jobsOption())
    .option('-k, --keep-going', 'build every branch that does not depend on a failure')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-tui', 'plain line-per-event output even on a terminal')
    .option(
      '--remote-cache <url>',
      'a shared cache on S3-compatible storage, s3://bucket/prefix (endpoint: remote_cache in the pipeline or QUANTO_REMOTE_CACHE_ENDPOINT)',
    )
    .option('--no-remote-upload', 'read from the remote cache, never write to it')
    .option(
      '--executor <url>',
      'run actions on `quanto worker` processes through BullMQ on this Redis (redis://HOST:PORT); needs a remote cache',
    )
    .action(run((labels: string[], opts: BuildFlags) => buildCommand(io, globals(), labels, opts)));

  program
    .command('worker')
    .description(
      'take actions of distributed builds from Redis and run them with this checkout (until SIGINT or SIGTERM)',
    )
    .requiredOption('--executor <url>', 'the Redis the builds queue on (redis://HOST:PORT)')
    .addOption(jobsOption())
    .addOption(
      new Option(
        '--prefetch <n>',
        'actions held beyond those running, per resource class, fetching inputs or uploading outputs meanwhile; default: as many as --jobs',
      ).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
        return n;
      }),
    )
    .option('--resources <classes>', 'the resource classes this machine serves (cpu, memory)', 'cpu')
    .addOption(
      new Option(
        '--lock-ms <ms>',
        'how long an action stays locked to this worker without a renewal (a killed worker loses its jobs after this)',
      )
        .default(30_000)
        .argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 100)
            throw new InvalidArgumentError('expected a whole number of milliseconds >= 100');
          return n;
        }),
    )
    .option(
      '--remote-cache <url>',
      'the shared cache (s3://bucket/prefix) it fetches inputs from and uploads outputs to',
    )
    .action(run((opts: WorkerFlags) => workerCommand(io, globals(), opts)));

  program
    .command('watch')
    .description('build, then rebuild what changed on every edit of a file the targets depend on')
    .argument('[labels...]', 'labels or patterns', ['//...'])
    .addOption(jobsOption())
    .option('-k, --keep-going', 'build every branch that does not depend on a failure')
    .option('--no-tui', 'plain line-per-event output even on a terminal')
    .addOption(
      new Option('--debounce <ms>', 'quiet time after a change before rebuilding').default(25).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of milliseconds');
        return n;
      }),
    )
    .option(
      '--remote-cache <url>',
      'a shared cache on S3-compatible storage, s3://bucket/prefix: read through on a local miss, written behind',
    )
    .option('--no-remote-upload', 'read from the remote cache, never write to it')
    .action(run((labels: string[], opts: WatchFlags) => watchCommand(io, globals(), labels, opts)));

  const calendar = program.command('calendar').description('exchange trading calendars, computed from their rules');
  calendar
    .command('sessions')
    .description(
      'trading dates between two dates, one per line (with --early-closes: early-close dates and closing times)',
    )
    .requiredOption('--exchange <code>', 'exchange (MIC), e.g. XNYS')
    .requiredOption('--start <date>', 'first date, YYYY-MM-DD')
    .requiredOption('--end <date>', 'last date, YYYY-MM-DD')
    .option('--early-closes', 'print early closes with their closing time instead')
    .action(
      run((opts: { exchange: string; start: string; end: string; earlyCloses?: boolean }) =>
        calendarSessionsCommand(io, opts),
      ),
    );

  program
    .command('sql')
    .description('ad-hoc SQL (DuckDB) over the canonical store; each canonical table is a view named after its target')
    .argument('<query>')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(run((query: string, opts: { format: 'table' | 'csv' | 'json' }) => sqlCommand(io, globals(), query, opts)));

  const dev = program.command('dev').description('development helpers');
  dev
    .command('vendors')
    .description('run the local vendor servers (seeded data, loopback only) until interrupted')
    .option('--seed <n>', 'seed of the served market', (v) => Number(v), 1)
    .option('--key <key>', 'the API key the servers accept (a test key, not a real one)', 'local-dev-key')
    .action(run((opts: { seed: number; key: string }) => devVendorsCommand(io, opts)));

  program
    .command('features')
    .description('feature sets for ad-hoc use')
    .command('compute')
    .description('compute a feature set over a bars CSV (symbol,date,open,high,low,close,volume)')
    .requiredOption('--set <file>', 'feature set YAML')
    .requiredOption('--input <file>', 'bars CSV')
    .requiredOption('--out <file>', 'output CSV')
    .action(run((opts: { set: string; input: string; out: string }) => featuresComputeCommand(io, opts)));

  program
    .command('options')
    .description('option analytics for ad-hoc use')
    .command('greeks')
    .description('Black-Scholes-Merton price and Greeks per row, and implied vol where a price is given')
    .requiredOption('--input <file>', 'CSV: type,spot,strike,t_years,rate,div_yield,vol[,price]')
    .requiredOption('--out <file>', 'output CSV')
    .action(run((opts: { input: string; out: string }) => optionsGreeksCommand(io, opts)));

  program
    .command('metrics')
    .description('performance metrics (Sharpe, Sortino, drawdown, CAGR, PSR...) of price or equity series')
    .requiredOption('--input <file>', 'CSV: symbol,date,close')
    .requiredOption('--out <file>', 'output CSV')
    .option('--by <period>', 'year (each year from its own closes) or all', 'year')
    .option('--periods-per-year <n>', 'return periods a year', '252')
    .action(
      run((opts: { input: string; out: string; by: string; periodsPerYear: string }) => metricsCommand(io, opts)),
    );

  program
    .command('ls')
    .description('list targets')
    .argument('[patterns...]', 'patterns to list', ['//...'])
    .action(run((p: string[]) => lsCommand(io, globals(), p)));

  program
    .command('graph')
    .description('print the dependency graph')
    .argument('[labels...]', 'roots (default: all)', ['//...'])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'dot', 'json']).default('text'))
    .action(
      run((labels: string[], opts: { format: 'text' | 'dot' | 'json' }) =>
        graphCommand(io, globals(), labels, opts.format),
      ),
    );

  program
    .command('query')
    .description("graph queries: 'deps(//x)', 'rdeps(//x)', 'somepath(//a,//b)'")
    .argument('<expression>')
    .action(run((expr: string) => queryCommand(io, globals(), expr)));

  program
    .command('explain')
    .description('why a target would rebuild: what changed in its key since its last build')
    .argument('<label>')
    .option('--json', 'machine-readable')
    .action(run((label: string, opts: { json?: boolean }) => explainCommand(io, globals(), label, opts)));

  program
    .command('show')
    .description("a target's manifest and output paths")
    .argument('<label>')
    .option('--json', 'machine-readable')
    .action(run((label: string, opts: { json?: boolean }) => showCommand(io, globals(), label, opts)));

  program
    .command('verify')
    .description('rebuild from scratch in an empty cache and compare every output digest')
    .argument('[labels...]', 'labels or patterns', ['//...'])
    .addOption(jobsOption())
    .option('--json', 'machine-readable')
    .option('--remote-cache <url>', 'also compare the clean rebuild with this remote cache (s3://bucket/prefix)')
    .action(
      run((labels: string[], opts: { jobs?: number; json?: boolean; remoteCache?: string }) =>
        verifyCommand(io, globals(), labels, opts),
      ),
    );

  program
    .command('promote')
    .description('record that an experiment passed its qualification and is promoted to a tier (promotions/<tier>/)')
    .argument('<experiment>', 'the experiment target, //experiments/<id>; its gates are //qualification/<id>')
    .requiredOption('--tier <tier>', 'candidate, or production (which needs a candidate record and //shadow/<id>)')
    .requiredOption('--reason <text>', 'why: kept in the record')
    .action(run((label: string, opts: { tier: string; reason: string }) => promoteCommand(io, globals(), label, opts)));

  program
    .command('report')
    .description("print where a backtest's or report target's HTML tearsheet is (--open opens it)")
    .argument('<label>')
    .option('--open', "open it in the desktop's browser")
    .action(run((label: string, opts: { open?: boolean }) => reportCommand(io, globals(), label, opts)));

  program
    .command('trade')
    .description('one trading decision of a promoted policy against Alpaca (paper by default) on the latest built bar')
    .argument('<experiment>', 'the experiment target, //experiments/<id>')
    .requiredOption('--broker <broker>', 'alpaca-paper or alpaca-live')
    .option('--live', 'the explicit flag live trading needs')
    .option('--confirm <text>', 'type "LIVE //experiments/<id>" to confirm live trading')
    .option('--risk <file>', 'a YAML file whose risk: block sets the limits (configs/execution/)')
    .action(
      // Loaded on use: it pulls in TensorFlow.js, which no other command should pay for at start-up.
      run(async (label: string, opts: { broker: string; live?: boolean; confirm?: string; risk?: string }) =>
        (await import('./commands/trade.js')).tradeCommand(io, globals(), label, opts),
      ),
    );

  program
    .command('kill')
    .description('the manual kill switch: running trading sessions halt, cancel open orders and flatten')
    .option('--reason <text>', 'why trading must stop (required to set it)')
    .option('--clear', 'remove the kill switch')
    .option('--status', 'say whether it is set')
    .action(run((opts: { reason?: string; clear?: boolean; status?: boolean }) => killCommand(io, globals(), opts)));

  program
    .command('clean')
    .description('delete the whole cache (cache/)')
    .action(run(() => cleanCommand(io, globals())));
  program
    .command('gc')
    .description(
      'delete cache entries the pipeline and promotion records no longer reach, and those a missing or truncated blob spoils',
    )
    .option('--repair', 'also rehash every kept blob and take out those whose bytes changed (reads the whole store)')
    .action(run((opts: { repair?: boolean }) => gcCommand(io, globals(), opts)));
  program
    .command('doctor')
    .description('check the installation, the cache and the environment')
    .option('--full', 'rehash every blob in the cache (exit 1 when one is damaged)')
    .option('--remote-cache <url>', 'check this remote cache (s3://bucket/prefix) instead of the configured one')
    .option(
      '--executor <url>',
      'check this Redis of distributed builds (redis://HOST:PORT) and count the workers serving this checkout',
    )
    .action(run((opts: DoctorFlags) => doctorCommand(io, globals(), opts)));

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
