import type { TargetName } from '../../engine/pipeline/label.js';
import type { Session } from '../../engine/session.js';
import type { Panel } from './BuildView.js';
import { readLogTail } from './log-tail.js';

/** The details panel for a target: each action's key, outputs at their stable paths, and log tail. */
export function describeTarget(session: Session, target: TargetName): Panel {
  const lines: string[] = [];
  const spec = session.pipeline.targets.get(target);
  if (spec)
    lines.push(
      `rule ${spec.rule}${spec.config ? `, config ${spec.config}` : ''}${spec.deps.length ? `, deps ${spec.deps.map((d) => `//${d}`).join(' ')}` : ''}`,
    );
  let shown = 0;
  for (const label of [`//${target}`, ...partitionLabels(session, target)]) {
    const state = session.state.get(label);
    if (!state) continue;
    if (++shown > 4) {
      lines.push('… (quanto show for the rest)');
      break;
    }
    const partition = label.includes('@') ? label.slice(label.indexOf('@') + 1) : null;
    lines.push(`${label}  key ${state.key.slice(0, 16)}`);
    const outDir = session.workspace.outPathOf(target, partition);
    for (const [name, o] of Object.entries(state.outputs).slice(0, 5))
      lines.push(`  ${name}  ${o.size} B  ${outDir}/${name}`);
    const log = session.workspace.logPathOf(target, partition);
    const tail = readLogTail(log, 3);
    if (tail.length > 0) lines.push(`  log ${log}:`, ...tail.map((l) => `    ${l}`));
  }
  if (shown === 0) lines.push('not built yet');
  return { title: `//${target}`, lines, color: 'cyan' };
}

function partitionLabels(session: Session, target: TargetName): string[] {
  // The state holds every label built; partitions of this target share the prefix.
  return session.state.labels().filter((l) => l.startsWith(`//${target}@`));
}
