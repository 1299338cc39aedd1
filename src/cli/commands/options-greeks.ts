import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { writeFileSync } from 'node:fs';
import { blackScholes } from '../../options/black-scholes.js';
import { impliedVol } from '../../options/implied-vol.js';
import { ConfigError } from '../../engine/errors.js';
import { formatCell, numberCell, readCsv } from '../csv-io.js';
import type { CliIO } from '../io.js';

const INPUT = ['type', 'spot', 'strike', 't_years', 'rate', 'div_yield', 'vol'] as const;

/**
 * quanto options greeks --input IN.csv --out OUT.csv: Black-Scholes-Merton price and Greeks
 * (QuantLib's units: vega and rho per 1.00, theta per year) for each row, and the implied
 * volatility where a price column is given (empty where the price does not pin it down).
 */
export async function optionsGreeksCommand(io: CliIO, opts: { input: string; out: string }): Promise<number> {
  const { header, rows, lines: rowLines, col } = readCsv(opts.input, INPUT);
  const hasPrice = header.includes('price');
  const outHeader = [
    ...INPUT,
    ...(hasPrice ? ['market_price'] : []),
    'price',
    'delta',
    'gamma',
    'vega',
    'theta',
    'rho',
    ...(hasPrice ? ['implied_vol'] : []),
  ];
  const lines = [outHeader.join(',')];
  let refused = 0;
  rows.forEach((row, i) => {
    const line = rowLines[i]!;
    const type = row[col('type')]?.trim();
    if (type !== 'call' && type !== 'put')
      throw new ConfigError(`${opts.input}:${line}: column type: '${type ?? ''}' is not call or put`);
    const [spot, strike, t, rate, divYield, vol] = INPUT.slice(1).map((c) =>
      numberCell(opts.input, line, c, row[col(c)]),
    );
    const option = { type, spot: spot!, strike: strike!, t: t!, rate: rate!, divYield: divYield! } as const;
    let g;
    try {
      g = blackScholes({ ...option, vol: vol! });
    } catch (err) {
      throw new ConfigError(`${opts.input}:${line}: ${(err as Error).message}`);
    }
    const cells: (number | string)[] = [type, spot!, strike!, t!, rate!, divYield!, vol!];
    let iv: number | string = '';
    if (hasPrice) {
      const market = numberCell(opts.input, line, 'price', row[col('price')]);
      cells.push(market);
      const r = impliedVol(option, market);
      if (r.ok) iv = r.vol;
      else refused += 1;
    }
    cells.push(g.price, g.delta, g.gamma, g.vega, g.theta, g.rho);
    if (hasPrice) cells.push(iv);
    lines.push(cells.map(formatCell).join(','));
  });
  writeFileSync(opts.out, `${lines.join('\n')}\n`);
  io.err(
    `quanto options greeks: ${rows.length} rows → ${opts.out}${hasPrice ? `; implied vol left empty in ${refused} row(s) whose price does not determine it` : ''}`,
  );
  return 0;
}

/** Registers `quanto options`. */
export function registerOptionsGreeksCommand(program: Command, ctx: CommandContext): void {
  program
    .command('options')
    .description('option analytics for ad-hoc use')
    .command('greeks')
    .description('Black-Scholes-Merton price and Greeks per row, and implied vol where a price is given')
    .requiredOption('--input <file>', 'CSV: type,spot,strike,t_years,rate,div_yield,vol[,price]')
    .requiredOption('--out <file>', 'output CSV')
    .action(ctx.run((opts: { input: string; out: string }) => optionsGreeksCommand(ctx.io, opts)));
}
