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
