import type { CorporateAction } from '../schemas/reference.js';

export interface DailyBarRequest {
  /** Upper-case tickers; undefined: every symbol the vendor has. */
  symbols?: string[];
  /** Inclusive ISO dates; undefined: all history. */
  start?: string;
  end?: string;
}

export interface FetchReport {
  rows: number;
  symbols: string[];
  /** What was read or fetched, without secrets: file names and digests, or URLs. */
  sources: { name: string; digest?: string }[];
}

/**
 * A source of daily bars and corporate actions. Every adapter writes the same raw shard
 * format (schemas/equity-bars.ts RAW_BAR_HEADER), so canonicalize reads them all one way.
 */
export interface BarVendor {
  readonly name: string;
  /** Environment variables it needs (never their values). */
  readonly requiredEnv: readonly string[];
  writeDailyBars(request: DailyBarRequest, outPath: string): Promise<FetchReport>;
  corporateActions(symbols: string[] | undefined): Promise<CorporateAction[]>;
}

