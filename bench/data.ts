/**
 * npm run bench:data — canonicalize 5 million synthetic OHLCV rows from CSV into validated,
 * partitioned Parquet, beside a plain DuckDB COPY (read_csv, ORDER BY, to Parquet) of the same
 * file in the same run: the ceiling for work that reads and writes the same bytes.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseIsoDate } from '../src/data/calendar/civil-date.js';
import { nyseSessions } from '../src/data/calendar/nyse.js';
import { canonicalizeEquityBars } from '../src/data/canonicalize/equity-bars.js';
import { RAW_BAR_HEADER } from '../src/data/schemas/equity-bars.js';
import { openDuckDb, sqlString } from '../src/data/store/duckdb.js';
import { median } from './stats.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);

/** Seeded random-walk bars, symbol by symbol, over consecutive NYSE sessions: valid by construction. */
async function writeSyntheticCsv(path: string, rows: number): Promise<{ symbols: number }> {
  const sessions = nyseSessions(parseIsoDate('1990-01-02'), parseIsoDate('2029-12-31'));
  const perSymbol = Math.min(sessions.length, 5000);
  const symbols = Math.ceil(rows / perSymbol);
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const out = createWriteStream(path);
  out.write(`${RAW_BAR_HEADER.join(',')}\n`);
  let written = 0;
  for (let s = 0; s < symbols && written < rows; s++) {
    const symbol = `S${String(s).padStart(4, '0')}`;
    let price = 20 + 80 * rand();
    let chunk = '';
    for (let d = 0; d < perSymbol && written < rows; d++, written++) {
      const open = price;
      price = Math.max(1, price * (1 + (rand() - 0.5) * 0.04));
      const high = Math.max(open, price) * (1 + rand() * 0.01);
      const low = Math.min(open, price) * (1 - rand() * 0.01);
      chunk += `${symbol},${sessions[d]},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${price.toFixed(4)},${Math.floor(1e5 + rand() * 1e6)},,\n`;
    }
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  return { symbols };
}

async function plainDuckDbCopy(csv: string, outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const { connection, close } = await openDuckDb(THREADS);
  try {
    await connection.run(
      `COPY (SELECT * FROM read_csv(${sqlString(csv)}, header = true) ORDER BY symbol, ts) TO ${sqlString(join(outDir, 'plain.parquet'))} (FORMAT PARQUET, COMPRESSION ZSTD)`,
    );
  } finally {
    close();
  }
}

/** The same plain copy into the same symbol/year layout, on the one thread determinism needs. */
async function plainPartitionedCopy(csv: string, outDir: string): Promise<void> {
  const { connection, close } = await openDuckDb(1);
  try {
    await connection.run(
      `COPY (SELECT *, year(CAST(ts AS DATE)) AS year FROM read_csv(${sqlString(csv)}, header = true) ORDER BY symbol, ts)
       TO ${sqlString(join(outDir, 'partitioned'))} (FORMAT PARQUET, PARTITION_BY (symbol, year), COMPRESSION ZSTD, OVERWRITE_OR_IGNORE)`,
    );
  } finally {
    close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-data-'));
  try {
    const csv = join(dir, 'bars.csv');
    const { symbols } = await writeSyntheticCsv(csv, ROWS);
    const ours: number[] = [];
    const plain: number[] = [];
    const partitioned: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      await plainDuckDbCopy(csv, join(dir, `plain-${r}`));
      plain.push((performance.now() - t) / 1000);
      t = performance.now();
      await plainPartitionedCopy(csv, join(dir, `plain-${r}`));
      partitioned.push((performance.now() - t) / 1000);
      t = performance.now();
      const report = await canonicalizeEquityBars({
        vendors: [{ vendor: 'synthetic', files: [{ path: csv, display: 'bars.csv' }] }],
        duplicates: 'fail',
        onInvalid: 'fail',
        exchange: 'XNYS',
        corporateActions: [],
        outDir: join(dir, `ours-${r}`),
        threads: THREADS,
      });
      ours.push((performance.now() - t) / 1000);
      if (report.rows_out !== ROWS) throw new Error(`canonicalize wrote ${report.rows_out} of ${ROWS} rows`);
      rmSync(join(dir, `ours-${r}`), { recursive: true, force: true });
      rmSync(join(dir, `plain-${r}`), { recursive: true, force: true });
    }
    const o = median(ours);
    const p = median(plain);
    console.log(
      `data benchmark: ${ROWS.toLocaleString('en-US')} synthetic OHLCV rows (${symbols} symbols) from one CSV, ${THREADS} threads, median of ${RUNS}`,
    );
    console.log('');
    console.log('| job | time | rows/s |');
    console.log('|---|---|---|');
    console.log(
      `| quanto canonicalize (validate, reconcile, adjust, partition by symbol/year) | ${o.toFixed(2)} s | ${Math.round(ROWS / o).toLocaleString('en-US')} |`,
    );
    console.log(
      `| plain DuckDB COPY (read_csv ORDER BY, one Parquet file) | ${p.toFixed(2)} s | ${Math.round(ROWS / p).toLocaleString('en-US')} |`,
    );
    const pp = median(partitioned);
    console.log(
      `| plain DuckDB COPY, same symbol/year partitions, 1 thread | ${pp.toFixed(2)} s | ${Math.round(ROWS / pp).toLocaleString('en-US')} |`,
    );
    console.log('');
    console.log(
      `quanto / plain DuckDB throughput: ${(p / o).toFixed(2)} (target >= 0.5; and 5M rows in < 20 s); quanto / partitioned plain copy: ${(pp / o).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
