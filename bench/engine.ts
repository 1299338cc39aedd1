/**
 * npm run bench:engine — the engine on a synthetic 10,000-target DAG, beside ninja and make
 * on the same DAG when they are installed, plus hashing throughput beside Node's in-memory
 * SHA-256. Prints medians; these machines are noisy, so read the ratios.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestFile } from '../src/engine/keys/digest.js';
import type { TargetName } from '../src/engine/pipeline/label.js';
import { outputsInPlace } from '../src/engine/store/out-tree.js';
import { Session } from '../src/engine/session.js';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { available, fmt, median, timeCommand } from './stats.js';
import {
  coneSize,
  makeDag,
  makeOutputDirs,
  sinkSourceFile,
  sourceFile,
  writeMakefile,
  writeNinja,
  writeQuantoWorkspace,
} from './synthetic-dag.js';

const LAYERS = Number(process.env.BENCH_LAYERS ?? 100);
const WIDTH = Number(process.env.BENCH_WIDTH ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const HASH_MIB = Number(process.env.BENCH_HASH_MIB ?? 1024);

type Row = { tool: string; cold: number; noop: number; sink: number; cone: number };

interface BlobCheckCost {
  outputs: number;
  bytes: number;
  /** The no-op build's check of every output: its blob's size and inode beside cache/out's (two stats). */
  inPlaceMs: number;
  /** What the same check cost before blobs were looked at: one stat of cache/out. */
  outTreeOnlyMs: number;
  /** Rehashing every blob once, as the actions of a cold build do with their inputs. */
  rehashMs: number;
}

/**
 * The integrity checks timed on their own, on the workspace the cold builds made: they are a
 * part of a whole-process build too small to separate from noise by timing builds alone.
 */
