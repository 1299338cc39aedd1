import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/**
 * The holdout ledger: one JSON line per evaluation that read an out-of-sample reserve, appended
 * by the engine when such an action is built (a cache hit is the same evaluation, not a new
 * one; a verify rebuild is not an evaluation at all). It lives in the workspace (ledger/
 * holdout.jsonl, meant to be committed), so trials are counted across machines and cache wipes;
 * rules that judge significance read it as a declared source, so a new trial changes their key.
 */
export const holdoutEntrySchema = z
  .object({
    /** The experiment family: trials of one idea, whose count deflates each one's Sharpe ratio. */
    family: z.string().min(1),
    target: z.string().startsWith('//'),
    key: z.string().regex(/^[0-9a-f]{64}$/),
    outputs_digest: z.string().regex(/^[0-9a-f]{64}$/),
    recorded_at: z.string(),
  })
  .catchall(z.union([z.string(), z.number(), z.null()]));

export type HoldoutEntry = z.infer<typeof holdoutEntrySchema>;

/** What a rule reports when its action read a reserve: the family, and numbers worth keeping per trial. */
export interface HoldoutUse {
  family: string;
  record?: Record<string, string | number | null>;
}

export function appendHoldoutEntry(file: string, entry: HoldoutEntry): void {
  mkdirSync(dirname(file), { recursive: true });
  // One write of one line with O_APPEND: concurrent appenders interleave whole lines.
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The ledger's entries; a malformed line is an error naming the file and line. */
export function readHoldoutLedger(file: string): HoldoutEntry[] {
  if (!existsSync(file)) return [];
  const entries: HoldoutEntry[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ConfigError(
          `${file}:${i + 1}: not a JSON line; the holdout ledger is append-only JSONL (restore it from version control)`,
        );
      }
      const r = holdoutEntrySchema.safeParse(parsed);
      if (!r.success)
        throw new ConfigError(
          `${file}:${i + 1}: not a holdout entry (${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')})`,
        );
      entries.push(r.data);
    });
  return entries;
}

/** The distinct trials of a family (by action key: rebuilding one variant is not a new trial), in ledger order. */
export function trialsOf(entries: readonly HoldoutEntry[], family: string): HoldoutEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => e.family === family && !seen.has(e.key) && seen.add(e.key));
}
