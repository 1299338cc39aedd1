import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmark's synthetic DAG: `layers` x `width` targets; each target of layer l > 0 reads
 * 3 distinct targets of layer l-1 chosen by a seeded generator; each layer-0 target reads one
 * source file, and each target of the top layer one more (so that a change nothing depends on
 * can be measured too). The same DAG is written as a Quanto pipeline, a build.ninja and a
 * Makefile whose actions are `cat inputs | sha256sum > out`, so all three build the same graph.
 */
export interface SyntheticDag {
  layers: number;
  width: number;
  /** deps[l][i] = indices in layer l-1 */
  deps: number[][][];
}

export function makeDag(layers: number, width: number, seed = 42): SyntheticDag {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32: small, seeded, good enough to pick dependencies.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const deps: number[][][] = [[]];
  for (let l = 1; l < layers; l++) {
    const layer: number[][] = [];
    for (let i = 0; i < width; i++) {
      const chosen = new Set<number>();
      while (chosen.size < 3) chosen.add(Math.floor(next() * width));
      layer.push([...chosen].sort((a, b) => a - b));
    }
    deps.push(layer);
  }
  return { layers, width, deps };
}

const name = (l: number, i: number) => `l${String(l).padStart(3, '0')}/t${String(i).padStart(3, '0')}`;
export const sourceFile = (i: number) => `src/s${String(i).padStart(3, '0')}.txt`;
export const sinkSourceFile = (i: number) => `src/top${String(i).padStart(3, '0')}.txt`;

export function writeSources(dir: string, dag: SyntheticDag): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (let i = 0; i < dag.width; i++) {
    writeFileSync(join(dir, sourceFile(i)), `source ${i}\n`);
    writeFileSync(join(dir, sinkSourceFile(i)), `top source ${i}\n`);
  }
}

export function writeQuantoWorkspace(dir: string, dag: SyntheticDag): void {
  writeSources(dir, dag);
  const lines = ['version: 1', 'targets:'];
  for (let l = 0; l < dag.layers; l++) {
    for (let i = 0; i < dag.width; i++) {
      lines.push(`  ${name(l, i)}:`, '    rule: hash_inputs');
      if (l === 0) lines.push(`    srcs: [${sourceFile(i)}]`);
      else lines.push(`    deps: [${dag.deps[l]![i]!.map((j) => `//${name(l - 1, j)}`).join(', ')}]`);
      if (l === dag.layers - 1) lines.push(`    srcs: [${sinkSourceFile(i)}]`);
    }
  }
  writeFileSync(join(dir, 'quanto.pipeline.yaml'), lines.join('\n') + '\n');
}

const outFile = (l: number, i: number) => `out/${name(l, i)}`;
function inputsOf(dag: SyntheticDag, l: number, i: number): string[] {
  const inputs = l === 0 ? [sourceFile(i)] : dag.deps[l]![i]!.map((j) => outFile(l - 1, j));
  return l === dag.layers - 1 ? [...inputs, sinkSourceFile(i)] : inputs;
}

export function writeNinja(dir: string, dag: SyntheticDag): void {
  writeSources(dir, dag);
  // ninja creates output directories itself.
  const lines = ['rule hash', '  command = cat $in | sha256sum > $out', ''];
  for (let l = 0; l < dag.layers; l++) {
    for (let i = 0; i < dag.width; i++) lines.push(`build ${outFile(l, i)}: hash ${inputsOf(dag, l, i).join(' ')}`);
  }
  writeFileSync(join(dir, 'build.ninja'), lines.join('\n') + '\n');
}

export function writeMakefile(dir: string, dag: SyntheticDag): void {
  writeSources(dir, dag);
  const all: string[] = [];
  const rules: string[] = [];
  for (let l = 0; l < dag.layers; l++) {
    for (let i = 0; i < dag.width; i++) {
      const out = outFile(l, i);
      all.push(out);
      rules.push(`${out}: ${inputsOf(dag, l, i).join(' ')}\n\t@cat $^ | sha256sum > $@`);
    }
  }
  writeFileSync(join(dir, 'Makefile'), `all: ${all.join(' ')}\n\n${rules.join('\n')}\n`);
}

/** make does not create output directories: the benchmark makes them before each cold build. */
export function makeOutputDirs(dir: string, dag: SyntheticDag): void {
  for (let l = 0; l < dag.layers; l++)
    mkdirSync(join(dir, 'out', `l${String(l).padStart(3, '0')}`), { recursive: true });
}

/** How many targets a change to layer-0 source `i` reaches (itself included). */
export function coneSize(dag: SyntheticDag, i: number): number {
  let current = new Set([i]);
  let total = 1;
  for (let l = 1; l < dag.layers; l++) {
    const next = new Set<number>();
    dag.deps[l]!.forEach((ds, k) => {
      if (ds.some((d) => current.has(d))) next.add(k);
    });
    total += next.size;
    current = next;
  }
  return total;
}