async function blobCheckCost(dir: string): Promise<BlobCheckCost> {
  const session = await Session.open(dir);
  const entries = session.state.labels().map((label) => {
    const [target, partition] = label.replace(/^\/\//, '').split('@') as [TargetName, string | undefined];
    return {
      outPath: session.workspace.outPathOf(target, partition ?? null),
      outputs: session.state.get(label)!.outputs,
    };
  });
  const runs = { inPlace: [] as number[], outTree: [] as number[], rehash: [] as number[] };
  let outputs = 0;
  let bytes = 0;
  for (let r = 0; r < RUNS; r++) {
    let t = process.hrtime.bigint();
    for (const e of entries)
      if (!outputsInPlace(session.cas, e.outPath, e.outputs)) throw new Error(`bench: ${e.outPath} is not in place`);
    runs.inPlace.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    for (const e of entries)
      for (const [name, o] of Object.entries(e.outputs))
        if (statSync(join(e.outPath, name)).size !== o.size) throw new Error('bench: size');
    runs.outTree.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    outputs = 0;
    bytes = 0;
    for (const e of entries) {
      for (const o of Object.values(e.outputs)) {
        if (session.cas.check(o.digest, o.size, 'full')) throw new Error(`bench: blob ${o.digest} damaged`);
        outputs += 1;
        bytes += o.size;
      }
    }
    runs.rehash.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return {
    outputs,
    bytes,
    inPlaceMs: median(runs.inPlace),
    outTreeOnlyMs: median(runs.outTree),
    rehashMs: median(runs.rehash),
  };
}

function measure(tool: string, dir: string, cmd: string, args: string[], clean: () => void): Row {
  const runs = { cold: [] as number[], noop: [] as number[], sink: [] as number[], cone: [] as number[] };
  for (let r = 0; r < COLD_RUNS; r++) {
    clean();
    runs.cold.push(timeCommand(cmd, args, dir));
  }
  for (let r = 0; r < RUNS; r++) runs.noop.push(timeCommand(cmd, args, dir));
  for (let r = 0; r < RUNS; r++) {
    writeFileSync(join(dir, sinkSourceFile(0)), `top source 0, edit ${r}\n`);
    runs.sink.push(timeCommand(cmd, args, dir));
  }
  for (let r = 0; r < Math.min(RUNS, 3); r++) {
    writeFileSync(join(dir, sourceFile(0)), `source 0, edit ${r}\n`);
    runs.cone.push(timeCommand(cmd, args, dir));
  }
  return { tool, cold: median(runs.cold), noop: median(runs.noop), sink: median(runs.sink), cone: median(runs.cone) };
}

function hashThroughput(): { file: number; memory: number } {
  const dir = mkdtempSync(join(tmpdir(), 'quanto-bench-hash-'));
  const path = join(dir, 'blob');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = openSync(path, 'w');
  for (let i = 0; i < HASH_MIB / 16; i++) writeSync(fd, chunk);
  closeSync(fd);
  const bytes = HASH_MIB * 1024 * 1024;
  const fileRuns: number[] = [];
  const memRuns: number[] = [];
  const big = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += chunk.length) chunk.copy(big, i);
  for (let r = 0; r < 3; r++) {
    let t = process.hrtime.bigint();
    digestFile(path);
    fileRuns.push(bytes / (Number(process.hrtime.bigint() - t) / 1e9) / 1e9);
    t = process.hrtime.bigint();
    createHash('sha256').update(big).digest('hex');
    memRuns.push(bytes / (Number(process.hrtime.bigint() - t) / 1e9) / 1e9);
  }
  rmSync(dir, { recursive: true, force: true });
  return { file: median(fileRuns), memory: median(memRuns) };
}

async function main(): Promise<void> {
  const dag = makeDag(LAYERS, WIDTH);
  const targets = LAYERS * WIDTH;
  console.log(
    `engine benchmark: ${targets} targets (${LAYERS} layers x ${WIDTH}, 3 deps each), medians of ${COLD_RUNS} cold / ${RUNS} warm runs`,
  );
  console.log('one-leaf rebuild: edit the source file of one top-layer target (1 action to rerun)');
  console.log(
    `one-source cone: edit the source file of layer-0 target 0, which reaches ${coneSize(dag, 0)} targets (outputs change, so no early cutoff)`,
  );
  const root = mkdtempSync(join(tmpdir(), 'quanto-bench-'));
  const rows: Row[] = [];
  let checks: BlobCheckCost | undefined;
  try {
    const qdir = join(root, 'quanto');
    writeQuantoWorkspace(qdir, dag);
    const bin = join(quantoPackageRoot(), 'bin', 'quanto.js');
    rows.push(
      measure('quanto', qdir, process.execPath, [bin, 'build', '//...'], () =>
        rmSync(join(qdir, 'cache'), { recursive: true, force: true }),
      ),
    );
    checks = await blobCheckCost(qdir);
    if (available('ninja')) {
      const ndir = join(root, 'ninja');
      writeNinja(ndir, dag);
      rows.push(
        measure('ninja', ndir, 'ninja', ['-j2', '--quiet'], () => {
          rmSync(join(ndir, 'out'), { recursive: true, force: true });
          rmSync(join(ndir, '.ninja_log'), { force: true });
          rmSync(join(ndir, '.ninja_deps'), { force: true });
        }),
      );
    } else console.log('ninja: not installed (apt-get install ninja-build) — skipped');
    if (available('make')) {
      const mdir = join(root, 'make');
      writeMakefile(mdir, dag);
      rows.push(
        measure('make', mdir, 'make', ['-j2', '-s'], () => {
          rmSync(join(mdir, 'out'), { recursive: true, force: true });
          makeOutputDirs(mdir, dag);
        }),
      );
    } else console.log('make: not installed — skipped');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const q = rows[0]!;
  console.log('');
  console.log('| tool | cold full build | no-op build | one-leaf rebuild | one-source cone |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    // Each peer cell also gives quanto's time as a multiple of the peer's.
    const cell = (k: 'cold' | 'noop' | 'sink' | 'cone') =>
      `${fmt(r[k])}${r === q ? '' : ` (quanto/${r.tool} ${(q[k] / r[k]).toFixed(2)})`}`;
    console.log(`| ${r.tool} | ${cell('cold')} | ${cell('noop')} | ${cell('sink')} | ${cell('cone')} |`);
  }
  if (checks) {
    const c = checks;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log('');
    console.log(`blob checks on the same ${c.outputs} outputs (${(c.bytes / 1e6).toFixed(1)} MB), medians of ${RUNS}:`);
    console.log(`| check | when | cost |`);
    console.log(`|---|---|---|`);
    console.log(
      `| size and inode of each blob beside cache/out (2 stats an output) | every no-op build | ${ms(c.inPlaceMs)} (cache/out alone, as before: ${ms(c.outTreeOnlyMs)}; added: ${ms(c.inPlaceMs - c.outTreeOnlyMs)}, ${((100 * (c.inPlaceMs - c.outTreeOnlyMs)) / q.noop).toFixed(0)}% of the no-op build) |`,
    );
    console.log(
      `| rehash of each input blob, once per build and thread | actions that run | ${ms(c.rehashMs)} for every blob once (${((100 * c.rehashMs) / q.cold).toFixed(0)}% of the cold build) |`,
    );
  }
  const h = hashThroughput();
  console.log('');
  console.log(
    `hashing a ${HASH_MIB} MiB artifact from disk: ${h.file.toFixed(2)} GB/s (Node SHA-256 in memory, the ceiling: ${h.memory.toFixed(2)} GB/s; ${((100 * h.file) / h.memory).toFixed(0)}% of it)`,
  );
  console.log(
    'targets (issue 2): no-op <= 250 ms, one-leaf rebuild <= 400 ms, cold full build <= 2 s, hashing >= 1.5 GB/s',
  );
}

await main();
