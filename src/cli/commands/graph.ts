import { Option, type Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { ConfigError } from '../../engine/errors.js';
import { parseDepLabel, type TargetName } from '../../engine/pipeline/label.js';
import type { CliIO } from '../io.js';
import { openSession } from './open.js';

export async function lsCommand(io: CliIO, globals: GlobalOptions, patterns: string[]): Promise<number> {
  const session = await openSession(io, globals);
  const names = session.graph.select(patterns);
  for (const name of names) {
    const spec = session.graph.spec(name);
    const parts = spec.partitions
      ? ` [${Object.values(spec.partitions).reduce((n, v) => n * v.length, 1)} partitions]`
      : '';
    const tags = spec.tags.length > 0 ? ` (${spec.tags.join(', ')})` : '';
    io.out(`//${name}  ${spec.rule}${parts}${tags}`);
  }
  return 0;
}

export async function graphCommand(
  io: CliIO,
  globals: GlobalOptions,
  labels: string[],
  format: 'text' | 'dot' | 'json',
): Promise<number> {
  const session = await openSession(io, globals);
  const graph = session.graph;
  const roots = graph.select(labels);
  const nodes = graph.closure(roots);
  if (format === 'json') {
    const targets = nodes.map((n) => {
      const spec = graph.spec(n);
      return {
        label: `//${n}`,
        rule: spec.rule,
        deps: spec.deps.map((d) => `//${d}`),
        config: spec.config ?? null,
        srcs: spec.srcs,
        tags: spec.tags,
      };
    });
    io.out(JSON.stringify({ targets }, null, 2));
  } else if (format === 'dot') {
    const lines = ['digraph quanto {', '  rankdir=BT;', '  node [shape=box];'];
    for (const n of nodes) lines.push(`  "//${n}" [label="//${n}\\n(${graph.spec(n).rule})"];`);
    for (const n of nodes) for (const d of graph.depsOf(n)) lines.push(`  "//${n}" -> "//${d}";`);
    lines.push('}');
    io.out(lines.join('\n'));
  } else {
    // Dependents above their dependencies, as in the build UI; a subtree shown once is referred to after.
    const printed = new Set<TargetName>();
    const lines: string[] = [];
    const walk = (name: TargetName, depth: number): void => {
      const indent = '  '.repeat(depth);
      if (printed.has(name) && graph.depsOf(name).length > 0) {
        lines.push(`${indent}//${name} (see above)`);
        return;
      }
      printed.add(name);
      lines.push(`${indent}//${name}  [${graph.spec(name).rule}]`);
      for (const dep of graph.depsOf(name)) walk(dep, depth + 1);
    };
    const requested = new Set(roots);
    for (const root of nodes.filter(
      (n) => requested.has(n) && !nodes.some((m) => requested.has(m) && graph.depsOf(m).includes(n)),
    ))
      walk(root, 0);
    io.out(lines.join('\n'));
  }
  return 0;
}

/** deps(//x), rdeps(//x), somepath(//a,//b): labels one per line, in build order. */
export async function queryCommand(io: CliIO, globals: GlobalOptions, expression: string): Promise<number> {
  const session = await openSession(io, globals);
  const graph = session.graph;
  const m = /^\s*(deps|rdeps|somepath)\s*\(\s*([^,()\s]+)\s*(?:,\s*([^,()\s]+)\s*)?\)\s*$/.exec(expression);
  if (!m) throw new ConfigError(`cannot parse query '${expression}': use deps(//x), rdeps(//x) or somepath(//a,//b)`);
  const [, fn, a, b] = m;
  const target = (text: string | undefined): TargetName => {
    const name = text ? parseDepLabel(text) : undefined;
    if (!name) throw new ConfigError(`'${text ?? ''}' is not a target label (write //name)`);
    graph.spec(name);
    return name;
  };
  let result: TargetName[];
  if (fn === 'somepath') {
    if (!b) throw new ConfigError('somepath takes two labels: somepath(//from,//to)');
    result = graph.somePath(target(a), target(b)) ?? [];
  } else {
    if (b) throw new ConfigError(`${fn} takes one label`);
    result = fn === 'deps' ? graph.closure([target(a)]) : graph.reverseClosure([target(a)]);
  }
  if (result.length > 0) io.out(result.map((n) => `//${n}`).join('\n'));
  return 0;
}

/** Registers `quanto ls / graph / query`. */
export function registerGraphCommands(program: Command, ctx: CommandContext): void {
  program
    .command('ls')
    .description('list targets')
    .argument('[patterns...]', 'patterns to list', ['//...'])
    .action(ctx.run((p: string[]) => lsCommand(ctx.io, ctx.globals(), p)));

  program
    .command('graph')
    .description('print the dependency graph')
    .argument('[labels...]', 'roots (default: all)', ['//...'])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'dot', 'json']).default('text'))
    .action(
      ctx.run((labels: string[], opts: { format: 'text' | 'dot' | 'json' }) =>
        graphCommand(ctx.io, ctx.globals(), labels, opts.format),
      ),
    );

  program
    .command('query')
    .description("graph queries: 'deps(//x)', 'rdeps(//x)', 'somepath(//a,//b)'")
    .argument('<expression>')
    .action(ctx.run((expr: string) => queryCommand(ctx.io, ctx.globals(), expr)));
}
