import { SURFACE_COLUMNS, type SurfaceRow } from './options-surface.js';

/**
 * Choosing which surface features a set publishes. A chain that rarely supports a feature (few
 * far-from-the-money strikes, so no 25-delta point) would leave a mostly empty column; a dense
 * set names only the features its chains support, and the build checks that they do.
 */
export const SURFACE_FEATURES = [
  'ivx',
  'skew_25d',
  'term_slope',
  'total_oi',
  'total_volume',
  'put_call_oi',
  'put_call_volume',
  'iv_rank',
  'iv_percentile',
] as const;

export type SurfaceFeature = (typeof SURFACE_FEATURES)[number];
type SurfaceColumn = (typeof SURFACE_COLUMNS)[number];

const COVERAGE_FLAG: Partial<Record<SurfaceFeature, SurfaceColumn>> = {
  ivx: 'ivx_coverage',
  skew_25d: 'skew_coverage',
  term_slope: 'term_coverage',
  iv_rank: 'rank_coverage',
  iv_percentile: 'rank_coverage',
};

/** The published columns: the chosen features and their coverage flags, in the canonical order. */
export function selectedColumns(features: readonly SurfaceFeature[]): SurfaceColumn[] {
  const wanted = new Set<SurfaceColumn>(features);
  for (const f of features) {
    const flag = COVERAGE_FLAG[f];
    if (flag) wanted.add(flag);
  }
  return SURFACE_COLUMNS.filter((c) => wanted.has(c));
}

/**
 * Features whose share of days with a value is below minCoverage. IV rank and percentile are
 * measured only once their window can be full, so a warm-up is not counted as missing.
 */
export function coverageShortfalls(
  rows: readonly SurfaceRow[],
  features: readonly SurfaceFeature[],
  minCoverage: number,
  rankWindow: number,
): { feature: SurfaceFeature; coverage: number }[] {
  const shortfalls: { feature: SurfaceFeature; coverage: number }[] = [];
  for (const feature of features) {
    const measured = feature === 'iv_rank' || feature === 'iv_percentile' ? rows.slice(rankWindow - 1) : rows;
    if (measured.length === 0) continue;
    const coverage = measured.filter((r) => !Number.isNaN(r[feature])).length / measured.length;
    if (coverage < minCoverage) shortfalls.push({ feature, coverage });
  }
  return shortfalls;
}
