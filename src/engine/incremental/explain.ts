import { canonicalJson } from '../keys/canonical-json.js';
import { currentKeys, UNKNOWN_OUTPUTS, type CurrentAction } from '../keys/current-keys.js';
import { planBuild } from '../scheduling/plan.js';
import type { Session } from '../session.js';

export interface RecordChange {
  /** Where in the key record, e.g. `config.window`, `rule.sources["rules/rsi.ts"]`, `deps["//raw/x"]`. */
  path: string;
  before: unknown;
  after: unknown;
}

export type Explanation =
  | { label: string; verdict: 'up-to-date'; key: string }
  | { label: string; verdict: 'never-built'; key: string }
  | {
      label: string;
      verdict: 'rebuild';
      key: string;
      previousKey: string;
      changes: RecordChange[];
      because: Explanation[];
    };

/**
 * Why an action would rebuild: the fields of its key record that differ from the record of
 * its last build. A dependency whose outputs are unknown (it is out of date itself) is
 * explained in turn, so the answer reaches the edit that started it.
 */
export async function explain(session: Session, labelText: string): Promise<Explanation[]> {
  const pattern = session.graph.resolveOne(labelText, 'explain');
  const plan = await planBuild(session, [labelText]);
  const current = currentKeys(session, plan);
  const target = plan.byName.get(pattern.name)!;
  const seen = new Set<string>();
  return target.actions.map((a) => explainAction(session, current, current.get(a.label)!, seen));
}

function explainAction(
  session: Session,
  all: Map<string, CurrentAction>,
  action: CurrentAction,
  seen: Set<string>,
): Explanation {
  seen.add(action.label);
  if (action.manifest) return { label: action.label, verdict: 'up-to-date', key: action.key };
  const lastKey = session.state.get(action.label)?.key;
  const previous = lastKey ? session.actionCache.get(lastKey) : undefined;
  if (!previous) return { label: action.label, verdict: 'never-built', key: action.key };
  const changes = diffValues(previous.record, action.record, '');
  const because: Explanation[] = [];
  for (const change of changes) {
    const dep = /^deps\["(.+)"\]$/.exec(change.path)?.[1];
    if (!dep || change.after !== UNKNOWN_OUTPUTS) continue;
    for (const candidate of all.values()) {
      if (`//${candidate.target}` === dep && !seen.has(candidate.label))
        because.push(explainAction(session, all, candidate, seen));
    }
  }
  return { label: action.label, verdict: 'rebuild', key: action.key, previousKey: previous.key, changes, because };
}

export function diffValues(before: unknown, after: unknown, path: string): RecordChange[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  // Arrays of the same length are compared element by element, so an edit inside a list (one
  // feature of a feature set) is named by its index rather than as the whole list.
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffValues(b, after[i], `${path || '(record)'}[${i}]`));
  }
  const bothObjects = isPlainObject(before) && isPlainObject(after);
  if (!bothObjects) return [{ path: path || '(record)', before, after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) => diffValues(before[k], after[k], joinPath(path, k)));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function joinPath(path: string, key: string): string {
  const simple = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
  if (!path) return simple ? key : `["${key}"]`;
  return simple ? `${path}.${key}` : `${path}["${key}"]`;
}

/** Renders an explanation for the terminal. */
export function formatExplanation(e: Explanation, indent = ''): string {
  switch (e.verdict) {
    case 'up-to-date':
      return `${indent}${e.label}: up to date (key ${e.key.slice(0, 12)})`;
    case 'never-built':
      return `${indent}${e.label}: would build: no earlier build of it is in the cache`;
    case 'rebuild': {
      const lines = [
        `${indent}${e.label}: would rebuild (key ${e.previousKey.slice(0, 12)} -> ${e.key.slice(0, 12)}) because:`,
      ];
      for (const c of e.changes) lines.push(`${indent}  ${c.path}: ${show(c.before)} -> ${show(c.after)}`);
      for (const sub of e.because) lines.push(formatExplanation(sub, `${indent}    `));
      return lines.join('\n');
    }
  }
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = typeof v === 'string' ? v : canonicalJson(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
