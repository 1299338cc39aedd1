import { readFileSync } from 'node:fs';
import type { TargetName } from '../engine/pipeline/label.js';
import type { Session } from '../engine/session.js';

/**
 * The table `quanto exp show` prints: one row per built target that wrote metrics, from the
 * cache alone (the latest build's manifest for the params, its metrics file for the numbers).
 * A target has metrics when its outputs hold `metrics.json` or `evaluation/metrics.json` with a
 * `metrics` object, as backtests and experiments write them, and any user rule may.
 */
export const METRICS_FILES = ['metrics.json', 'evaluation/metrics.json'] as const;

export type ParamValue = string | number | boolean | null;

export interface ExperimentRow {
  label: string;
  rule: string;
  key: string;
  /** The validated config, flattened to dotted keys (lists as JSON text). */
  params: Record<string, ParamValue>;
  metrics: Record<string, number | null>;
}

/** The rows of the named targets that were built and wrote metrics; the others by reason. */
export function experimentRows(
  session: Session,
  names: readonly TargetName[],
): { rows: ExperimentRow[]; skipped: { label: string; why: string }[] } {
  const rows: ExperimentRow[] = [];
  const skipped: { label: string; why: string }[] = [];
  for (const name of names) {
    const label = `//${name}`;
    const state = session.state.get(label);
    const file = state && METRICS_FILES.find((f) => f in state.outputs);
    if (!state) {
      skipped.push({ label, why: `not built (quanto build ${label})` });
      continue;
    }
    if (!file) {
      skipped.push({ label, why: 'writes no metrics.json' });
      continue;
    }
    const manifest = session.actionCache.get(state.key);
    let metrics: Record<string, number | null>;
    try {
      const parsed = JSON.parse(readFileSync(session.cas.pathOf(state.outputs[file]!.digest), 'utf8')) as {
        metrics?: Record<string, unknown>;
      };
      metrics = numbersOf(parsed.metrics ?? {});
    } catch {
      skipped.push({ label, why: `its ${file} is gone from the cache (quanto build ${label})` });
      continue;
    }
    rows.push({
      label,
      rule: session.graph.spec(name).rule,
      key: state.key,
      params: manifest ? flattenParams(manifest.record.config) : {},
      metrics,
    });
  }
  return { rows, skipped };
}

function numbersOf(o: Record<string, unknown>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' || v === null) out[k] = v;
  return out;
}

/** A config as dotted keys → scalars; a list is one value (its JSON), as DVC shows params. */
export function flattenParams(
  value: unknown,
  prefix = '',
  out: Record<string, ParamValue> = {},
): Record<string, ParamValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort())
      flattenParams((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key, out);
  } else if (Array.isArray(value)) out[prefix] = JSON.stringify(value);
  else if (value === undefined) return out;
  else out[prefix] = value as ParamValue;
  return out;
}

/** The params whose value is not the same in every row (a param absent from a row counts as differing). */
export function differingParams(rows: readonly ExperimentRow[]): string[] {
  const names = new Set(rows.flatMap((r) => Object.keys(r.params)));
  return [...names].filter((name) => new Set(rows.map((r) => JSON.stringify(r.params[name] ?? null))).size > 1).sort();
}
