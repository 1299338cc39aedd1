import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/data/health/data-health.js';
import { dataCoveragePlot, equityPlot, trainingCurvePlot } from '../../src/reports/monitoring-plots.js';

const field = (coverage: number) => ({
  present: Math.round(coverage * 100),
  missing: 100 - Math.round(coverage * 100),
  nan: 0,
  coverage,
});
const health: HealthReport = {
  exchange: 'XNYS',
  calendar: 'per_symbol',
  window: null,
  symbols: {
    AAA: {
      first: '2020-01-02',
      last: '2020-06-30',
      expected_sessions: 100,
      rows: 100,
      fields: { close: field(1), volume: field(0.4) },
    },
    BBB: {
      first: '2020-01-02',
      last: '2020-06-30',
      expected_sessions: 100,
      rows: 100,
      fields: { close: field(0.99), volume: field(1) },
    },
  },
  breaches: [{ symbol: 'AAA', field: 'volume', missing_ratio: 0.6 }],
  passed: true,
};

const bars = (svg: string) =>
  [
    ...svg.matchAll(
      /<g class="bar" data-label="([^"]+)" data-value="([^"]+)">.*?<rect [^>]*width="([^"]+)"[^>]*fill="([^"]+)"/g,
    ),
  ].map((m) => ({ label: m[1], value: Number(m[2]), width: Number(m[3]), fill: m[4] }));

describe('monitoring plots', () => {
  it('data coverage: each symbol by its worst field, worst first, breaches in red, bars to scale', () => {
    const svg = dataCoveragePlot(health);
    const rows = bars(svg);
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ['AAA (volume)', 0.4],
      ['BBB (close)', 0.99],
    ]);
    expect(rows[0]!.fill).toBe('#c0392b');
    expect(rows[1]!.fill).not.toBe('#c0392b');
    expect(rows[0]!.width / rows[1]!.width).toBeCloseTo(0.4 / 0.99, 2);
    expect(svg).toContain('40.0%');
  });

  it('training curves: one series per experiment, gaps where a run had fewer iterations', () => {
    const svg = trainingCurvePlot('episode_reward', [
      { label: '//experiments/a', rows: [{ episode_reward: 1 }, { episode_reward: 2 }, { episode_reward: 3 }] },
      { label: '//experiments/b', rows: [{ episode_reward: 5 }] },
    ]);
    const paths = [...svg.matchAll(/data-series="([^"]+)" d="([^"]*)"/g)].map((m) => ({
      name: m[1],
      points: m[2]!.split(/[ML]/).filter(Boolean).length,
    }));
    expect(paths).toEqual([
      { name: 'a', points: 3 },
      { name: 'b', points: 1 },
    ]);
    expect(svg).toContain('iteration 3');
  });

  it('equity: rebased to 1 over the union of dates; a curve absent on a date leaves a gap', () => {
    const svg = equityPlot([
      { label: '//backtests/x', dates: ['2020-01-02', '2020-01-03', '2020-01-06'], equity: [200, 220, 180] },
      { label: '//experiments/y', dates: ['2020-01-03', '2020-01-06'], equity: [50, 60] },
    ]);
    expect(svg).toContain('2020-01-02');
    // Both start at 1 after rebasing: the y axis spans 0.9 (x's low) to 1.2 (y's high).
    expect(svg).toContain('>0.900<');
    expect(svg).toContain('>1.20<');
    const y = [...svg.matchAll(/data-series="y" d="([^"]*)"/g)][0]![1]!;
    expect(y.split(/[ML]/).filter(Boolean)).toHaveLength(2);
    expect(y.startsWith('M')).toBe(true);
  });
});
