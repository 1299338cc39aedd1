/**
 * npm run bench:matrix — a pipeline matrix of 1,000 points (100 x 10 config values of one
 * target), each point its own cached target: the cold build, then `quanto build` as a no-op
 * (the whole CLI process, as a user waits for it), beside ninja's no-op over 1,000 edges of the
 * same shape when ninja is installed. Medians of BENCH_RUNS runs; compare ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { available, fmt, median, timeCommand } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const A = Number(process.env.BENCH_MATRIX_A ?? 100);
const B = 10;

const RULE = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
export default {
  name: 'trial',
  version: 1,
  config: z.object({ a: z.number(), b: z.number() }).strict(),
  outputs: ['out.json'],
  run(ctx: any) {
    writeFileSync(join(ctx.outDir, 'out.json'), JSON.stringify(ctx.config));
  },
};
`;

function quantoWorkspace(dir: string): void {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  mkdirSync(join(dir, 'configs'), { recursive: true });
  symlinkSync(join(quantoPackageRoot(), 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'rules', 'trial.ts'), RULE);
  writeFileSync(join(dir, 'configs', 'trial.yaml'), 'a: 0\nb: 0\n');
  writeFileSync(
    join(dir, 'quanto.pipeline.yaml'),
    `targets:\n  experiments/trial:\n    rule: trial\n    config: configs/trial.yaml\n    matrix:\n      a: {range: {from: 1, to: ${A}, step: 1}}\n      b: {range: {from: 1, to: ${B}, step: 1}}\n`,
  );
}

/** The same 1,000 outputs as ninja edges: one small command per point. */
function ninjaWorkspace(dir: string): void {
  const lines = ['rule trial', '  command = echo "{\\"a\\":$a,\\"b\\":$b}" > $out', ''];
  for (let a = 1; a <= A; a++)
    for (let b = 1; b <= B; b++) lines.push(`build out/a${a}_b${b}.json: trial`, `  a = ${a}`, `  b = ${b}`);
  writeFileSync(join(dir, 'build.ninja'), `${lines.join('\n')}\n`);
}

/** The child's peak resident size, by GNU time (n/a without it). */
function peakRss(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  if (!existsSync('/usr/bin/time')) return 'n/a (no /usr/bin/time)';
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, env, encoding: 'utf8' });
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MiB` : 'n/a';
}

function main(): void {
  const root = mkdtempSync(join(tmpdir(), 'quanto-bench-matrix-'));
  try {
    const q = join(root, 'quanto');
    mkdirSync(q);
    quantoWorkspace(q);
    const bin = join(quantoPackageRoot(), 'bin', 'quanto.js');
    const args = [bin, 'build', '--no-tui'];
    const env = { ...process.env, CI: 'true' };
    const cold = timeCommand(process.execPath, args, q, env);
    const noop = median(Array.from({ length: RUNS }, () => timeCommand(process.execPath, args, q, env)));
    const version = median(
      Array.from({ length: RUNS }, () => timeCommand(process.execPath, [bin, '--version'], q, env)),
    );
    console.log(
      `matrix: ${A * B} points of one target (experiments/trial@a=..,b=..), each its own key and cache entry`,
    );
    console.log(
      `  quanto  cold ${fmt(cold)}  no-op ${fmt(noop)} (the CLI process; \`quanto --version\` alone: ${fmt(version)})`,
    );
    if (available('ninja')) {
      const n = join(root, 'ninja');
      mkdirSync(n);
      ninjaWorkspace(n);
      const ninjaCold = timeCommand('ninja', ['-C', n], n);
      const ninjaNoop = median(Array.from({ length: RUNS }, () => timeCommand('ninja', ['-C', n], n)));
      console.log(`  ninja   cold ${fmt(ninjaCold)}  no-op ${fmt(ninjaNoop)}  (${A * B} edges)`);
      console.log(`  ratio   no-op quanto / ninja: ${(noop / ninjaNoop).toFixed(1)}x`);
    } else console.log('  ninja   not installed (apt-get install ninja-build): no peer figure');
    console.log(`  target  no-op under 1 s: ${noop < 1000 ? 'met' : 'NOT met'}`);
    console.log(`  peak RSS of a no-op quanto build: ${peakRss(process.execPath, args, q, env)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
