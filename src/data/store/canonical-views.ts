import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The canonical tables under an output tree: every directory named like a table (equity_bars)
 * inside a target's outputs, as a SQL view name (target path with '/' → '_') and its glob.
 */
export const CANONICAL_TABLE_DIRS = ['equity_bars', 'features', 'labels'] as const;

export function findCanonicalTables(outRoot: string): { view: string; glob: string; target: string }[] {
  const found: { view: string; glob: string; target: string }[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) continue;
      // A table directory holds symbol=... partitions; a target path may use the same word.
      const isTable = (CANONICAL_TABLE_DIRS as readonly string[]).includes(name) && depth > 0 && readdirSync(path).some((n) => n.startsWith('symbol='));
      if (isTable) {
        const target = relative(outRoot, dir).split(sep).join('/');
        found.push({ view: target.replace(/[^A-Za-z0-9_]/g, '_'), glob: join(path, '**', '*.parquet'), target });
      } else if (!name.includes('=')) walk(path, depth + 1);
    }
  };
  walk(outRoot, 0);
  return found;
}
