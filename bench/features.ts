/**
 * npm run bench:features — the core_v1 feature set over 500 symbols x 10 years of daily bars
 * (about 1.26 M rows), beside the same computations in pandas (bench/features_pandas.py, run
 * with Debian's python3-pandas) on the same CSV in the same run. Both times include reading
 * the CSV. Prints medians.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseIsoDate } from '../src/data/calendar/civil-date.js';
import { nyseSessions } from '../src/data/calendar/nyse.js';
import { computeFeatureSet, crossSectional, featureSetSchema } from '../src/features/feature-set.js';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { median } from './stats.js';

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function writeBars(path: string): number {
  const sessions = nyseSessions(parseIsoDate('2010-01-04'), parseIsoDate('2019-12-31'));
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const lines = ['symbol,date,open,high,low,close,volume'];
  for (let s = 0; s < SYMBOLS; s++) {
    let price = 20 + 100 * rand();
    for (const date of sessions) {
      const open = price;
      price = Math.max(1, price * (1 + (rand() - 0.5) * 0.04));
      lines.push(
        `S${String(s).padStart(4, '0')},${date},${open.toFixed(4)},${(Math.max(open, price) * (1 + rand() * 0.01)).toFixed(4)},${(Math.min(open, price) * (1 - rand() * 0.01)).toFixed(4)},${price.toFixed(4)},${Math.floor(1e5 + rand() * 1e6)}`,
      );
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

function ours(path: string): { seconds: number; rows: number; columns: number } {
  const t0 = performance.now();
  // The shipped features target's config: the set itself beside where the target reads its bars.
  const {
    from: _from,
    adjust: _adjust,
    ...fields
  } = parse(readFileSync(join(quantoPackageRoot(), 'configs', 'features', 'core_v1.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const set = featureSetSchema.parse(fields);
  const lines = readFileSync(path, 'utf8').split('\n');
  const n = lines.length - 2;
  const columns = computeFeatureSet(set, { open: [], high: [], low: [], close: [], volume: [] }).columns;
  // Column-major, as a column store would hold them: one Float64Array per feature column.
  const out = columns.map(() => new Float64Array(n));
  const dates: string[] = new Array<string>(n);
  let i = 1;
  let row = 0;
  while (i < lines.length && lines[i]) {
    const symbol = lines[i]!.slice(0, lines[i]!.indexOf(','));
    const start = i;
    while (i < lines.length && lines[i] && lines[i]!.startsWith(`${symbol},`)) i++;
    const m = i - start;
    const bars = {
      open: new Array<number>(m),
      high: new Array<number>(m),
      low: new Array<number>(m),
      close: new Array<number>(m),
      volume: new Array<number>(m),
    };
    for (let k = 0; k < m; k++) {
      const f = lines[start + k]!.split(',');
      dates[row + k] = f[1]!;
      bars.open[k] = +f[2]!;
      bars.high[k] = +f[3]!;
      bars.low[k] = +f[4]!;
      bars.close[k] = +f[5]!;
      bars.volume[k] = +f[6]!;
    }
    const result = computeFeatureSet(set, bars);
    result.values.forEach((v, c) => out[c]!.set(v, row));
    row += m;
  }
  const cs = crossSectional(set, dates, (name) => out[columns.indexOf(name)]!);
  return { seconds: (performance.now() - t0) / 1000, rows: row, columns: columns.length + cs.length };
}

function pandas(path: string): { seconds: number; rows: number; columns: number } | undefined {
  const r = spawnSync('/usr/bin/python3', [join(quantoPackageRoot(), 'bench', 'features_pandas.py'), path], {
    encoding: 'utf8',
    maxBuffer: 1e7,
  });
  if (r.status !== 0) {
    console.log(`pandas: not available (${(r.stderr || '').trim().split('\n').pop()}); apt-get install python3-pandas`);
    return undefined;
  }
  return JSON.parse(r.stdout) as { seconds: number; rows: number; columns: number };
}

const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-features-'));
try {
  const path = join(dir, 'bars.csv');
  const rows = writeBars(path);
  const q: number[] = [];
  const p: number[] = [];
  let shape = '';
  for (let r = 0; r < RUNS; r++) {
    const a = ours(path);
    q.push(a.seconds);
    shape = `${a.rows.toLocaleString('en-US')} rows x ${a.columns} columns`;
    const b = pandas(path);
    if (b) p.push(b.seconds);
  }
  console.log(
    `features benchmark: core_v1 over ${SYMBOLS} symbols x 10 years (${rows.toLocaleString('en-US')} bars, ${shape}), read + compute, median of ${RUNS}`,
  );
  console.log('');
  console.log('| implementation | seconds |');
  console.log('|---|---|');
  console.log(`| quanto (TypeScript, one thread) | ${median(q).toFixed(2)} |`);
  if (p.length)
    console.log(
      `| pandas ${spawnSync('/usr/bin/python3', ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' }).stdout.trim()} (same computations) | ${median(p).toFixed(2)} |`,
    );
  console.log('');
  if (p.length) console.log(`quanto is ${(median(p) / median(q)).toFixed(1)}x pandas; target >= 3x and < 10 s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
