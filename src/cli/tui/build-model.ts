import { type ActionResult, type BuildEvent } from '../../engine/scheduling/build-events.js';
import type { TargetGraph } from '../../engine/pipeline/graph.js';
import type { TargetName } from '../../engine/pipeline/label.js';

export type RowStatus = 'queued' | 'running' | 'cached' | 'built' | 'failed' | 'skipped';

export interface TargetRow {
  name: TargetName;
  depth: number;
  status: RowStatus;
  /** Actions of this target known so far (more than one when it is partitioned). */
  actions: number;
  partitioned: boolean;
  counts: Record<RowStatus, number>;
  elapsedMs: number | undefined;
  progress: { done: number; total?: number; unit?: string } | undefined;
  error: string | undefined;
  logPath: string | undefined;
}

export interface BuildTotals {
  built: number;
  cached: number;
  failed: number;
  skipped: number;
  running: number;
  remaining: number;
  /** Cached / (built + cached), or undefined before anything finished. */
  hitRatio: number | undefined;
  wallMs: number;
}

interface ActionState {
  target: TargetName;
  status: RowStatus;
  startedAt?: number;
  finishedAt?: number;
  progress?: { done: number; total?: number; unit?: string };
  result?: ActionResult;
}

const STATUSES: RowStatus[] = ['queued', 'running', 'cached', 'built', 'failed', 'skipped'];

export function targetOfLabel(label: string): TargetName {
  return label.slice(2).split('@')[0] as TargetName;
}

/**
 * What the terminal UI shows, kept apart from how it is drawn: the requested targets as a tree
 * (dependencies under dependents, each target once, where it is first reached), each row the
 * fold of its actions (partitions), fed by build events. `now` is injected so tests are exact.
 */
export class BuildModel {
  private readonly order: { name: TargetName; depth: number }[] = [];
  private readonly actions = new Map<string, ActionState>();
  private readonly byTarget = new Map<TargetName, Set<string>>();
  private startedAt: number;
  private finishedAt: number | undefined;
  selected = 0;

  constructor(
    graph: Pick<TargetGraph, 'depsOf' | 'closure'>,
    roots: readonly TargetName[],
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    const seen = new Set<TargetName>();
    const visit = (name: TargetName, depth: number): void => {
      if (seen.has(name)) return;
      seen.add(name);
      this.order.push({ name, depth });
      for (const dep of graph.depsOf(name)) visit(dep, depth + 1);
    };
    // Roots that another root depends on are shown under it, not again at the top.
    const underOthers = new Set(roots.flatMap((r) => graph.closure([r]).filter((n) => n !== r)));
    for (const root of roots) if (!underOthers.has(root)) visit(root, 0);
    for (const root of roots) visit(root, 0);
  }

  apply(event: BuildEvent): void {
    switch (event.type) {
      case 'planned':
        for (const target of event.plan.targets)
          for (const action of target.actions) this.ensure(action.label, target.name);
        break;
      case 'start': {
        const a = this.ensure(event.label, targetOfLabel(event.label));
        a.status = 'running';
        a.startedAt = this.now();
        break;
      }
      case 'progress': {
        const a = this.ensure(event.report.label, targetOfLabel(event.report.label));
        a.progress = { done: event.report.done, total: event.report.total, unit: event.report.unit };
        break;
      }
      case 'finish': {
        const a = this.ensure(event.result.label, event.result.target);
        a.status = event.result.status;
        a.finishedAt = this.now();
        a.result = event.result;
        break;
      }
    }
  }

  /** The build is over: the wall clock stops. */
  done(): void {
    this.finishedAt ??= this.now();
  }

  /** Starts a new build over the same tree (watch mode). */
  reset(): void {
    this.actions.clear();
    this.byTarget.clear();
    this.startedAt = this.now();
    this.finishedAt = undefined;
  }

  rows(): TargetRow[] {
    return this.order.map(({ name, depth }) => this.row(name, depth));
  }

  totals(): BuildTotals {
    const t: BuildTotals = {
      built: 0,
      cached: 0,
      failed: 0,
      skipped: 0,
      running: 0,
      remaining: 0,
      hitRatio: undefined,
      wallMs: (this.finishedAt ?? this.now()) - this.startedAt,
    };
    for (const a of this.actions.values()) {
      if (a.status === 'queued') t.remaining += 1;
      else if (a.status === 'running') {
        t.running += 1;
        t.remaining += 1;
      } else t[a.status] += 1;
    }
    if (t.built + t.cached > 0) t.hitRatio = t.cached / (t.built + t.cached);
    return t;
  }

  moveSelection(delta: number): void {
    this.selected = Math.max(0, Math.min(this.order.length - 1, this.selected + delta));
  }

  selectedTarget(): TargetName | undefined {
    return this.order[this.selected]?.name;
  }

  private ensure(label: string, target: TargetName): ActionState {
    let a = this.actions.get(label);
    if (!a) {
      a = { target, status: 'queued' };
      this.actions.set(label, a);
      const set = this.byTarget.get(target) ?? new Set<string>();
      set.add(label);
      this.byTarget.set(target, set);
    }
    return a;
  }

  private row(name: TargetName, depth: number): TargetRow {
    const labels = [...(this.byTarget.get(name) ?? [])];
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;
    let first: number | undefined;
    let last: number | undefined;
    let running = false;
    let progress: TargetRow['progress'];
    let failure: ActionResult | undefined;
    for (const label of labels) {
      const a = this.actions.get(label)!;
      counts[a.status] += 1;
      if (a.startedAt !== undefined) first = Math.min(first ?? a.startedAt, a.startedAt);
      if (a.finishedAt !== undefined && a.startedAt !== undefined) last = Math.max(last ?? a.finishedAt, a.finishedAt);
      if (a.status === 'running') {
        running = true;
        progress = a.progress ?? progress;
      }
      if (a.status === 'failed') failure ??= a.result;
    }
    const status: RowStatus =
      counts.failed > 0
        ? 'failed'
        : counts.running > 0
          ? 'running'
          : counts.queued > 0 || labels.length === 0
            ? 'queued'
            : counts.skipped > 0
              ? 'skipped'
              : counts.built > 0
                ? 'built'
                : 'cached';
    const elapsedMs = first === undefined ? undefined : (running ? this.now() : (last ?? this.now())) - first;
    return {
      name,
      depth,
      status,
      actions: labels.length,
      partitioned: labels.some((l) => l.includes('@')),
      counts,
      elapsedMs,
      progress,
      error: failure?.error,
      logPath: failure?.logPath,
    };
  }
}
