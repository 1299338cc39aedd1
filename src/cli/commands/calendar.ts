import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { parseIsoDate } from '../../data/calendar/civil-date.js';
import { exchangeCalendar } from '../../data/calendar/exchange-calendar.js';
import { ConfigError } from '../../engine/errors.js';
import type { CliIO } from '../io.js';

/**
 * quanto calendar sessions --exchange XNYS --start D --end D [--early-closes]: one ISO date per
 * line and nothing else on stdout (a contract other tools rely on); with --early-closes, each
 * early-close date and its closing time, local to the exchange.
 */
export async function calendarSessionsCommand(
  io: CliIO,
  opts: { exchange: string; start: string; end: string; earlyCloses?: boolean },
): Promise<number> {
  let calendar;
  let start;
  let end;
  try {
    calendar = exchangeCalendar(opts.exchange);
    start = parseIsoDate(opts.start);
    end = parseIsoDate(opts.end);
    const lines = opts.earlyCloses
      ? calendar.earlyCloses(start, end).map((e) => `${e.date} ${e.close}`)
      : calendar.sessions(start, end);
    if (lines.length > 0) io.out(lines.join('\n'));
    return 0;
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError(`calendar: ${err.message}`);
    throw err;
  }
}

/** Registers `quanto calendar sessions`. */
export function registerCalendarCommand(program: Command, ctx: CommandContext): void {
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
      ctx.run((opts: { exchange: string; start: string; end: string; earlyCloses?: boolean }) =>
        calendarSessionsCommand(ctx.io, opts),
      ),
    );
}
