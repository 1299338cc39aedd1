import { createReadStream, createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { RAW_BAR_HEADER } from '../schemas/equity-bars.js';
import type { CorporateAction } from '../schemas/reference.js';
import type { BarVendor, DailyBarRequest, FetchReport } from './vendor.js';

/**
 * The embedded default vendor: the real daily prices shipped in data/sample (see its
 * NOTICE.md), served through the vendor interface with no network and no key.
 */
export const EMBEDDED_DATASETS = {
  spx_daily: 'spx_daily_ohlcv_2000_2020.csv',
  dow30_close: 'dow30_daily_close_1991_2000.csv',
  msft_sunw: 'msft_sunw_daily_ohlcv_2000_2004.csv',
  sp500_members_2001h2: 'sp500_members_daily_close_2001h2.csv',
} as const;

export type EmbeddedDataset = keyof typeof EMBEDDED_DATASETS;

/** The one real corporate action in the sample data (see data/sample/NOTICE.md). */
export const EMBEDDED_CORPORATE_ACTIONS: CorporateAction[] = [{ kind: 'split', symbol: 'MSFT', ex_date: '2003-02-18', ratio: 2 }];

const SAMPLE_HEADER = 'symbol,date,open,high,low,close,volume';

export class EmbeddedVendor implements BarVendor {
  readonly name = 'embedded';
  readonly requiredEnv = [] as const;

  /** `files`: the sample files this vendor may read, by absolute path. */
  constructor(private readonly files: readonly string[]) {}

  async writeDailyBars(request: DailyBarRequest, outPath: string): Promise<FetchReport> {
    const wanted = request.symbols ? new Set(request.symbols) : undefined;
    const out = createWriteStream(outPath);
    out.write(`${RAW_BAR_HEADER.join(',')}\n`);
    let rows = 0;
    const symbols = new Set<string>();
    for (const file of [...this.files].sort()) {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      let header = true;
      for await (const line of lines) {
        if (header) {
          if (line !== SAMPLE_HEADER) throw new Error(`${basename(file)}:1: expected the sample header '${SAMPLE_HEADER}', found '${line}'`);
          header = false;
          continue;
        }
        if (line === '') continue;
        const comma = line.indexOf(',');
        const symbol = line.slice(0, comma);
        if (wanted && !wanted.has(symbol)) continue;
        const date = line.slice(comma + 1, comma + 11);
        if ((request.start && date < request.start) || (request.end && date > request.end)) continue;
        // Same columns, in the raw format: vwap and trades are not in the sample.
        if (!out.write(`${line},,\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
        rows += 1;
        symbols.add(symbol);
      }
    }
    out.end();
    await finished(out);
    return { rows, symbols: [...symbols].sort(), sources: this.files.map((f) => ({ name: basename(f) })).sort((a, b) => (a.name < b.name ? -1 : 1)) };
  }

  async corporateActions(symbols: string[] | undefined): Promise<CorporateAction[]> {
    return EMBEDDED_CORPORATE_ACTIONS.filter((a) => !symbols || symbols.includes(a.symbol));
  }
}
