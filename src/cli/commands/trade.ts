import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';

/** Registers `quanto trade`. */
export function registerTradeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('trade')
    .description('one trading decision of a promoted policy or strategy against Alpaca on the latest built bar')
    .argument('<target>', 'the promoted experiment, //experiments/<id>, or strategy backtest, //backtests/<id>')
    .requiredOption('--broker <broker>', 'alpaca-paper or alpaca-live')
    .option('--live', 'the explicit flag live trading needs')
    .option('--confirm <text>', 'type "LIVE //experiments/<id>" to confirm live trading')
    .option('--risk <file>', 'a YAML file whose risk: block sets the limits (configs/execution/)')
    .action(
      // Loaded on use: it pulls in TensorFlow.js, which no other command should pay for at start-up.
      ctx.run(async (label: string, opts: { broker: string; live?: boolean; confirm?: string; risk?: string }) =>
        (await import('./trade-decision.js')).tradeCommand(ctx.io, ctx.globals(), label, opts),
      ),
    );
}
