import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTearsheet } from '../../src/reports/tearsheet.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

const PLOTS = ['equity', 'drawdown', 'rolling_sharpe', 'monthly_returns', 'exposure'];

function findChromium(): string | null {
  for (const bin of ['chromium', 'chromium-browser', 'google-chrome']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0) return bin;
  }
  return null;
}

function sample() {
  const dates = Array.from({ length: 400 }, (_, t) => new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10));
  const equity = dates.map((_, t) => 100 * (1 + 0.001 * t + 0.05 * Math.sin(t / 15)));
  return renderTearsheet({
    title: 'a <test> & tearsheet',
    dates,
    equity,
    benchmark: { name: 'index', values: dates.map((_, t) => 50 + t * 0.02) },
    grossExposure: dates.map(() => 1),
    netExposure: dates.map((_, t) => (t % 50 < 25 ? 1 : 0.5)),
    metrics: [
      { label: 'Sharpe', value: 1.2346, benchmark: 0.5, as: 'ratio' },
      { label: 'Hit rate', value: Number.NaN, as: 'percent' },
    ],
    notes: ['period note'],
    periodsPerYear: 252,
    rollingWindow: 63,
  });
}

describe('tearsheet', () => {
  it('is one self-contained HTML file: inline SVG plots, the metrics table, no scripts or outside references, same bytes every time', () => {
    const html = sample();
    for (const id of PLOTS) expect(html).toContain(`<svg id="${id}"`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link|<img/);
    expect(html).toContain('a &lt;test&gt; &amp; tearsheet');
    expect(html).toContain('<td>1.235</td><td>0.500</td>');
    expect(html).toContain('<td>–</td>'); // NaN shows as a dash, not "NaN%"
    expect(sample()).toBe(html);
  });
});

const chromium = findChromium();
if (!chromium)
  console.warn(
    'tearsheet rendering test skipped: no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)',
  );

describe.skipIf(!chromium)('tearsheet rendered in headless Chromium', () => {
  let cache: string;
  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'quanto-tearsheet-'));
    process.env.QUANTO_CACHE_DIR = cache;
    const r = await runCli(['-C', REPO_ROOT, 'build', '--jobs', '0', '//backtests/spx_sma_crossover']);
    if (r.code !== 0) throw new Error(r.out + r.err);
  }, 120_000);
  afterAll(() => {
    delete process.env.QUANTO_CACHE_DIR;
    rmSync(cache, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    spawnSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', ...args], {
      encoding: 'buffer',
      timeout: 60_000,
    });

  it('the backtest tearsheet renders: the screenshot is not blank and every plot is drawn', () => {
    const page = `file://${join(cache, 'out', 'backtests', 'spx_sma_crossover', 'tearsheet.html')}`;
    const dom = run(['--dump-dom', page]).stdout.toString('utf8');
    for (const id of PLOTS)
      expect(dom).toMatch(
        new RegExp(`<svg id="${id}"[^>]*>.*?(<path class="series"[^>]* d="M[^"]{200,}"|<rect class="cell")`, 's'),
      );

    const png = join(cache, 'tearsheet.png');
    const shot = run([`--screenshot=${png}`, '--window-size=1000,2200', page]);
    expect(shot.status, shot.stderr.toString()).toBe(0);
    const image = PNG.sync.read(readFileSync(png));
    let inked = 0;
    let strategyBlue = 0;
    let drawdownRed = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
      if (r < 240 || g < 240 || b < 240) inked++;
      if (Math.abs(r - 0x1f) < 30 && Math.abs(g - 0x5f) < 30 && Math.abs(b - 0xbf) < 30) strategyBlue++;
      if (Math.abs(r - 0xc0) < 30 && Math.abs(g - 0x39) < 30 && Math.abs(b - 0x2b) < 30) drawdownRed++;
    }
    const pixels = image.width * image.height;
    expect(inked / pixels).toBeGreaterThan(0.02);
    expect(strategyBlue).toBeGreaterThan(500); // the equity line
    expect(drawdownRed).toBeGreaterThan(500); // the drawdown line
  }, 120_000);
});
