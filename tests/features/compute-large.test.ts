import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/workspace.js';

const SYMBOLS = 500;
const SESSIONS = 2520; // ten years of daily bars

/** 500 symbols × 10 years of seeded random-walk daily bars, as one CSV of about 75 MB. */
function writeBarsCsv(path: string): void {
  const fd = openSync(path, 'w');
  let state = 12345;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  const dates: string[] = [];
  for (let day = Date.UTC(2010, 0, 4); dates.length < SESSIONS; day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) dates.push(new Date(day).toISOString().slice(0, 10));
  }
  let chunk = 'symbol,date,open,high,low,close,volume\n';
  for (let s = 0; s < SYMBOLS; s++) {
    const symbol = `S${String(s).padStart(3, '0')}`;
    let close = 50 + 100 * random();
    for (const date of dates) {
      const open = close * (1 + (random() - 0.5) * 0.01);
      close = open * (1 + (random() - 0.5) * 0.04);
      const high = Math.max(open, close) * (1 + random() * 0.01);
      const low = Math.min(open, close) * (1 - random() * 0.01);
      chunk += `${symbol},${date},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${close.toFixed(4)},${Math.floor(1e5 + random() * 1e6)}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/**
 * quanto features compute at the size a researcher's universe reaches (1.26 M rows): it used to
 * build its output as one string and die with "Invalid string length" at 2.6 GB. It now streams
 * its output and keeps rows as numbers, and must stay under 1 GB resident.
 */
describe('quanto features compute on 500 symbols × 10 years', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quanto-features-large-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('computes the shipped core_v1 set over 1.26 M rows with a peak resident size under 1 GB', () => {
    const input = join(dir, 'bars.csv');
    const out = join(dir, 'features.csv');
    writeBarsCsv(input);
    expect(statSync(input).size).toBeGreaterThan(60e6);
    // In a child, so its peak memory is its own; it reports the peak at the end.
    const script = `
      const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))});
      const code = await main(process.argv.slice(1));
      process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n');
      process.exit(code);`;
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script,
        '--',
        'features',
        'compute',
        '--set',
        join(REPO_ROOT, 'configs', 'features', 'core_v1.yaml'),
        '--input',
        input,
        '--out',
        out,
      ],
      { encoding: 'utf8', cwd: dir, env: { ...process.env, CI: 'true' } },
    );
    expect(r.stderr).toMatch(/features compute: core_v1 v1, \d+ columns for 500 symbol\(s\), 1260000 rows/);
    expect(r.status).toBe(0);
    const maxRssKiB = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]);
    expect(maxRssKiB).toBeGreaterThan(0);
    console.log(`peak resident ${Math.round(maxRssKiB / 1024)} MiB`);
    expect(maxRssKiB * 1024).toBeLessThan(1024 ** 3);
    const lines = spawnSync('wc', ['-l', out], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
    expect(Number(lines)).toBe(SYMBOLS * SESSIONS + 1);
  }, 600_000);
});
