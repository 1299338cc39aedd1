/**
 * npm run bench:watch — how soon after a one-line edit of a feature config `quanto watch`
 * starts rebuilding, in a workspace whose other targets are all cached. Beside it, in the
 * same run, the ceiling: how soon a bare chokidar watcher on the same file hears of the edit.
 * Prints medians of several edits.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { watch } from 'chokidar';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { median } from './stats.js';

const EDITS = Number(process.env.BENCH_EDITS ?? 9);
const FEATURES = Number(process.env.BENCH_FEATURES ?? 200);
// The benchmark edits feature 7: fewer features would leave it waiting for a rebuild that never comes.
if (!(FEATURES >= 8))
  throw new Error(
    `BENCH_FEATURES must be at least 8 (it edits configs/features/f007.yaml), got ${process.env.BENCH_FEATURES}`,
  );

function workspace(dir: string): void {
  mkdirSync(join(dir, 'configs', 'features'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  symlinkSync(join(quantoPackageRoot(), 'node_modules'), join(dir, 'node_modules'));
  const lines = ['version: 1', 'targets:'];
  for (let i = 0; i < FEATURES; i++) {
    const id = String(i).padStart(3, '0');
    writeFileSync(join(dir, 'data', `raw${id}.csv`), `symbol,close\nS${id},${i}\n`);
    writeFileSync(join(dir, 'configs', 'features', `f${id}.yaml`), `# feature set ${id}\nsalt: "window=14"\n`);
    lines.push(`  raw/r${id}:`, '    rule: hash_inputs', `    srcs: [data/raw${id}.csv]`);
    lines.push(
      `  features/f${id}:`,
      '    rule: hash_inputs',
      `    deps: [//raw/r${id}]`,
      `    config: configs/features/f${id}.yaml`,
    );
    lines.push(`  labels/l${id}:`, '    rule: hash_inputs', `    deps: [//features/f${id}]`);
  }
  writeFileSync(join(dir, 'quanto.pipeline.yaml'), lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-watch-'));
  try {
    workspace(dir);
    const target = join(dir, 'configs', 'features', 'f007.yaml');
    const child = spawn(
      process.execPath,
      [join(quantoPackageRoot(), 'bin', 'quanto.js'), '-C', dir, 'watch', '--no-tui'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! });
    const waiters: { pattern: RegExp; resolve: (at: number) => void }[] = [];
    lines.on('line', (line) => {
      const at = performance.now();
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(at);
        }
      }
    });
    const next = (pattern: RegExp) => new Promise<number>((resolve) => waiters.push({ pattern, resolve }));
    await next(/^WATCHING /);
    const bare = watch(target, { ignoreInitial: true });
    await new Promise<void>((r) => bare.once('ready', () => r()));
    let bareResolve: ((at: number) => void) | undefined;
    bare.on('change', () => bareResolve?.(performance.now()));

    const quanto: number[] = [];
    const ceiling: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const started = next(/^START\s+\/\/features\/f007$/);
      const summary = next(/^quanto: /);
      const heard = new Promise<number>((r) => (bareResolve = r));
      const t0 = performance.now();
      writeFileSync(target, `# feature set 007\nsalt: "window=${15 + i}"\n`);
      quanto.push((await started) - t0);
      ceiling.push((await heard) - t0);
      await summary;
    }
    await bare.close();
    child.kill('SIGINT');
    console.log(
      `watch benchmark: ${FEATURES * 3} targets, all cached; ${EDITS} one-line edits of configs/features/f007.yaml`,
    );
    console.log('');
    console.log('| measure | median | min | max |');
    console.log('|---|---|---|---|');
    const row = (name: string, xs: number[]) =>
      console.log(
        `| ${name} | ${median(xs).toFixed(0)} ms | ${Math.min(...xs).toFixed(0)} ms | ${Math.max(...xs).toFixed(0)} ms |`,
      );
    row('write -> quanto watch starts the rebuilt target', quanto);
    row('write -> bare chokidar event (ceiling)', ceiling);
    console.log('');
    console.log(
      `quanto's start latency is ${(median(quanto) / Math.max(1, median(ceiling))).toFixed(1)}x the bare watcher's; target (issue 3): <= 300 ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
