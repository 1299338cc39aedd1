import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/redis-server.js';
import { REPO_ROOT } from '../helpers/workspace.js';

/**
 * Every `npm run bench:*` the README quotes, run at a tiny size so CI proves each one still
 * works end to end and prints its table; the figures in the README come from full-size runs
 * by hand. (Timings are never asserted.)
 */
const TINY: Record<string, Record<string, string>> = {
  engine: { BENCH_LAYERS: '3', BENCH_WIDTH: '4', BENCH_RUNS: '1', BENCH_COLD_RUNS: '1', BENCH_HASH_MIB: '16' },
  watch: { BENCH_EDITS: '1', BENCH_FEATURES: '10' },
  data: { BENCH_ROWS: '20000', BENCH_RUNS: '1' },
  ingest: {
    BENCH_SYMBOLS: '3',
    BENCH_RUNS: '1',
    BENCH_FLAT_TICKERS: '20',
    BENCH_FLAT_START: '2023-01-02',
    BENCH_FLAT_END: '2023-01-13',
  },
  features: { BENCH_SYMBOLS: '3', BENCH_RUNS: '1' },
  backtest: { BENCH_RUNS: '1' },
  rl: { BENCH_RUNS: '1' },
  execution: {},
  matrix: { BENCH_RUNS: '1', BENCH_MATRIX_A: '3' },
  distributed: {
    BENCH_LAYERS: '2',
    BENCH_WIDTH: '3',
    BENCH_PARTITION_SYMBOLS: '2',
    BENCH_WORKERS: '1',
    BENCH_RUNS: '1',
  },
};

const scripts = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'bench', `${script}.js`)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    // A hung benchmark fails here with its output, instead of holding the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the benchmark scripts, at a tiny size', () => {
  it('every bench:* script in package.json is in the README and here', () => {
    const benches = Object.keys(scripts)
      .filter((s) => s.startsWith('bench:'))
      .map((s) => s.slice('bench:'.length))
      .sort();
    expect(benches).toEqual(Object.keys(TINY).sort());
    for (const b of benches) expect(README).toContain(`npm run bench:${b}`);
  });

  for (const [name, env] of Object.entries(TINY)) {
    const skip = name === 'distributed' && !hasRedisServer;
    it.skipIf(skip || !existsSync(join(REPO_ROOT, 'dist', 'bench', `${name}.js`)))(
      `bench:${name} runs to the end and prints its figures`,
      async () => {
        const r = await run(name, env);
        expect(r.code, r.out.slice(-3000)).toBe(0);
        expect(r.out).toMatch(/\d/);
      },
      300_000,
    );
  }
});
