import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { join, relative } from 'node:path';
import { currentKeys } from '../../engine/keys/current-keys.js';
import { planBuild } from '../../engine/scheduling/plan.js';
import type { CliIO } from '../io.js';
import { openSession } from './open.js';

export async function showCommand(
  io: CliIO,
  globals: GlobalOptions,
  label: string,
  opts: { json?: boolean },
): Promise<number> {
  const session = await openSession(io, globals);
  const pattern = session.graph.resolveOne(label, 'show');
  const plan = await planBuild(session, [label]);
  const current = currentKeys(session, plan);
  const target = plan.byName.get(pattern.name)!;
  const ws = session.workspace;
  const shown = target.actions.map((action) => {
    const now = current.get(action.label)!;
    const lastKey = session.state.get(action.label)?.key;
    const manifest = now.manifest ?? (lastKey ? session.actionCache.get(lastKey) : undefined);
    const status = now.manifest ? 'up to date' : manifest ? 'out of date' : 'never built';
    const outPath = ws.outPathOf(target.name, action.partition?.path ?? null);
    const outputs = Object.fromEntries(
      Object.entries(manifest?.outputs ?? {}).map(([name, o]) => [
        name,
        { ...o, path: join(outPath, name), blob: session.cas.pathOf(o.digest) },
      ]),
    );
    return {
      label: action.label,
      status,
      rule: `${target.rule.name} v${target.rule.rule.version}`,
      config: target.spec.config ?? null,
      key: manifest?.key ?? null,
      manifestPath: manifest ? session.actionCache.pathOf(manifest.key) : null,
      outputDir: outPath,
      outputs,
      rows: manifest?.rows ?? {},
      log: manifest?.log ? ws.logPathOf(target.name, action.partition?.path ?? null) : null,
      timings: manifest?.timings ?? null,
      manifest: opts.json ? (manifest ?? null) : undefined,
    };
  });
  if (opts.json) {
    io.out(
      JSON.stringify(
        pattern.kind === 'partition' || !target.partitions ? shown[0] : { label, partitions: shown },
        null,
        2,
      ),
    );
    return 0;
  }
  const rel = (p: string) => relative(io.cwd, p) || '.';
  for (const s of shown) {
    const lines = [
      `${s.label}`,
      `  status:   ${s.status}${s.status === 'out of date' ? ` (quanto explain ${s.label} says why)` : ''}`,
      `  rule:     ${s.rule}`,
    ];
    if (s.config) lines.push(`  config:   ${s.config}`);
    if (s.key) lines.push(`  key:      ${s.key}`, `  manifest: ${rel(s.manifestPath!)}`);
    if (s.timings) lines.push(`  built:    ${s.timings.startedAt} in ${s.timings.durationMs} ms`);
    if (Object.keys(s.outputs).length > 0) {
      lines.push(`  outputs (${rel(s.outputDir)}):`);
      for (const [name, o] of Object.entries(s.outputs)) {
        const rows = s.rows[name] !== undefined ? `, ${s.rows[name]} rows` : '';
        lines.push(`    ${name}  ${o.digest.slice(0, 12)}  ${o.size} B${rows}  ${rel(o.path)}`);
      }
    }
    if (s.log) lines.push(`  log:      ${rel(s.log)}`);
    io.out(lines.join('\n'));
  }
  // 'never built' is an answer about the target, not a failure of the command.
  return 0;
}

/** Registers `quanto show`. */
export function registerShowCommand(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description("a target's manifest and output paths")
    .argument('<label>')
    .option('--json', 'machine-readable')
    .action(ctx.run((label: string, opts: { json?: boolean }) => showCommand(ctx.io, ctx.globals(), label, opts)));
}
