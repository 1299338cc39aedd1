import { join } from 'node:path';
import { z } from 'zod';
import { openDuckDb, queryRows, sqlString } from '../data/store/duckdb.js';
import { writeRowsAsPartitionedParquet } from '../data/store/partitioned-writer.js';
import { forwardReturn, labelSchema, tripleBarrier } from './labels.js';

/** The fields of a label set: a labels target's config is these plus where it reads from. */
export const labelSetShape = {
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  version: z.number().int().min(1),
  labels: z.array(labelSchema).min(1),
};

export const labelSetSchema = z.object(labelSetShape).strict();

export type LabelSet = z.infer<typeof labelSetSchema>;

/** The columns a label produces: triple-barrier labels keep their touch date (t1, for purging) and return. */
export function labelColumns(set: LabelSet): string[] {
  return set.labels.flatMap((l) =>
    l.kind === 'triple_barrier' ? [l.name, `${l.name}_t1`, `${l.name}_ret`] : [l.name],
  );
}

/** A label set over a canonical bar store (split-adjusted closes), as Parquet by symbol and year. */
export async function buildLabels(
  storeDir: string,
  set: LabelSet,
  outDir: string,
  writers: number,
): Promise<{ rows: number; columns: string[] }> {
  const { connection: db, close } = await openDuckDb(2);
  try {
    const bars = await queryRows<{ symbol: string; date: string; close: number }>(
      db,
      `SELECT symbol, strftime(date, '%Y-%m-%d') AS date, close * split_factor AS close
       FROM read_parquet(${sqlString(join(storeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'symbol': VARCHAR, 'year': INTEGER})
       ORDER BY symbol, date`,
    );
    const columns = labelColumns(set);
    const lines: string[] = [];
    for (let start = 0; start < bars.length;) {
      let end = start;
      while (end < bars.length && bars[end]!.symbol === bars[start]!.symbol) end++;
      const rows = bars.slice(start, end);
      const close = rows.map((r) => Number(r.close));
      const values: (number | string)[][] = [];
      for (const l of set.labels) {
        if (l.kind === 'forward_return') values.push(forwardReturn(close, l.horizon));
        else {
          const tb = tripleBarrier(close, l);
          values.push(
            tb.label,
            tb.t1.map((j) => (Number.isNaN(j) ? '' : rows[j]!.date)),
            tb.ret,
          );
        }
      }
      rows.forEach((r, i) =>
        lines.push(
          [
            r.symbol,
            r.date,
            ...values.map((v) => (typeof v[i] === 'number' && Number.isNaN(v[i]) ? '' : String(v[i]))),
          ].join(','),
        ),
      );
      start = end;
    }
    const types = columns.map((c) => [c, c.endsWith('_t1') ? 'DATE' : 'DOUBLE'] as const);
    await writeRowsAsPartitionedParquet(
      db,
      { columns: [['symbol', 'VARCHAR'], ['date', 'DATE'], ...types], lines },
      join(outDir, 'labels'),
      writers,
    );
    return { rows: lines.length, columns };
  } finally {
    close();
  }
}
