/**
 * npm run bench:distributed — distributed execution on BullMQ/Redis with the remote cache, on
 * this machine: a coordinator and 1, 2 and 4 `quanto worker` processes (each in its own
 * checkout with its own cache) against a local redis-server and s3rver, on two workloads: the
 * synthetic 10,000-target DAG of bench:engine, and a 200-partition ingestion from the local
 * Polygon server. Beside them, in the same run, the same cold build with local worker threads
 * (--jobs 1 and --jobs 2), and a one-thread local build that uploads to the remote cache (to
 * show how much of the overhead is S3 traffic). Prints medians, the speed-up over one worker
 * and the per-action overhead of distribution (one worker's wall time over a one-thread local
 * build, per action: queue, publishing inputs, the worker's upload, the coordinator's download).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer, startRedisServer } from '../src/devservers/local-redis.js';
import { S3_TEST_KEYS, startS3Server } from '../src/devservers/local-s3.js';
import { startPolygonServer } from '../src/devservers/polygon-server.js';
import { quantoPackageRoot } from '../src/engine/package-root.js';
import { fmt, median, timeCommandAsync } from './stats.js';
import { makeDag, writeQuantoWorkspace } from './synthetic-dag.js';

const LAYERS = Number(process.env.BENCH_LAYERS ?? 100);
const WIDTH = Number(process.env.BENCH_WIDTH ?? 100);
const PARTITION_SYMBOLS = Number(process.env.BENCH_PARTITION_SYMBOLS ?? 100); // x 2 years = 200 partitions
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const ROOT = quantoPackageRoot();
const QUANTO = join(ROOT, 'bin', 'quanto.js');
const POLYGON_KEY = 'bench-key';

interface Workload {
  name: string;
  actions: number;
  dir: string;
  labels: string[];
}

function dagWorkload(base: string): Workload {
  const dir = join(base, 'dag');
  mkdirSync(dir, { recursive: true });
  writeQuantoWorkspace(dir, makeDag(LAYERS, WIDTH));
  return {
    name: `synthetic DAG, ${(LAYERS * WIDTH).toLocaleString('en-US')} targets (hash_inputs)`,
    actions: LAYERS * WIDTH,
    dir,
    labels: ['//...'],
  };
}

function ingestWorkload(base: string, polygonUrl: string): Workload {
  const dir = join(base, 'ingest');
  mkdirSync(join(dir, 'rules'), { recursive: true });
  mkdirSync(join(dir, 'configs'), { recursive: true });
  for (const f of ['ingest_polygon.ts']) symlinkSync(join(ROOT, 'rules', f), join(dir, 'rules', f));
  const symbols = Array.from({ length: PARTITION_SYMBOLS }, (_, i) => `S${String(i).padStart(4, '0')}`);
  writeFileSync(
    join(dir, 'configs', 'polygon.yaml'),
    `base_url: ${polygonUrl}\nsymbols: [${symbols.join(', ')}]\nstart: "2022-01-01"\nend: "2023-12-31"\nrate_per_second: 1000000\nconcurrency: 4\npage_limit: 100\n`,
  );
  writeFileSync(
    join(dir, 'quanto.pipeline.yaml'),
    'version: 1\ntargets:\n  raw/polygon_bars:\n    rule: ingest_polygon\n    config: configs/polygon.yaml\n',
  );
  return {
    name: `ingestion, ${PARTITION_SYMBOLS * 2} partitions (symbol x year) from the local Polygon server`,
    actions: PARTITION_SYMBOLS * 2,
    dir,
    labels: ['//raw/polygon_bars'],
  };
}

/** A worker process in its own copy of the checkout; resolves once it serves its queues. */
async function startWorker(
  w: Workload,
  env: NodeJS.ProcessEnv,
  index: number,
  redisUrl: string,
  cacheUrl: string,
): Promise<ChildProcess> {
  const dir = `${w.dir}-worker-${index}`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(w.dir, dir, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('/cache') });
  const child = spawn(
    process.execPath,
    [QUANTO, '-C', dir, 'worker', '--executor', redisUrl, '--remote-cache', cacheUrl, '--jobs', '1'],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('WORKER ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before serving`)));
  });
  child.stdout!.resume();
  return child;
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.exitCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGTERM')),
        ),
    ),
  );
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // this benchmark runs on Node 20 on purpose
  if (!hasRedisServer()) throw new Error('bench:distributed needs redis-server (apt-get install redis-server)');
  const base = mkdtempSync(join(tmpdir(), 'quanto-bench-dist-'));
  symlinkSync(join(ROOT, 'node_modules'), join(base, 'node_modules'));
  const [redis, s3, polygon] = await Promise.all([
    startRedisServer(),
    startS3Server(),
    startPolygonServer({ seed: 1, apiKey: POLYGON_KEY }),
  ]);
  const env = {
    ...process.env,
    ...S3_TEST_KEYS,
    QUANTO_REMOTE_CACHE_ENDPOINT: s3.endpoint,
    POLYGON_API_KEY: POLYGON_KEY,
    CI: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  let prefix = 0;
  const rows: string[] = [];
  try {
    for (const w of [ingestWorkload(base, polygon.url), dagWorkload(base)]) {
      const cold = async (argsOf: () => string[]) => {
        const times: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          rmSync(join(w.dir, 'cache'), { recursive: true, force: true });
          times.push(
            await timeCommandAsync(
              process.execPath,
              [QUANTO, 'build', '--no-tui', ...argsOf(), ...w.labels],
              w.dir,
              env,
            ),
          );
        }
        return median(times);
      };
      const local1 = await cold(() => ['--jobs', '1']);
      const local2 = await cold(() => ['--jobs', '2']);
      // What the remote cache alone costs (the upload a worker does, without the queue): the part
      // of the distributed overhead that is S3 traffic to s3rver rather than BullMQ.
      const local1Upload = await cold(() => ['--jobs', '1', '--remote-cache', `s3://${s3.bucket}/bench-${++prefix}`]); // a new, empty prefix each run
      const distributed = new Map<number, number>();
      for (const n of WORKER_COUNTS) {
        const times: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const cacheUrl = `s3://${s3.bucket}/bench-${++prefix}`;
          const children = await Promise.all(
            Array.from({ length: n }, (_, i) => startWorker(w, env, i, redis.url, cacheUrl)),
          );
          try {
            rmSync(join(w.dir, 'cache'), { recursive: true, force: true });
            times.push(
              await timeCommandAsync(
                process.execPath,
                [
                  QUANTO,
                  'build',
                  '--no-tui',
                  '--executor',
                  redis.url,
                  '--remote-cache',
                  cacheUrl,
                  '--jobs',
                  String(IN_FLIGHT),
                  ...w.labels,
                ],
                w.dir,
                env,
              ),
            );
          } finally {
            await stopWorkers(children);
          }
        }
        distributed.set(n, median(times));
        console.error(`  ${w.name}: ${n} worker(s) ${fmt(median(times))}`);
      }
      const one = distributed.get(WORKER_COUNTS[0]!)!;
      rows.push(`| ${w.name} | local, 1 thread | ${fmt(local1)} | | |`);
      rows.push(`| | local, 2 threads | ${fmt(local2)} | | |`);
      rows.push(
        `| | local, 1 thread, uploading to the remote cache | ${fmt(local1Upload)} | | ${((local1Upload - local1) / w.actions).toFixed(1)} ms/action (upload alone) |`,
      );
      for (const [n, ms] of distributed) {
        rows.push(
          `| | ${n} worker process${n > 1 ? 'es' : ''} | ${fmt(ms)} | ${(one / ms).toFixed(2)}x | ${n === WORKER_COUNTS[0] ? `${((ms - local1) / w.actions).toFixed(1)} ms/action` : ''} |`,
        );
      }
    }
  } finally {
    await Promise.all([redis.close(), s3.close(), polygon.close()]);
    rmSync(base, { recursive: true, force: true });
  }
  console.log(
    `distributed benchmark: ${cpus().length} cores, one machine (coordinator, workers, redis-server ${
      spawnSync('redis-server', ['--version'])
        .stdout.toString()
        .match(/v=(\S+)/)?.[1] ?? '?'
    } and s3rver share them), cold builds, ${IN_FLIGHT} actions in flight, median of ${RUNS}`,
  );
  console.log('');
  console.log('| workload | executor | wall | speed-up vs 1 worker | overhead per action vs 1 local thread |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
