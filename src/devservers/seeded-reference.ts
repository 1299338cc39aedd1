import { seededDailyBar } from './seeded-market.js';

/**
 * Reference data of the seeded market: tickers with listing histories, splits and dividends,
 * and option contracts (a strike grid around the seeded close), so that the reference servers
 * agree with the bar servers.
 */
export interface SeededTicker {
  ticker: string;
  name: string;
  type: 'CS' | 'ETF';
  primary_exchange: string;
  currency_name: string;
  list_date: string;
  delisted_utc?: string;
}

export const SEEDED_TICKERS: SeededTicker[] = [
  {
    ticker: 'AAPL',
    name: 'Apple Inc.',
    type: 'CS',
    primary_exchange: 'XNAS',
    currency_name: 'usd',
    list_date: '1980-12-12',
  },
  {
    ticker: 'GONE',
    name: 'Gone Holdings',
    type: 'CS',
    primary_exchange: 'XNYS',
    currency_name: 'usd',
    list_date: '1995-06-01',
    delisted_utc: '2021-06-30T00:00:00Z',
  },
  {
    ticker: 'MSFT',
    name: 'Microsoft Corp',
    type: 'CS',
    primary_exchange: 'XNAS',
    currency_name: 'usd',
    list_date: '1986-03-13',
  },
  {
    ticker: 'NEWCO',
    name: 'Newco Inc.',
    type: 'CS',
    primary_exchange: 'XNYS',
    currency_name: 'usd',
    list_date: '2022-09-15',
  },
  {
    ticker: 'SPY',
    name: 'SPDR S&P 500 ETF Trust',
    type: 'ETF',
    primary_exchange: 'ARCX',
    currency_name: 'usd',
    list_date: '1993-01-29',
  },
];

export const SEEDED_SPLITS = [
  { id: 'S1', ticker: 'AAPL', execution_date: '2020-08-31', split_from: 1, split_to: 4 },
  { id: 'S2', ticker: 'NEWCO', execution_date: '2023-05-01', split_from: 2, split_to: 1 },
];

/** Quarterly cash dividends on the first session of Feb, May, Aug and Nov. */
export function seededDividends(ticker: string, fromYear: number, toYear: number) {
  if (ticker !== 'MSFT' && ticker !== 'SPY') return [];
  const out = [];
  for (let y = fromYear; y <= toYear; y++) {
    for (const month of ['02', '05', '08', '11']) {
      out.push({
        id: `D-${ticker}-${y}${month}`,
        ticker,
        cash_amount: ticker === 'SPY' ? 1.5 : 0.62,
        currency: 'USD',
        ex_dividend_date: `${y}-${month}-15`,
        pay_date: `${y}-${month}-28`,
        dividend_type: 'CD',
        frequency: 4,
      });
    }
  }
  return out;
}

/** Third Friday of a month. */
function thirdFriday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const day = 1 + ((5 - first + 7) % 7) + 14;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** OCC-style contract ticker, as Polygon writes it: O:SPY240119C00450000. */
export function occTicker(underlying: string, expiry: string, right: 'C' | 'P', strike: number): string {
  return `O:${underlying}${expiry.slice(2, 4)}${expiry.slice(5, 7)}${expiry.slice(8, 10)}${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}

export function seededOptionContracts(seed: number, underlying: string, asOf: string) {
  const spot = seededDailyBar(seed, underlying, asOf).c;
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const contracts = [];
  for (let k = 1; k <= 2; k++) {
    const month = ((m - 1 + k) % 12) + 1;
    const year = y + Math.floor((m - 1 + k) / 12);
    const expiry = thirdFriday(year, month);
    for (let i = -2; i <= 2; i++) {
      const strike = Math.round(spot * (1 + i * 0.05));
      for (const right of ['C', 'P'] as const) {
        contracts.push({
          ticker: occTicker(underlying, expiry, right, strike),
          underlying_ticker: underlying,
          expiration_date: expiry,
          strike_price: strike,
          contract_type: right === 'C' ? 'call' : 'put',
          exercise_style: 'american',
          shares_per_contract: 100,
        });
      }
    }
  }
  return { spot, contracts };
}
